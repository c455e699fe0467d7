import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ward: TestWard;
let specialist: Client, leader: Client, clerk: Client, other: Client;

test.before(async () => {
  ward = await startTestWard();
  specialist = await official(ward, 'chuyenvien', 'specialist', 'Trần Thị Bình');
  other = await official(ward, 'chuyenvien2', 'specialist');
  leader = await official(ward, 'chutich', 'leader', 'Nguyễn Văn An');
  clerk = await official(ward, 'vanthu', 'clerk', 'Lê Thị Cúc');
});
test.after(async () => { await ward.stop(); });

const tinyPdf = onePagePdf('tiny');

test('a specialist drafts, a leader returns it with a comment, the specialist fixes and resubmits, the leader approves', async () => {
  const created = await specialist.post('/api/documents/outgoing', sampleDraft());
  assert.is(created.status, 201);
  assert.is(created.body.state, 'draft');
  assert.equal(created.body.nextActions, ['edit', 'submit']);
  const id = created.body.id as string;

  assert.is((await specialist.post(`/api/documents/${id}/actions/submit`)).body.state, 'submitted');
  const noComment = await leader.post(`/api/documents/${id}/actions/return`, {});
  assert.is(noComment.status, 400, 'returning needs a comment');
  const returned = await leader.post(`/api/documents/${id}/actions/return`, { comment: 'Sửa căn cứ pháp lý' });
  assert.is(returned.body.state, 'returned');

  const edited = await specialist.put(`/api/documents/${id}`, { baseRev: returned.body.rev, content: sampleDraft({ body: 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;' }) });
  assert.is(edited.status, 200);
  assert.match(edited.body.content.body, /19 tháng 6 năm 2015/);
  assert.is((await specialist.post(`/api/documents/${id}/actions/submit`)).body.state, 'submitted');
  const approved = await leader.post(`/api/documents/${id}/actions/approve`, {});
  assert.is(approved.body.state, 'approved');
  assert.equal(approved.body.events.map((e: { action: string }) => e.action), ['create', 'submit', 'return', 'edit', 'submit', 'approve']);
});

test('the paper path ends issued: leader signs on paper, clerk numbers and issues with the scan', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const signed = await clerk.post(`/api/documents/${id}/actions/sign-paper`);
  assert.is(signed.body.state, 'signed');
  const stored = await ward.node.store.docs.get<{ sealed?: boolean }>(id);
  assert.is(stored.sealed, true, 'the signed content is sealed for the city');
  assert.is(signed.body.medium, 'paper');
  const numbered = await clerk.post(`/api/documents/${id}/actions/number`);
  assert.is(numbered.body.state, 'numbered');
  assert.match(numbered.body.numberAndSymbol, /^\d{2,}\/QĐ-UBND$/);

  const noScan = await clerk.post(`/api/documents/${id}/actions/issue`);
  assert.is(noScan.status, 400);
  assert.is(noScan.body.code, 'scan_required');
  assert.ok(noScan.body.message.vi.length > 0 && noScan.body.message.en.length > 0);

  const scan = await clerk.post('/api/blobs', tinyPdf, { 'content-type': 'application/pdf' });
  assert.is(scan.status, 201);
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  assert.is(issued.status, 200);
  assert.is(issued.body.state, 'issued');
  // This node has no city link: "Gửi" explains instead of marking the document sent.
  const send = await clerk.post(`/api/documents/${id}/actions/send`);
  assert.is(send.status, 409);
  assert.is(send.body.code, 'send_no_city');
  assert.match(send.body.message.vi, /^Chưa gửi: máy chủ phường chưa được kết nối với thành phố/);
  assert.is((await clerk.get(`/api/documents/${id}`)).body.state, 'issued', 'still issued, nothing written');
});

test('"Gửi" with a city link goes only when a recipient has an agency code; otherwise it says why and leaves the document issued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-send-'));
  const credentials = join(dir, 'city.json');
  writeFileSync(credentials, JSON.stringify({ ward: 'phuong-mau', db: 'ward-phuong-mau', username: 'ward-phuong-mau', password: 'not-a-real-city-password' }));
  // A city that is not there: "sent" means handed to the link, which delivers when it can.
  const linked = await startTestWard({ city: { url: 'http://127.0.0.1:9/', credentialsFile: credentials, intervalSeconds: 3600, backoffBaseSeconds: 3600 } });
  try {
    const [s, l, c] = [await official(linked, 'cv', 'specialist'), await official(linked, 'ld', 'leader'), await official(linked, 'vt', 'clerk')];
    const issue = async (recipients: unknown[]) => {
      const id = (await s.post('/api/documents/outgoing', sampleDraft({ recipients }))).body.id as string;
      await s.post(`/api/documents/${id}/actions/submit`);
      await l.post(`/api/documents/${id}/actions/approve`);
      await c.post(`/api/documents/${id}/actions/sign-paper`);
      await c.post(`/api/documents/${id}/actions/number`);
      const scan = await c.post('/api/blobs', tinyPdf, { 'content-type': 'application/pdf' });
      assert.is((await c.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } })).body.state, 'issued');
      return id;
    };
    const local = await issue([{ name: 'Tổ dân phố 5' }, { name: 'Lưu: VT' }]);
    const refused = await c.post(`/api/documents/${local}/actions/send`);
    assert.is(refused.status, 409);
    assert.is(refused.body.code, 'send_no_recipient');
    assert.match(refused.body.message.en, /no recipient has an agency code/);
    const agency = await issue([{ name: 'UBND Thành phố', agencyId: '000.00.00.H30' }, { name: 'Lưu: VT' }]);
    assert.is((await c.post(`/api/documents/${agency}/actions/send`)).body.state, 'sent');
  } finally {
    await linked.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('electronic signing needs a PIN and a ward CA on the node, so without them the path stops at approved', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const noPin = await leader.post(`/api/documents/${id}/actions/sign`, {});
  assert.is(noPin.status, 400);
  assert.is(noPin.body.code, 'invalid_input');
  const sign = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: '123456' } });
  assert.is(sign.status, 409);
  assert.is(sign.body.code, 'ca_missing');
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
});

