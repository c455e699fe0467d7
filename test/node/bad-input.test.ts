import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { official, sampleDraft, startTestWard, type Client, type Reply, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let specialist: Client, clerk: Client;
let draftId: string;

test.before(async () => {
  ward = await startTestWard();
  specialist = await official(ward, 'chuyenvien', 'specialist');
  clerk = await official(ward, 'vanthu', 'clerk');
  draftId = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id;
});
test.after(async () => { await ward.stop(); });

function assertClear4xx(r: Reply, status: number, code?: string, label = '') {
  assert.is(r.status, status, `${label}: ${JSON.stringify(r.body)}`);
  assert.is(r.body.status, 'error', label);
  if (code) assert.is(r.body.code, code, label);
  assert.ok(r.body.message.vi.length > 5 && r.body.message.en.length > 5, `${label}: both languages`);
  assert.not.match(JSON.stringify(r.body), /at .*\.ts:|stack|Error:/, `${label}: no internals`);
}

async function docCount(): Promise<number> { return (await ward.node.store.docs.info()).doc_count; }

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });

test('malformed, oversized, mistyped and unknown-field bodies get a clear 4xx and write nothing', async () => {
  const before = await docCount();
  const raw = (body: string, type = 'application/json') => specialist.request('POST', '/api/documents/outgoing', body, { 'content-type': type });
  assertClear4xx(await raw('{"docType": "QĐ", '), 400, 'bad_json', 'truncated JSON');
  assertClear4xx(await raw('"just a string"'), 400, 'bad_json', 'non-object JSON');
  assertClear4xx(await raw('docType=QĐ', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type', 'form body');
  assertClear4xx(await raw(JSON.stringify({ ...sampleDraft(), body: 'x'.repeat(1_100_000) })), 413, 'body_too_large', 'huge body');
  const cases: [string, unknown, string][] = [
    ['missing subject', { docType: 'QĐ' }, 'subject'],
    ['unknown field', { ...sampleDraft(), number: 12 }, 'number'],
    ['wrong type', { ...sampleDraft(), subject: 42 }, 'subject'],
    ['unknown document type', { ...sampleDraft(), docType: 'XX' }, 'docType'],
    ['blank subject', { ...sampleDraft(), subject: '   ' }, 'subject'],
    ['deep nesting', { ...sampleDraft(), recipients: [deep(200)] }, 'recipients'],
    ['array instead of object', [sampleDraft()], '(body)'],
    ['null', null, '(body)'],
    ['path traversal in attachment name', { ...sampleDraft(), attachments: [{ name: '../../etc/passwd', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) }] }, 'attachments'],
    ['attachment not uploaded', { ...sampleDraft(), attachments: [{ name: 'phu-luc.pdf', contentType: 'application/pdf', size: 10, sha256: 'b'.repeat(64) }] }, 'attachments'],
    ['prototype pollution key', JSON.parse(`{"__proto__": {"admin": true}, "docType": "QĐ", "subject": "x"}`), '(body)'],
  ];
  for (const [label, body, path] of cases) {
    const r = await specialist.post('/api/documents/outgoing', body);
    assert.ok(r.status === 400 || r.status === 404, `${label}: ${r.status}`);
    assertClear4xx(r, r.status, undefined, label);
    if (path !== '(body)') assert.ok((r.body.details ?? []).some((d: { path: string }) => d.path.startsWith(path)), `${label} names ${path}: ${JSON.stringify(r.body.details)}`);
  }
  assert.is(await docCount(), before, 'nothing was written');
});

test('a title with HTML or script is stored as text, never interpreted', async () => {
  const r = await specialist.post('/api/documents/outgoing', sampleDraft({ subject: '<img src=x onerror=alert(1)> Quyết định' }));
  assert.is(r.status, 201);
  assert.is(r.headers.get('content-type')?.startsWith('application/json'), true);
  assert.is(r.body.subject, '<img src=x onerror=alert(1)> Quyết định');
});

test('bad actions, ids and query strings are refused clearly', async () => {
  const before = await docCount();
  assertClear4xx(await specialist.post(`/api/documents/${draftId}/actions/teleport`), 409, 'illegal_transition', 'unknown action');
  assertClear4xx(await specialist.post(`/api/documents/${draftId}/actions/create`), 409, 'illegal_transition', 'create as a step');
  assertClear4xx(await specialist.post('/api/documents/..%2F..%2Fsecrets/actions/submit'), 404, 'document_not_found', 'traversal id');
  assertClear4xx(await specialist.get('/api/documents/doc:out:00000000-0000-0000-0000-000000000000'), 404, 'document_not_found', 'missing doc');
  assertClear4xx(await specialist.post(`/api/documents/${draftId}/actions/submit`, { data: { extra: 1 } }), 400, 'invalid_input', 'unexpected step data');
  assertClear4xx(await specialist.post(`/api/documents/${draftId}/actions/submit`, { comment: 5 }), 400, 'invalid_input', 'comment type');
  assertClear4xx(await specialist.get('/api/documents?limit=100000'), 400, 'invalid_input', 'limit too big');
  assertClear4xx(await specialist.get('/api/documents?state=flying'), 400, 'invalid_input', 'unknown state');
  assertClear4xx(await specialist.get('/api/documents?q=a&q=b'), 400, 'invalid_input', 'repeated parameter');
  assertClear4xx(await specialist.get('/api/documents?colour=red'), 400, 'invalid_input', 'unknown parameter');
  assertClear4xx(await specialist.get('/api/nowhere'), 404, 'not_found', 'unknown route');
  assert.is(await docCount(), before);
});

test('uploads must be what they claim: type allowed, magic bytes right, size bounded', async () => {
  const before = await docCount();
  assertClear4xx(await clerk.post('/api/blobs', Buffer.from('MZ\x90\x00 not a pdf'), { 'content-type': 'application/pdf' }), 400, 'bad_attachment', 'exe as pdf');
  assertClear4xx(await clerk.post('/api/blobs', Buffer.from('hello'), { 'content-type': 'text/html' }), 415, 'unsupported_media_type', 'html');
  assertClear4xx(await clerk.post('/api/blobs', Buffer.alloc(0), { 'content-type': 'application/pdf' }), 400, 'bad_attachment', 'empty');
  assertClear4xx(await clerk.get('/api/blobs/..%2F..%2Fetc%2Fpasswd'), 404, 'attachment_not_found', 'traversal');
  assert.is(await docCount(), before);
});

test('user administration validates too', async () => {
  const cases: [unknown, number][] = [
    [{ username: 'Bad Name', fullName: 'X', role: 'clerk', password: 'long-enough-pw' }, 400],
    [{ username: 'okname', fullName: 'X', role: 'superuser', password: 'long-enough-pw' }, 400],
    [{ username: 'okname', fullName: 'X', role: 'clerk', password: 'short' }, 400],
    [{ username: 'chuyenvien', fullName: 'X', role: 'clerk', password: 'long-enough-pw' }, 409],
  ];
  for (const [body, status] of cases) assertClear4xx(await ward.admin.post('/api/users', body), status, undefined, JSON.stringify(body));
  assertClear4xx(await ward.admin.request('PATCH', '/api/users/nobody', { active: false }), 404, 'user_not_found', 'patch missing user');
});

test.run();
