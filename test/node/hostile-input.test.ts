// Issue 15's inputs and leaks on a real ward node over loopback: a PIN sent
// with a paper issue, control and bidi-override characters, a 100 KB query
// string, files that only start like a PDF or PNG, anonymous health checks,
// file downloads and older revisions of another official's draft.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { eventData } from '../../sync/action-data.js';
import type { Action } from '../../sync/schema.js';
import { onePagePdf, smallJpeg, smallPng } from '../helpers/files.js';
import { official, sampleDraft, startTestWard, type Client, type Reply, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let specialist: Client, other: Client, leader: Client, clerk: Client;

test.before(async () => {
  ward = await startTestWard();
  specialist = await official(ward, 'chuyenvien', 'specialist');
  other = await official(ward, 'chuyenvien2', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader');
  clerk = await official(ward, 'vanthu', 'clerk');
});
test.after(async () => { await ward.stop(); });

function assertClear4xx(r: Reply, status: number, code: string, label: string) {
  assert.is(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
  assert.is(r.body?.status, 'error', label);
  assert.is(r.body.code, code, label);
  assert.ok(r.body.message.vi.length > 5 && r.body.message.en.length > 5, `${label}: both languages`);
}

async function docCount(): Promise<number> { return (await ward.node.store.docs.info()).doc_count; }

test('a PIN sent with a paper document\'s issue step is refused as an unknown field in both languages, and nothing is written', async () => {
  const id = (await clerk.post('/api/documents/outgoing/paper', sampleDraft({ docType: 'GM', subject: 'Giấy mời họp' }))).body.id;
  await clerk.post(`/api/documents/${id}/actions/number`);
  const scan = await clerk.post('/api/blobs', onePagePdf('paper scan'), { 'content-type': 'application/pdf' });
  const before = await docCount();
  const r = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256, pin: '654321' } });
  assertClear4xx(r, 400, 'invalid_input', 'pin on paper');
  assert.equal(r.body.details, [{ path: 'data.pin', vi: 'Không chấp nhận trường: pin.', en: 'Unknown field(s): pin.' }]);
  assert.is(await docCount(), before, 'nothing written');
  const extra = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256, password: 'x' } });
  assertClear4xx(extra, 400, 'invalid_input', 'password on paper');
  assert.is((await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } })).status, 200);
});