test('a step by the wrong role or in the wrong state is refused with a bilingual message and writes nothing', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  const before = (await specialist.get(`/api/documents/${id}`)).body.events.length;
  const cases: [Client, string, number, string][] = [
    [leader, 'approve', 409, 'illegal_transition'],     // not submitted yet
    [other, 'submit', 403, 'wrong_role'],               // not the author
    [clerk, 'number', 409, 'illegal_transition'],       // not signed
    [specialist, 'approve', 409, 'illegal_transition'],
  ];
  for (const [client, action, status, code] of cases) {
    const r = await client.post(`/api/documents/${id}/actions/${action}`);
    assert.is(r.status, status, `${action}`);
    assert.is(r.body.code, code, `${action}`);
    assert.type(r.body.message.vi, 'string');
    assert.type(r.body.message.en, 'string');
  }
  await specialist.post(`/api/documents/${id}/actions/submit`);
  const wrongRole = await specialist.post(`/api/documents/${id}/actions/approve`);
  assert.is(wrongRole.status, 403);
  assert.is(wrongRole.body.code, 'wrong_role');
  const editAfterSubmit = await specialist.put(`/api/documents/${id}`, { content: sampleDraft() });
  assert.is(editAfterSubmit.status, 409);
  assert.is(editAfterSubmit.body.code, 'not_editable');
  assert.is((await specialist.get(`/api/documents/${id}`)).body.events.length, before + 1);
});

test('editing with a stale revision is refused rather than overwriting a newer save', async () => {
  const created = await specialist.post('/api/documents/outgoing', sampleDraft());
  const id = created.body.id as string;
  const first = await specialist.put(`/api/documents/${id}`, { baseRev: created.body.rev, content: sampleDraft({ subject: 'Lần sửa thứ nhất' }) });
  assert.is(first.status, 200);
  const stale = await specialist.put(`/api/documents/${id}`, { baseRev: created.body.rev, content: sampleDraft({ subject: 'Lần sửa cũ' }) });
  assert.is(stale.status, 409);
  assert.is(stale.body.code, 'stale_revision');
  assert.is((await specialist.get(`/api/documents/${id}`)).body.subject, 'Lần sửa thứ nhất');
});

