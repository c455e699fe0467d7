// The register books (sổ đăng ký văn bản đi / đến) on a real ward node: read
// off the numbers actually given, in number order, per register and year;
// printable as a PDF poppler reads back and exportable as CSV Excel opens
// (byte-order mark); for the văn thư and the leader only; a bad year or format
// gets a clear refusal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let specialist: Client, leader: Client, clerk: Client;
const dir = mkdtempSync(join(tmpdir(), 'warddesk-books-'));
const year = Number(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 4));

test.before(async () => {
  ward = await startTestWard({ registers: [{ key: 'qd', types: ['QĐ'] }, { key: 'chung', types: ['*'] }] });
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'chutich', 'leader');
  clerk = await official(ward, 'vanthu', 'clerk');
  // Two decisions and a report numbered on paper; one decision left unnumbered.
  for (const [docType, subject, number] of [['QĐ', 'Về việc thành lập tổ công tác', true], ['BC', 'Báo cáo thu ngân sách quý IV', true], ['QĐ', 'Về việc khen thưởng, "tổ dân phố 5"', true], ['QĐ', 'Dự thảo chưa cấp số', false]] as const) {
    const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ docType, subject, recipients: [{ name: 'UBND Thành phố' }, { name: 'Lưu: VT' }] }))).body.id as string;
    await specialist.post(`/api/documents/${id}/actions/submit`);
    await leader.post(`/api/documents/${id}/actions/approve`);
    await clerk.post(`/api/documents/${id}/actions/sign-paper`);
    if (number) assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).status, 200);
  }
  const arrived = await clerk.post('/api/documents/incoming', {
    senderName: 'UBND Thành phố', originalSymbol: '45/UBND-VX', originalDate: `${year}-01-05`, docType: 'CV', subject: 'Về việc tiêm chủng', medium: 'paper',
  });
  await clerk.post(`/api/documents/${arrived.body.id}/actions/register`);
  await leader.post(`/api/documents/${arrived.body.id}/actions/assign`, { data: { handler: 'chuyenvien' } });
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

test('the books list what has numbers: one per outgoing register and year, one incoming per year', async () => {
  const r = await clerk.get('/api/registers');
  assert.is(r.status, 200);
  assert.equal(r.body.items, [{ direction: 'in', year, register: null }, { direction: 'out', year, register: 'chung' }, { direction: 'out', year, register: 'qd' }]);
});

test('the outgoing book has the numbered documents of its register in number order, with Decree 30\'s columns', async () => {
  const r = await leader.get(`/api/registers/out/qd/${year}`);
  assert.is(r.status, 200);
  const rows = r.body.rows as { number: number; numberAndSymbol: string; typeAndSubject: string; recipients: string; medium: string }[];
  assert.equal(rows.map((x) => x.number), [1, 2]);
  assert.match(rows[0]!.numberAndSymbol, /^01\/QĐ-UBND$/);
  assert.is(rows[1]!.typeAndSubject, 'Quyết định: Về việc khen thưởng, "tổ dân phố 5"');
  assert.is(rows[0]!.recipients, 'UBND Thành phố; Lưu: VT');
  assert.is(rows[0]!.medium, 'paper');
  assert.equal((await clerk.get(`/api/registers/out/chung/${year}`)).body.rows.map((x: { typeAndSubject: string }) => x.typeAndSubject), ['Báo cáo: Báo cáo thu ngân sách quý IV']);
  assert.equal((await clerk.get(`/api/registers/out/qd/${year - 1}`)).body.rows, [], 'another year: an empty book');
});

test('the incoming book shows the số đến, sender, original symbol and handler', async () => {
  const rows = (await clerk.get(`/api/registers/in/${year}`)).body.rows as { number: number; sender: string; originalSymbol: string; originalDate: string; handler: string }[];
  assert.is(rows.length, 1);
  assert.equal([rows[0]!.number, rows[0]!.sender, rows[0]!.originalSymbol, rows[0]!.originalDate, rows[0]!.handler], [1, 'UBND Thành phố', '45/UBND-VX', `05/01/${year}`, 'chuyenvien']);
});

test('a book prints as a landscape PDF poppler reads back and exports as CSV with a byte-order mark', async () => {
  const pdf = await fetch(`${ward.url}/api/registers/out/qd/${year}?format=pdf`, { headers: { cookie: clerk.cookie } });
  assert.is(pdf.status, 200);
  assert.match(pdf.headers.get('content-disposition')!, /so-van-ban-di-qd-\d{4}\.pdf/);
  const file = join(dir, 'book.pdf');
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  execFileSync('qpdf', ['--check', file]);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.match(text, /SỔ ĐĂNG KÝ VĂN BẢN ĐI/);
  assert.match(text, /01\/QĐ-UBND/);
  assert.match(text, /Về việc khen thưởng/);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.match(info, /Page size:\s+841\.89 x 595\.28/, 'A4 landscape');

  const csv = await fetch(`${ward.url}/api/registers/in/${year}?format=csv`, { headers: { cookie: clerk.cookie } });
  assert.is(csv.status, 200);
  const bytes = Buffer.from(await csv.arrayBuffer());
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).split('\r\n');
  assert.is(lines[0], 'Ngày đến,Số đến,Tác giả,Số, ký hiệu,Ngày tháng,Tên loại và trích yếu nội dung,Đơn vị hoặc người nhận,Ghi chú'.replace('Số, ký hiệu', '"Số, ký hiệu"'));
  assert.match(lines[1]!, /,01,UBND Thành phố,45\/UBND-VX,/);
});

test('only the văn thư and the leader open the books; a bad year or format is refused in both languages', async () => {
  assert.is((await specialist.get('/api/registers')).status, 403);
  assert.is((await ward.admin.get(`/api/registers/in/${year}`)).status, 403);
  assert.is((await clerk.get('/api/registers/in/20x6')).status, 404);
  const bad = await clerk.get(`/api/registers/in/${year}?format=xlsx`);
  assert.is(bad.status, 400);
  assert.match(bad.body.details[0].vi, /csv.*pdf/);
  assert.match(bad.body.details[0].en, /csv.*pdf/);
});

test.run();