test('every event a workflow writes fits its step\'s stored schema, and steps that take nothing refuse any data', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id;
  const refused = await specialist.post(`/api/documents/${id}/actions/submit`, { data: { token: 'abc' } });
  assertClear4xx(refused, 400, 'invalid_input', 'data on submit');
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  await clerk.post(`/api/documents/${id}/actions/sign-paper`);
  await clerk.post(`/api/documents/${id}/actions/number`);
  const scan = await clerk.post('/api/blobs', onePagePdf('scan 2'), { 'content-type': 'application/pdf' });
  await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  const events = (await ward.node.store.docs.allDocs({ startkey: 'ev:', endkey: 'ev:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as { _id: string; action: Action; data: unknown });
  assert.ok(events.length >= 8);
  for (const e of events) assert.ok(eventData(e.action).safeParse(e.data).success, `${e._id} ${e.action}: ${JSON.stringify(e.data)}`);
});

test('NUL, terminal escapes and right-to-left overrides are refused in subjects, names and comments with a clear message; line breaks in the body are kept', async () => {
  const before = await docCount();
  const cases: [string, Record<string, unknown>, string][] = [
    ['NUL in the subject', sampleDraft({ subject: 'Quyết định\u0000 xóa' }), 'subject'],
    ['an escape in the subject', sampleDraft({ subject: 'Quyết định \u001b[2J\u001b[31mđỏ' }), 'subject'],
    ['a right-to-left override in the subject', sampleDraft({ subject: 'hoa-don-\u202Efdp.exe' }), 'subject'],
    ['an isolate in a recipient', sampleDraft({ recipients: [{ name: 'UBND \u2067phường' }] }), 'recipients.0.name'],
    ['a C1 control in the signer', sampleDraft({ signerName: 'Nguyễn\u0085Văn An' }), 'signerName'],
    ['an escape in the body', sampleDraft({ body: 'Dòng 1\n\u001b]0;pwned\u0007' }), 'body'],
  ];
  for (const [label, draft, path] of cases) {
    const r = await specialist.post('/api/documents/outgoing', draft);
    assertClear4xx(r, 400, 'invalid_input', label);
    const problem = r.body.details.find((d: { path: string }) => d.path === path);
    assert.ok(problem, `${label}: ${JSON.stringify(r.body.details)}`);
    assert.match(problem.vi, /ký tự điều khiển/);
    assert.match(problem.en, /control or text-direction override/);
  }
  const arrival = { senderName: 'UBND\u0000 Thành phố', originalSymbol: '15/QĐ-UBND', originalDate: '2026-03-01', docType: 'QĐ', subject: 'Kiểm tra' };
  assertClear4xx(await clerk.post('/api/documents/incoming', arrival), 400, 'invalid_input', 'NUL in a sender');
  assert.is(await docCount(), before, 'nothing written');
  const ok = await specialist.post('/api/documents/outgoing', sampleDraft({ body: 'Căn cứ Luật;\r\n\tXét đề nghị.' }));
  assert.is(ok.status, 201, JSON.stringify(ok.body));
  const comment = await specialist.post(`/api/documents/${ok.body.id}/actions/submit`, { comment: 'Kính trình \u202Eanh' });
  assertClear4xx(comment, 400, 'invalid_input', 'override in a comment');
});

test('NUL, terminal escapes and right-to-left overrides are refused in officials\' names and titles, on creation and on change, with a clear message; nothing is written', async () => {
  const before = await docCount();
  const cases: [string, Record<string, unknown>, string][] = [
    ['NUL in a name', { fullName: 'Nguyễn\u0000 Văn A' }, 'fullName'],
    ['an escape in a name', { fullName: 'Trần \u001b[31mB' }, 'fullName'],
    ['a right-to-left override in a name', { fullName: 'Lê \u202Enimda' }, 'fullName'],
    ['an isolate in a title', { title: 'Phó \u2066Chủ tịch' }, 'title'],
  ];
  for (const [label, patch, path] of cases) {
    const created = await ward.admin.post('/api/users', { username: 'canbo-moi', fullName: 'Cán bộ mới', title: '', role: 'specialist', password: 'mat-khau-dai-123', ...patch });
    const changed = await ward.admin.request('PATCH', '/api/users/chuyenvien', patch);
    for (const [how, r] of [['create', created], ['change', changed]] as const) {
      assertClear4xx(r, 400, 'invalid_input', `${label} (${how})`);
      const problem = r.body.details.find((d: { path: string }) => d.path === path);
      assert.ok(problem, `${label} (${how}): ${JSON.stringify(r.body.details)}`);
      assert.match(problem.vi, /ký tự điều khiển/);
      assert.match(problem.en, /control or text-direction override/);
    }
  }
  assert.is(await docCount(), before, 'nothing written');
  assert.is((await ward.admin.get('/api/users')).body.items.find((u: { username: string }) => u.username === 'chuyenvien').fullName, 'chuyenvien');
  assert.is((await ward.admin.request('PATCH', '/api/users/chuyenvien', { fullName: 'Nguyễn Thị Hòa', title: 'Chuyên viên' })).status, 200, 'a plain Vietnamese name is fine');
});

test('a 100 KB query string gets 431 with the standard error body in both languages', async () => {
  const r = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(`${ward.url}/api/documents?q=${'a'.repeat(100_000)}`, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.is(r.status, 431);
  assert.match(r.type, /application\/json/);
  const body = JSON.parse(r.body);
  assert.is(body.status, 'error');
  assert.is(body.code, 'headers_too_large');
  assert.ok(body.message.vi.length > 5 && body.message.en.length > 5);
  assert.is((await ward.admin.get('/api/health')).status, 200, 'the node goes on');
});

test('anonymous callers of /api/health learn only that the node is alive: no ward code, no document count', async () => {
  const r = await fetch(`${ward.url}/api/health`);
  assert.is(r.status, 200);
  assert.equal(await r.json(), { ok: true });
  assert.equal((await clerk.get('/api/health')).body, { ok: true }, 'an official who is not admin gets liveness only');
  assert.equal(await (await fetch(`${ward.url}/api/health`, { headers: { cookie: 'wd_session=forged-token' } })).json(), { ok: true });
});

test('an admin\'s /api/health adds how full the data disk is, with no warning below 90 %', async () => {
  const r = await ward.admin.get('/api/health');
  assert.is(r.status, 200);
  assert.is(r.body.ok, true);
  const disk = r.body.disk;
  assert.ok(disk.totalBytes > 0 && disk.freeBytes > 0 && disk.usedPercent >= 0 && disk.usedPercent <= 100, JSON.stringify(disk));
  assert.is(disk.warning, disk.usedPercent >= 90);
  if (!disk.warning) assert.is(disk.message, undefined);
  assert.is(r.body.writesRefusedDiskFull, false);
});

test('files that only start like a PDF, PNG or JPEG are refused with a clear 4xx; real ones are stored', async () => {
  const before = await docCount();
  const up = (bytes: Buffer, type: string) => clerk.post('/api/blobs', bytes, { 'content-type': type });
  assertClear4xx(await up(smallPng().subarray(0, 8), 'image/png'), 422, 'file_unreadable', 'an 8-byte PNG');
  assertClear4xx(await up(smallPng().subarray(0, 60), 'image/png'), 422, 'file_unreadable', 'a cut PNG');
  assertClear4xx(await up(Buffer.from('%PDF-1.7\n<!doctype html><html><body><script>alert(1)</script></body></html>\n%%EOF\n'), 'application/pdf'), 422, 'file_unreadable', '%PDF- then HTML');
  assertClear4xx(await up(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), 'image/jpeg'), 422, 'file_unreadable', 'a JPEG header alone');
  const refused = await up(smallPng().subarray(0, 8), 'image/png');
  assert.match(refused.body.details[0].en, /claims to be a PNG/);
  assert.is(await docCount(), before, 'nothing written');
  for (const [bytes, type] of [[onePagePdf('real scan'), 'application/pdf'], [smallPng(3), 'image/png'], [smallJpeg(3), 'image/jpeg']] as const) {
    const r = await up(bytes, type);
    assert.is(r.status, 201, `${type}: ${JSON.stringify(r.body)}`);
  }
});

test('a signature image that only starts like a PNG is refused', async () => {
  const r = await leader.request('PUT', '/api/me/signature-image', smallPng().subarray(0, 8), { 'content-type': 'image/png' });
  assertClear4xx(r, 422, 'file_unreadable', '8-byte signature');
});

test('a file attached to another official\'s private draft cannot be downloaded by its hash until the draft is submitted', async () => {
  const file = onePagePdf('private annex of a draft');
  const meta = (await specialist.post('/api/blobs', file, { 'content-type': 'application/pdf' })).body;
  assert.is((await specialist.get(`/api/blobs/${meta.sha256}`)).status, 200, 'its uploader may read it before attaching it');
  const draft = await specialist.post('/api/documents/outgoing', sampleDraft({ attachments: [{ name: 'phu-luc.pdf', contentType: 'application/pdf', size: file.length, sha256: meta.sha256 }] }));
  assert.is(draft.status, 201);
  for (const [who, client] of [['another specialist', other], ['the leader', leader], ['the clerk', clerk], ['the admin', ward.admin]] as const) {
    assertClear4xx(await client.get(`/api/blobs/${meta.sha256}`), 404, 'attachment_not_found', who);
  }
  assert.is((await specialist.get(`/api/blobs/${meta.sha256}`)).status, 200, 'the author reads it');
  await specialist.post(`/api/documents/${draft.body.id}/actions/submit`);
  assert.is((await leader.get(`/api/blobs/${meta.sha256}`)).status, 200, 'the leader reads it once submitted');
});

test('a draft\'s deleted text stays private after submit: older revisions are refused to others on every replication route, not to the author', async () => {
  const created = await specialist.post('/api/documents/outgoing', sampleDraft({ body: 'Ghi chú riêng: đừng gửi bản này cho lãnh đạo.' }));
  const id = created.body.id as string;
  const first = created.body.rev as string;
  const edited = await specialist.put(`/api/documents/${id}`, { content: sampleDraft({ body: 'Văn bản đã sửa.' }), baseRev: first });
  assert.is(edited.status, 200, JSON.stringify(edited.body));
  await specialist.post(`/api/documents/${id}/actions/submit`);
  const path = `/api/replicate/${encodeURIComponent(id)}`;
  const current = await leader.get(path);
  assert.is(current.status, 200, 'the current revision is the leader\'s to read');
  assert.not.ok(JSON.stringify(current.body).includes('Ghi chú riêng'));
  assertClear4xx(await leader.get(`${path}?rev=${first}`), 404, 'not_found', '?rev=older');
  const open = await leader.get(`${path}?open_revs=${encodeURIComponent(JSON.stringify([first]))}`);
  assert.is(open.status, 200);
  assert.equal(open.body, [{ missing: first }]);
  const bulk = await leader.post('/api/replicate/_bulk_get', { docs: [{ id, rev: first }] });
  assert.is(bulk.status, 200);
  assert.not.ok(JSON.stringify(bulk.body).includes('Ghi chú riêng'), JSON.stringify(bulk.body));
  assert.ok(bulk.body.results[0].docs[0].error, 'an error entry');
  const own = await specialist.get(`${path}?rev=${first}`);
  assert.is(own.status, 200, 'the author still reads her own history');
  assert.ok(JSON.stringify(own.body).includes('Ghi chú riêng'));
});

test.run();