test('a công văn gets agency plus unit as its symbol, and numbers run 01, 02… in the shared register', async () => {
  const numbers: string[] = [];
  for (const draft of [sampleDraft({ docType: 'CV', unitCode: 'VP', subject: 'V/v báo cáo tình hình' }), sampleDraft({ docType: 'TB', subject: 'Thông báo lịch họp' })]) {
    const id = (await specialist.post('/api/documents/outgoing', draft)).body.id as string;
    await specialist.post(`/api/documents/${id}/actions/submit`);
    await leader.post(`/api/documents/${id}/actions/approve`);
    await clerk.post(`/api/documents/${id}/actions/sign-paper`);
    numbers.push((await clerk.post(`/api/documents/${id}/actions/number`)).body.numberAndSymbol);
  }
  assert.match(numbers[0]!, /^\d\d\/UBND-VP$/);
  assert.match(numbers[1]!, /^\d\d\/TB-UBND$/);
  const [a, b] = numbers.map((n) => Number(n.split('/')[0]));
  assert.is(b, a! + 1);
});

test('a clerk registers a document signed on paper outside WardDesk, then numbers and issues it with its scan', async () => {
  const reg = await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: 'Giấy mời họp tổ dân phố', docType: 'GM' }));
  assert.is(reg.status, 201);
  assert.is(reg.body.state, 'signed');
  assert.is(reg.body.medium, 'paper');
  const notClerk = await specialist.post('/api/documents/outgoing/paper', sampleDraft());
  assert.is(notClerk.status, 403);
  await clerk.post(`/api/documents/${reg.body.id}/actions/number`);
  const scan = await clerk.post('/api/blobs', Buffer.concat([tinyPdf, Buffer.from('scan-2')]), { 'content-type': 'application/pdf' });
  const issued = await clerk.post(`/api/documents/${reg.body.id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  assert.is(issued.body.state, 'issued');
});

test('a draft stays with its author until submitted: others get 404 and do not see it in lists, as when it is returned', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Dự thảo riêng của chuyên viên' }))).body.id as string;
  for (const who of [other, leader, clerk]) {
    const read = await who.get(`/api/documents/${encodeURIComponent(id)}`);
    assert.is(read.status, 404, JSON.stringify(read.body));
    assert.is(read.body.code, 'document_not_found');
    assert.ok(read.body.message.vi.length > 0 && read.body.message.en.length > 0);
    const listed = await who.get('/api/documents?q=du%20thao%20rieng');
    assert.not.ok(listed.body.items.some((d: { id: string }) => d.id === id), 'listed to someone else');
  }
  assert.is((await specialist.get(`/api/documents/${encodeURIComponent(id)}`)).status, 200);
  assert.ok((await specialist.get('/api/documents?q=du%20thao%20rieng')).body.items.some((d: { id: string }) => d.id === id));
  await specialist.post(`/api/documents/${id}/actions/submit`);
  assert.is((await leader.get(`/api/documents/${encodeURIComponent(id)}`)).status, 200, 'the leader sees it once submitted');
  assert.ok((await leader.get('/api/documents?q=du%20thao%20rieng')).body.items.some((d: { id: string }) => d.id === id));
  await leader.post(`/api/documents/${id}/actions/return`, { comment: 'Viết lại' });
  assert.is((await other.get(`/api/documents/${encodeURIComponent(id)}`)).status, 404, 'returned: back on the author\'s desk');
});

test('the leader previews the draft as it will print before approving; others\' drafts stay hidden', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Về việc xem trước bản in' }))).body.id as string;
  assert.is((await fetch(`${ward.url}/api/documents/${id}/preview`, { headers: { cookie: leader.cookie } })).status, 404, 'an unsubmitted draft is the author\'s alone');
  const mine = await fetch(`${ward.url}/api/documents/${id}/preview`, { headers: { cookie: specialist.cookie } });
  assert.is(mine.status, 200);
  await specialist.post(`/api/documents/${id}/actions/submit`);
  const res = await fetch(`${ward.url}/api/documents/${id}/preview`, { headers: { cookie: leader.cookie } });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-preview-'));
  try {
    const file = join(dir, 'preview.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    assert.match(text, /Về việc xem trước bản in/);
    assert.match(text, /Số:/);
    assert.not.match(text, /Số:\s*\d/, 'the number is still blank');
    assert.match(spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout, /does not contain any signatures/, 'nothing signed');
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.is((await fetch(`${ward.url}/api/documents/doc:in:00000000-0000-0000-0000-000000000000/preview`, { headers: { cookie: leader.cookie } })).status, 404);
});

test.run();
