// The city's write rules as pure functions, and the same rules as the bundled
// validate_doc_update evaluated in a bare JavaScript context (no Node globals),
// as CouchDB's couchjs would run it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createContext, runInContext } from 'node:vm';
import { checkWrite } from '../../sync/write-rules.js';
import { validateDocUpdateSource } from '../../sync/validate-doc-update.js';

const WARD = 'phuc-xa';
const ward = { name: 'ward-phuc-xa', roles: [] };
const other = { name: 'ward-cong-vi', roles: [] };
const city = { name: 'cityadmin', roles: ['_admin'] };
const sha = 'a'.repeat(64);

const record = (over: Record<string, unknown> = {}) => ({
  _id: 'doc:out:0123456789abcdef', type: 'document', ward: WARD, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien',
  content: { docType: 'QĐ', subject: 'Quyết định về việc thử nghiệm', body: '', signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'A', recipients: [], attachments: [] },
  ...over,
});
const event = (over: Record<string, unknown> = {}) => ({
  _id: 'ev:out:0123456789abcdef:001772416800000', type: 'event', ward: WARD, docId: 'doc:out:0123456789abcdef', action: 'submit',
  at: '2026-03-02T09:00:00+07:00', actor: { user: 'chuyenvien', role: 'specialist', device: '' }, data: {}, ...over,
});
const numberEvent = (n: number, over: Record<string, unknown> = {}) => event({
  _id: `ev:num:out:2026:chung:${String(n).padStart(6, '0')}`, action: 'number', actor: { user: 'vanthu', role: 'clerk', device: '' },
  data: { registerKey: 'out:2026:chung', number: n, numberText: '05', symbol: 'QĐ-UBND', year: 2026 }, ...over,
});
const blob = (over: Record<string, unknown> = {}) => ({
  _id: `blob:${sha}`, type: 'blob', contentType: 'application/pdf', size: 5, sha256: sha,
  _attachments: { data: { content_type: 'application/pdf', length: 5, stub: true } }, ...over,
});
const refused = (v: ReturnType<typeof checkWrite>, pattern: RegExp) => { assert.equal(v.ok, false); if (!v.ok) assert.match(v.forbidden, pattern); };

