import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';

let ward: TestWard;
let specialist: Client, leader: Client, clerk: Client;

const arrival = (o: Record<string, unknown> = {}) => ({
  senderName: 'UBND Quận Mẫu', senderAgencyId: '000.00.00.H30', originalSymbol: '123/UBND-VP', originalDate: '2026-11-20',
  docType: 'CV', subject: 'Về việc triển khai tiêm chủng mở rộng', ...o,
});

test.before(async () => {
  ward = await startTestWard();
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'chutich', 'leader');
  clerk = await official(ward, 'vanthu', 'clerk');
});
test.after(async () => { await ward.stop(); });

test('an incoming document goes arrived → registered → assigned → in progress → done with Decision 28 status codes', async () => {
  const arrived = await clerk.post('/api/documents/incoming', arrival());
  assert.is(arrived.status, 201);
  assert.is(arrived.body.exchangeStatus, '01');
  const id = arrived.body.id as string;
  const registered = await clerk.post(`/api/documents/${id}/actions/register`);
  assert.is(registered.body.exchangeStatus, '03');
  assert.match(registered.body.number, /^\d\d+$/);
  const badHandler = await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'nobody' } });
  assert.is(badHandler.status, 400);
  const assigned = await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'chuyenvien' } });
  assert.is(assigned.body.state, 'assigned');
  assert.is(assigned.body.handler, 'chuyenvien');
  assert.is((await clerk.post(`/api/documents/${id}/actions/start`)).status, 403, 'only the handler starts');
  assert.is((await specialist.post(`/api/documents/${id}/actions/start`)).body.exchangeStatus, '05');
  const done = await specialist.post(`/api/documents/${id}/actions/done`, { comment: 'Đã triển khai' });
  assert.is(done.body.exchangeStatus, '06');
  const mine = await specialist.get('/api/documents?handler=chuyenvien&direction=incoming');
  assert.ok(mine.body.items.some((d: { id: string }) => d.id === id));
});

test('the leader picks the handler from the ward\'s officials and sets a hạn xử lý; it shows on the handler\'s tasks; a past day is refused', async () => {
  const picker = await leader.get('/api/handlers');
  assert.is(picker.status, 200);
  const names = (picker.body.items as { username: string; role: string }[]).map((u) => u.username).sort();
  assert.equal(names, ['chutich', 'chuyenvien', 'vanthu'], 'active officials, no admin');
  assert.is((await specialist.get('/api/handlers')).status, 403, 'a specialist assigns nothing');
  const id = (await clerk.post('/api/documents/incoming', arrival({ subject: 'Về việc rà soát hộ cận nghèo' }))).body.id as string;
  await clerk.post(`/api/documents/${id}/actions/register`);
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  const past = new Date(Date.now() + 7 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  const refused = await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'chuyenvien', deadline: past } });
  assert.is(refused.status, 400);
  assert.match(refused.body.details[0].vi, /Hạn xử lý không được trước ngày hôm nay/);
  assert.is((await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'chuyenvien', deadline: '2026-02-30' } })).status, 400, 'not a calendar day');
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'registered', 'nothing written by the refusals');
  const assigned = await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'chuyenvien', deadline: today } });
  assert.is(assigned.status, 200, JSON.stringify(assigned.body));
  assert.is(assigned.body.deadline, today);
  const mine = await specialist.get('/api/documents?handler=chuyenvien&state=assigned');
  assert.is(mine.body.items.find((d: { id: string }) => d.id === id)?.deadline, today);
  const reassigned = await leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'vanthu' } });
  assert.is(reassigned.body.deadline, null, 'a new assignment without a deadline clears the old one');
});

test('a paper arrival shows as paper, and a file downloads under its own name with its real extension', async () => {
  const scan = await clerk.request('POST', '/api/blobs', onePagePdf('Công văn 123'), { 'content-type': 'application/pdf' });
  assert.is(scan.status, 201);
  const sha = scan.body.sha256 as string;
  const arrived = await clerk.post('/api/documents/incoming', arrival({ medium: 'paper', attachments: [{ name: 'Công văn 123.pdf', contentType: 'application/pdf', size: scan.body.size, sha256: sha }] }));
  assert.is(arrived.body.medium, 'paper');
  const dl = await fetch(`${ward.url}/api/blobs/${sha}?name=${encodeURIComponent('Công văn 123/UBND.pdf')}`, { headers: { cookie: clerk.cookie } });
  assert.is(dl.status, 200);
  const disposition = dl.headers.get('content-disposition')!;
  assert.match(disposition, /filename="Cong van 123-UBND\.pdf"/);
  assert.match(disposition, /filename\*=UTF-8''C%C3%B4ng%20v%C4%83n%20123-UBND\.pdf/);
  const bare = await fetch(`${ward.url}/api/blobs/${sha}`, { headers: { cookie: clerk.cookie } });
  assert.match(bare.headers.get('content-disposition')!, new RegExp(`filename="${sha.slice(0, 12)}\\.pdf"`), 'no name asked: still an extension');
});

test('refusing an arrival needs a reason and ends in status 02', async () => {
  const id = (await clerk.post('/api/documents/incoming', arrival({ subject: 'Gửi nhầm đơn vị' }))).body.id as string;
  assert.is((await clerk.post(`/api/documents/${id}/actions/refuse`)).status, 400);
  const refused = await clerk.post(`/api/documents/${id}/actions/refuse`, { comment: 'Gửi nhầm địa chỉ' });
  assert.is(refused.body.exchangeStatus, '02');
  assert.is((await clerk.post(`/api/documents/${id}/actions/register`)).status, 409);
});