test('accepts a ward writing its own documents, events, files, profiles and audit entries', () => {
  assert.equal(checkWrite(record(), null, ward, WARD), { ok: true });
  assert.equal(checkWrite(event(), null, ward, WARD), { ok: true });
  assert.equal(checkWrite(numberEvent(5), null, ward, WARD), { ok: true });
  assert.equal(checkWrite(blob(), null, ward, WARD), { ok: true });
  assert.equal(checkWrite({ _id: 'user:vanthu', type: 'user', username: 'vanthu', fullName: 'Văn thư', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00' }, null, ward, WARD), { ok: true });
  assert.equal(checkWrite({ _id: 'audit:000000000001', type: 'audit', seq: 1, at: '2026-03-02T02:00:00.000Z', actor: { user: 'system', role: 'admin', device: 'boot' }, action: 'user.create', target: 'user:admin', writes: { 'user:admin': sha }, prev: '0'.repeat(64), hash: sha }, null, ward, WARD), { ok: true });
  // A draft may be edited while not sealed; replication metadata is ignored.
  assert.equal(checkWrite({ ...record(), _rev: '2-x', _revisions: { start: 2, ids: ['x', 'y'] } }, record({ _rev: '1-y' }), ward, WARD), { ok: true });
});

test('refuses documents of another ward and writes by another ward\'s user', () => {
  refused(checkWrite(record({ ward: 'cong-vi' }), null, ward, WARD), /belongs to ward cong-vi/);
  refused(checkWrite(event({ ward: 'cong-vi' }), null, ward, WARD), /belongs to ward cong-vi/);
  refused(checkWrite(record(), null, other, WARD), /does not write for ward phuc-xa/);
});

test('events and numbering events are written once and never changed or deleted', () => {
  refused(checkWrite(event({ comment: 'edited' }), event({ _rev: '1-a' }), ward, WARD), /written once/);
  refused(checkWrite(numberEvent(5), numberEvent(5, { _rev: '1-a' }), ward, WARD), /written once/);
  refused(checkWrite({ _id: event()._id, _deleted: true }, event({ _rev: '1-a' }), ward, WARD), /cannot be deleted/);
  refused(checkWrite(numberEvent(5, { data: { registerKey: 'out:2026:chung', number: 6 } }), null, ward, WARD), /another number/);
  refused(checkWrite(event({ _id: 'ev:out:ffffffffffffffff:1' }), null, ward, WARD), /does not belong/);
});

test('a signed or issued document can be neither changed nor deleted', () => {
  const sealed = record({ _rev: '3-a', sealed: true });
  refused(checkWrite({ ...record({ sealed: true }), content: { ...record().content, subject: 'Khác' } }, sealed, ward, WARD), /can no longer be changed/);
  refused(checkWrite(record(), sealed, ward, WARD), /can no longer be changed/);
  refused(checkWrite({ _id: sealed._id, _deleted: true }, sealed, ward, WARD), /cannot be deleted/);
  refused(checkWrite({ _id: sealed._id, _deleted: true }, sealed, city, WARD), /cannot be deleted/);
  refused(checkWrite(record({ createdBy: 'someone' }), record({ _rev: '1-a' }), ward, WARD), /createdBy cannot be changed/);
});

test('files are immutable and must match their id and declared attachment', () => {
  refused(checkWrite(blob(), blob({ _rev: '1-a' }), ward, WARD), /immutable/);
  refused(checkWrite(blob({ sha256: 'b'.repeat(64) }), null, ward, WARD), /id and sha-256 differ/);
  refused(checkWrite(blob({ _attachments: {} }), null, ward, WARD), /exactly one attachment/);
  refused(checkWrite(blob({ _attachments: { data: { content_type: 'application/pdf', length: 6 } } }), null, ward, WARD), /size differs/);
});

test('a chunked file lists as many chunks as its size needs and carries no attachment; a chunk is one attachment, once', () => {
  const chunked = (over: Record<string, unknown> = {}) => ({ _id: `blob:${sha}`, type: 'blob', contentType: 'application/pdf', size: 150_000, sha256: sha, chunkSize: 65_536, chunks: ['b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)], ...over });
  assert.equal(checkWrite(chunked(), null, ward, WARD), { ok: true });
  refused(checkWrite(chunked({ chunks: ['b'.repeat(64)] }), null, ward, WARD), /1 chunks do not make 150000 bytes/);
  refused(checkWrite(chunked({ _attachments: { data: { content_type: 'application/pdf', length: 5 } } }), null, ward, WARD), /may not carry attachments/);
  refused(checkWrite(chunked({ chunkSize: undefined }), null, ward, WARD), /needs both chunkSize and chunks/);
  const chunk = (over: Record<string, unknown> = {}) => ({ _id: `chunk:${'b'.repeat(64)}`, _attachments: { data: { content_type: 'application/octet-stream', length: 65_536, stub: true } }, ...over });
  assert.equal(checkWrite(chunk(), null, ward, WARD), { ok: true });
  assert.equal(checkWrite(chunk(), null, city, WARD), { ok: true }, 'the city sends files to wards too');
  refused(checkWrite(chunk(), chunk({ _rev: '1-a' }), ward, WARD), /immutable/);
  refused(checkWrite(chunk({ _id: 'chunk:xyz' }), null, ward, WARD), /chunk:<sha-256>/);
  refused(checkWrite(chunk({ size: 3 }), null, ward, WARD), /carries only its attachment/);
  refused(checkWrite(chunk({ _attachments: { data: { content_type: 'application/octet-stream', length: 2 * 1024 * 1024 } } }), null, ward, WARD), /not a chunk size/);
  refused(checkWrite(chunk({ _attachments: { data: { content_type: 'application/octet-stream', data: Buffer.alloc(2 * 1024 * 1024) } } }), null, ward, WARD), /not a chunk size/);
  refused(checkWrite(chunk({ _deleted: true }), chunk({ _rev: '1-a' }), ward, WARD), /cannot be deleted/);
  refused(checkWrite(chunk(), null, other, WARD), /does not write for ward/);
});

test('refuses secrets, unknown shapes and unknown kinds of document', () => {
  refused(checkWrite({ _id: 'user:vanthu', type: 'user', username: 'vanthu', fullName: 'V', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00', password: { hash: 'x' } }, null, ward, WARD), /wrong shape/);
  refused(checkWrite({ _id: 'cred:vanthu', password: 'x' }, null, ward, WARD), /does not belong/);
  refused(checkWrite({ _id: 'sess:abc', username: 'x' }, null, ward, WARD), /does not belong/);
  refused(checkWrite(record({ extra: 1 }), null, ward, WARD), /wrong shape/);
  refused(checkWrite({ _id: '_design/evil' }, null, ward, WARD), /administrator/);
});

test('only the city writes the inbox, and it must mark what it writes', () => {
  const incoming = record({ _id: 'doc:in:0123456789abcdef', direction: 'incoming', createdBy: 'city', origin: 'city', content: { senderName: 'UBND Thành phố', originalSymbol: '12/QĐ-UBND', originalDate: '2026-03-01', docType: 'QĐ', subject: 'Về việc X', attachments: [], medium: 'electronic' } });
  assert.equal(checkWrite(incoming, null, city, WARD), { ok: true });
  refused(checkWrite(incoming, null, ward, WARD), /only the city/);
  refused(checkWrite(record(), null, city, WARD), /must be marked origin/);
  refused(checkWrite(event({ actor: { user: 'x', role: 'city', device: '' } }), null, ward, WARD), /only the city acts/);
});

test('a ward publishes only its own revocation lists, the city distributes the others, and each list is written once', () => {
  const crl = (issuer: string, n: number, over: Record<string, unknown> = {}) => ({ _id: `crl:${issuer}:${String(n).padStart(6, '0')}`, type: 'crl', issuer, crlNumber: n, thisUpdate: '2026-03-02T02:00:00Z', der: 'MIIBAAAAAAAAAAAAAAAA', ...over });
  assert.equal(checkWrite(crl(WARD, 2), null, ward, WARD), { ok: true });
  refused(checkWrite(crl(WARD, 2, { der: 'MIIBBBBBBBBBBBBBBBBB' }), crl(WARD, 2), ward, WARD), /written once/);
  refused(checkWrite(crl('cong-vi', 1), null, ward, WARD), /only its own/);
  refused(checkWrite(crl(WARD, 1, { crlNumber: 5 }), null, ward, WARD), /must name its issuer and number/);
  refused(checkWrite(crl(WARD, 1, { der: 'not base64!' }), null, ward, WARD), /wrong shape/);
  assert.equal(checkWrite(crl('cong-vi', 1, { origin: 'city' }), null, city, WARD), { ok: true });
  assert.equal(checkWrite(crl('city-root', 1, { origin: 'city' }), null, city, WARD), { ok: true });
  refused(checkWrite(crl('cong-vi', 1), null, city, WARD), /origin "city"/);
  refused(checkWrite(crl(WARD, 9, { origin: 'city' }), null, city, WARD), /written by the ward/);
});

test('the bundled validate_doc_update runs in a bare context and throws {forbidden}', async () => {
  const source = await validateDocUpdateSource(WARD);
  const fn = runInContext(`(${source})`, createContext({})) as (n: unknown, o: unknown, u: unknown, s: unknown) => void;
  fn(record(), null, ward, {});
  fn(numberEvent(1), null, ward, {});
  let thrown: unknown = null;
  try { fn(event({ comment: 'x' }), event({ _rev: '1-a' }), ward, {}); } catch (err) { thrown = err; }
  assert.ok(thrown && typeof thrown === 'object' && 'forbidden' in thrown, 'throws an object with forbidden');
  assert.match(String((thrown as { forbidden: string }).forbidden), /written once/);
  assert.throws(() => fn(record({ ward: 'cong-vi' }), null, ward, {}));
});

test.run();