test('incoming numbers have their own yearly run, separate from outgoing', async () => {
  const nums: number[] = [];
  for (let i = 0; i < 3; i++) {
    const id = (await clerk.post('/api/documents/incoming', arrival({ subject: `Văn bản đến ${i}` }))).body.id as string;
    nums.push(Number((await clerk.post(`/api/documents/${id}/actions/register`)).body.number));
  }
  assert.equal(nums, [nums[0]!, nums[0]! + 1, nums[0]! + 2]);
});

test('search is accent-insensitive: "quyet dinh ve viec" finds "Quyết định về việc"', async () => {
  await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Quyết định về việc thành lập tổ công tác đô thị văn minh' }));
  await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Báo cáo kết quả thu ngân sách', docType: 'BC' }));
  const r = await specialist.get(`/api/documents?q=${encodeURIComponent('quyet dinh ve viec thanh lap')}`);
  assert.is(r.status, 200);
  assert.is(r.body.total, 1);
  assert.is(r.body.items[0].subject, 'Quyết định về việc thành lập tổ công tác đô thị văn minh');
  const dWithStroke = await specialist.get(`/api/documents?q=${encodeURIComponent('do thi van minh')}`);
  assert.is(dWithStroke.body.total, 1, 'đ folds to d');
  const accented = await specialist.get(`/api/documents?q=${encodeURIComponent('ngân sách')}`);
  assert.is(accented.body.items[0].subject, 'Báo cáo kết quả thu ngân sách');
  const prefix = await specialist.get(`/api/documents?q=${encodeURIComponent('tiem chu')}`);
  assert.ok(prefix.body.total >= 1, 'the last word matches as a prefix while typing');
});

test('an accented query narrows to accented matches ("dời" does not find "đổi"); the same words without marks find both', async () => {
  await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Về việc dời lịch tiếp công dân định kỳ' }));
  await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'Về việc đổi lịch tiếp công dân định kỳ' }));
  const subjects = async (q: string) => {
    const r = await specialist.get(`/api/documents?q=${encodeURIComponent(q)}`);
    assert.is(r.status, 200);
    return (r.body.items as { subject: string }[]).map((d) => d.subject).sort();
  };
  assert.equal(await subjects('dời lịch tiếp'), ['Về việc dời lịch tiếp công dân định kỳ']);
  assert.equal(await subjects('đổi lịch tiếp'), ['Về việc đổi lịch tiếp công dân định kỳ']);
  assert.equal(await subjects('doi lich tiep'), ['Về việc dời lịch tiếp công dân định kỳ', 'Về việc đổi lịch tiếp công dân định kỳ']);
  assert.equal(await subjects('lich tiep cong dân'), ['Về việc dời lịch tiếp công dân định kỳ', 'Về việc đổi lịch tiếp công dân định kỳ'], 'mixed: only the accented word narrows');
  assert.equal(await subjects('tiếp công dời'), ['Về việc dời lịch tiếp công dân định kỳ'], 'the last accented word matches as a prefix while typing');
  assert.equal(await subjects('DỜI LỊCH'), ['Về việc dời lịch tiếp công dân định kỳ'], 'upper case is the same word');
  assert.equal(await subjects('dời lịch'.normalize('NFD')), ['Về việc dời lịch tiếp công dân định kỳ'], 'marks typed decomposed (macOS, some phones) mean the same');
});

test('filters by type, state, number and date range', async () => {
  const id = (await clerk.post('/api/documents/outgoing/paper', sampleDraft({ docType: 'KH', subject: 'Kế hoạch phòng chống lụt bão' }))).body.id as string;
  const numbered = await clerk.post(`/api/documents/${id}/actions/number`);
  const number = numbered.body.number as string;
  const byType = await clerk.get('/api/documents?docType=KH');
  assert.equal(byType.body.items.map((d: { id: string }) => d.id), [id]);
  const byState = await clerk.get('/api/documents?state=numbered&direction=outgoing');
  assert.ok(byState.body.items.every((d: { state: string }) => d.state === 'numbered'));
  const byNumber = await clerk.get(`/api/documents?number=${encodeURIComponent(numbered.body.numberAndSymbol)}`);
  assert.equal(byNumber.body.items.map((d: { id: string }) => d.id), [id]);
  const byBareNumber = await clerk.get(`/api/documents?number=${Number(number)}&docType=KH`);
  assert.is(byBareNumber.body.total, 1);
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  assert.ok((await clerk.get(`/api/documents?from=${today}&to=${today}&docType=KH`)).body.total === 1);
  assert.is((await clerk.get('/api/documents?from=2001-01-01&to=2001-12-31')).body.total, 0);
  const badDate = await clerk.get('/api/documents?from=2026-13-45');
  assert.is(badDate.status, 400);
  assert.is(badDate.body.code, 'invalid_input');
});

test('the document list survives a restart: state is rebuilt from events on disk', async () => {
  const before = await clerk.get('/api/documents?limit=200');
  const dataDir = ward.dataDir;
  await ward.node.close();
  const { startTestWard: restart } = await import('../helpers/ward.js');
  const again = await restart({}, dataDir);
  const admin = again.admin;
  const after = await admin.get('/api/documents?limit=200');
  assert.is(after.body.total, before.body.total);
  assert.equal(after.body.items.map((d: { id: string; state: string }) => `${d.id}:${d.state}`).sort(), before.body.items.map((d: { id: string; state: string }) => `${d.id}:${d.state}`).sort());
  ward = { ...again, stop: async () => { await again.node.close(); (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true }); } };
});

test.run();
