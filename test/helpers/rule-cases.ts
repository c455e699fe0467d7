// The write-rule cases as data, so every place that runs the city's rules
// runs the same list: test/sync/write-rules.test.ts (Node, checkWrite),
// test/node/fuzz-sweep.test.ts (the bundle in a bare vm context) and
// test/sync/couchjs-sandbox.test.ts (the installed design document in QuickJS
// without what couchjs lacks). A case with `expect` carries the verdict the
// rules must give; one without only has to be answered (ok or {forbidden}).
import fc from 'fast-check';
import type { UserCtx } from '../../sync/write-rules.js';

type Doc = Record<string, unknown> & { _id: string };
export interface RuleCase { label: string; newDoc: Doc; oldDoc: Doc | null; userCtx: UserCtx; ward: string; expect?: 'ok' | 'forbidden' | RegExp }
export interface RuleGroup { title: string; cases: RuleCase[] }

// ---- the hand-picked cases (write-rules.test.ts) -------------------------------

export const WARD = 'phuc-xa';
const ward = { name: 'ward-phuc-xa', roles: [] };
const other = { name: 'ward-cong-vi', roles: [] };
const city = { name: 'cityadmin', roles: ['_admin'] };
const sha = 'a'.repeat(64);

export const record = (over: Record<string, unknown> = {}): Doc => ({
  _id: 'doc:out:0123456789abcdef', type: 'document', ward: WARD, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien',
  content: { docType: 'QĐ', subject: 'Quyết định về việc thử nghiệm', body: '', signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'A', recipients: [], attachments: [] },
  ...over,
});
export const event = (over: Record<string, unknown> = {}): Doc => ({
  _id: 'ev:out:0123456789abcdef:001772416800000', type: 'event', ward: WARD, docId: 'doc:out:0123456789abcdef', action: 'submit',
  at: '2026-03-02T09:00:00+07:00', actor: { user: 'chuyenvien', role: 'specialist', device: '' }, data: {}, ...over,
});
export const numberEvent = (n: number, over: Record<string, unknown> = {}): Doc => event({
  _id: `ev:num:out:2026:chung:${String(n).padStart(6, '0')}`, action: 'number', actor: { user: 'vanthu', role: 'clerk', device: '' },
  data: { registerKey: 'out:2026:chung', number: n, numberText: '05', symbol: 'QĐ-UBND', year: 2026 }, ...over,
});
const blob = (over: Record<string, unknown> = {}): Doc => ({
  _id: `blob:${sha}`, type: 'blob', contentType: 'application/pdf', size: 5, sha256: sha,
  _attachments: { data: { content_type: 'application/pdf', length: 5, stub: true } }, ...over,
});
const chunked = (over: Record<string, unknown> = {}): Doc => ({ _id: `blob:${sha}`, type: 'blob', contentType: 'application/pdf', size: 150_000, sha256: sha, chunkSize: 65_536, chunks: ['b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)], ...over });
/** A chunk that reached the city in parts (sync/chunk-parts.ts): the list of its parts, no bytes. */
const inParts = (over: Record<string, unknown> = {}): Doc => ({ _id: `chunk:${'b'.repeat(64)}`, parts: ['c'.repeat(64), 'd'.repeat(64)], ...over });
const chunk = (over: Record<string, unknown> = {}): Doc => ({ _id: `chunk:${'b'.repeat(64)}`, _attachments: { data: { content_type: 'application/octet-stream', length: 65_536, stub: true } }, ...over });
const crl = (issuer: string, n: number, over: Record<string, unknown> = {}): Doc => ({ _id: `crl:${issuer}:${String(n).padStart(6, '0')}`, type: 'crl', issuer, crlNumber: n, thisUpdate: '2026-03-02T02:00:00Z', der: 'MIIBAAAAAAAAAAAAAAAA', ...over });
const user = (over: Record<string, unknown> = {}): Doc => ({ _id: 'user:vanthu', type: 'user', username: 'vanthu', fullName: 'Văn thư', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00', ...over });
const incoming = record({ _id: 'doc:in:0123456789abcdef', direction: 'incoming', createdBy: 'city', origin: 'city', content: { senderName: 'UBND Thành phố', originalSymbol: '12/QĐ-UBND', originalDate: '2026-03-01', docType: 'QĐ', subject: 'Về việc X', attachments: [], medium: 'electronic' } });
const sealed = record({ _rev: '3-a', sealed: true });

/** [label, newDoc, oldDoc, userCtx, expected verdict]: all in the database of WARD. */
type Row = [string, Doc, Doc | null, UserCtx, 'ok' | RegExp];
const group = (title: string, rows: Row[]): RuleGroup => ({ title, cases: rows.map(([label, newDoc, oldDoc, userCtx, expect]) => ({ label, newDoc, oldDoc, userCtx, ward: WARD, expect })) });

export const WRITE_RULE_GROUPS: RuleGroup[] = [
  group('accepts a ward writing its own documents, events, files, profiles and audit entries', [
    ['document', record(), null, ward, 'ok'],
    ['event', event(), null, ward, 'ok'],
    ['numbering event', numberEvent(5), null, ward, 'ok'],
    ['file', blob(), null, ward, 'ok'],
    ['user profile', user(), null, ward, 'ok'],
    ['audit entry', { _id: 'audit:000000000001', type: 'audit', seq: 1, at: '2026-03-02T02:00:00.000Z', actor: { user: 'system', role: 'admin', device: 'boot' }, action: 'user.create', target: 'user:admin', writes: { 'user:admin': sha }, prev: '0'.repeat(64), hash: sha }, null, ward, 'ok'],
    // A draft may be edited while not sealed; replication metadata is ignored.
    ['edited draft with _revisions', { ...record(), _rev: '2-x', _revisions: { start: 2, ids: ['x', 'y'] } }, record({ _rev: '1-y' }), ward, 'ok'],
  ]),
  group('refuses documents of another ward and writes by another ward\'s user', [
    ['document of another ward', record({ ward: 'cong-vi' }), null, ward, /belongs to ward cong-vi/],
    ['event of another ward', event({ ward: 'cong-vi' }), null, ward, /belongs to ward cong-vi/],
    ['another ward\'s user', record(), null, other, /does not write for ward phuc-xa/],
  ]),
  group('events and numbering events are written once and never changed or deleted', [
    ['event changed', event({ comment: 'edited' }), event({ _rev: '1-a' }), ward, /written once/],
    ['numbering event changed', numberEvent(5), numberEvent(5, { _rev: '1-a' }), ward, /written once/],
    ['event deleted', { _id: event()._id, _deleted: true }, event({ _rev: '1-a' }), ward, /cannot be deleted/],
    ['numbering event with another number', numberEvent(5, { data: { registerKey: 'out:2026:chung', number: 6 } }), null, ward, /another number/],
    ['event of another document', event({ _id: 'ev:out:ffffffffffffffff:1' }), null, ward, /does not belong/],
  ]),
  group('a signed or issued document can be neither changed nor deleted', [
    ['sealed content changed', { ...record({ sealed: true }), content: { ...(record().content as object), subject: 'Khác' } }, sealed, ward, /can no longer be changed/],
    ['sealed unsealed', record(), sealed, ward, /can no longer be changed/],
    ['sealed deleted by the ward', { _id: sealed._id, _deleted: true }, sealed, ward, /cannot be deleted/],
    ['sealed deleted by the city', { _id: sealed._id, _deleted: true }, sealed, city, /cannot be deleted/],
    ['createdBy changed', record({ createdBy: 'someone' }), record({ _rev: '1-a' }), ward, /createdBy cannot be changed/],
  ]),
  group('files are immutable and must match their id and declared attachment', [
    ['file changed', blob(), blob({ _rev: '1-a' }), ward, /immutable/],
    ['file of another hash', blob({ sha256: 'b'.repeat(64) }), null, ward, /id and sha-256 differ/],
    ['file without attachment', blob({ _attachments: {} }), null, ward, /exactly one attachment/],
    ['file of another size', blob({ _attachments: { data: { content_type: 'application/pdf', length: 6 } } }), null, ward, /size differs/],
  ]),
  group('a chunked file lists as many chunks as its size needs and carries no attachment; a chunk is one attachment, once', [
    ['chunked file', chunked(), null, ward, 'ok'],
    ['too few chunks', chunked({ chunks: ['b'.repeat(64)] }), null, ward, /1 chunks do not make 150000 bytes/],
    ['chunked file with an attachment', chunked({ _attachments: { data: { content_type: 'application/pdf', length: 5 } } }), null, ward, /may not carry attachments/],
    ['chunked file without chunkSize', chunked({ chunkSize: undefined }), null, ward, /needs both chunkSize and chunks/],
    ['chunk', chunk(), null, ward, 'ok'],
    ['chunk sent by the city (the city sends files to wards too)', chunk(), null, city, 'ok'],
    ['chunk changed', chunk(), chunk({ _rev: '1-a' }), ward, /immutable/],
    ['chunk of a bad id', chunk({ _id: 'chunk:xyz' }), null, ward, /chunk:<sha-256>/],
    ['chunk with a field', chunk({ size: 3 }), null, ward, /carries only its attachment/],
    ['chunk too large', chunk({ _attachments: { data: { content_type: 'application/octet-stream', length: 2 * 1024 * 1024 } } }), null, ward, /not a chunk size/],
    ['chunk too large, bytes in hand', chunk({ _attachments: { data: { content_type: 'application/octet-stream', data: Buffer.alloc(2 * 1024 * 1024) } } }), null, ward, /not a chunk size/],
    ['chunk deleted', chunk({ _deleted: true }), chunk({ _rev: '1-a' }), ward, /cannot be deleted/],
    ['chunk by another ward', chunk(), null, other, /does not write for ward/],
    ['chunk sent in parts', inParts(), null, ward, 'ok'],
    ['chunk in parts changed', inParts(), inParts({ _rev: '1-a' }), ward, /immutable/],
    ['chunk in one part', inParts({ parts: ['c'.repeat(64)] }), null, ward, /2 to 256 hashes/],
    ['chunk in too many parts', inParts({ parts: Array.from({ length: 257 }, () => 'c'.repeat(64)) }), null, ward, /2 to 256 hashes/],
    ['chunk parts not a list', inParts({ parts: 'c'.repeat(64) }), null, ward, /2 to 256 hashes/],
    ['chunk part not a hash', inParts({ parts: ['c'.repeat(64), 'chunk:x'] }), null, ward, /sha-256 in hex/],
    ['chunk a part of itself', inParts({ parts: ['c'.repeat(64), 'b'.repeat(64)] }), null, ward, /part of itself/],
    ['chunk in parts with bytes too', inParts({ _attachments: chunk()['_attachments'] }), null, ward, /carries no attachment/],
    ['chunk in parts with a field', inParts({ size: 3 }), null, ward, /only the list of its parts/],
  ]),
  group('refuses secrets, unknown shapes and unknown kinds of document', [
    ['user profile with a password', user({ fullName: 'V', password: { hash: 'x' } }), null, ward, /wrong shape/],
    ['credentials', { _id: 'cred:vanthu', password: 'x' }, null, ward, /does not belong/],
    ['session', { _id: 'sess:abc', username: 'x' }, null, ward, /does not belong/],
    ['document with an extra field', record({ extra: 1 }), null, ward, /wrong shape/],
    ['design document by a ward', { _id: '_design/evil' }, null, ward, /administrator/],
  ]),
  group('only the city writes the inbox, and it must mark what it writes', [
    ['inbox document by the city', incoming, null, city, 'ok'],
    ['inbox document by the ward', incoming, null, ward, /only the city/],
    ['unmarked document by the city', record(), null, city, /must be marked origin/],
    ['ward acting as the city', event({ actor: { user: 'x', role: 'city', device: '' } }), null, ward, /only the city acts/],
  ]),
  group('a ward publishes only its own revocation lists, the city distributes the others, and each list is written once', [
    ['own list', crl(WARD, 2), null, ward, 'ok'],
    ['own list changed', crl(WARD, 2, { der: 'MIIBBBBBBBBBBBBBBBBB' }), crl(WARD, 2), ward, /written once/],
    ['another ward\'s list', crl('cong-vi', 1), null, ward, /only its own/],
    ['list of another number', crl(WARD, 1, { crlNumber: 5 }), null, ward, /must name its issuer and number/],
    ['list not in base64', crl(WARD, 1, { der: 'not base64!' }), null, ward, /wrong shape/],
    ['another ward\'s list from the city', crl('cong-vi', 1, { origin: 'city' }), null, city, 'ok'],
    ['the root\'s list from the city', crl('city-root', 1, { origin: 'city' }), null, city, 'ok'],
    ['unmarked list from the city', crl('cong-vi', 1), null, city, /origin "city"/],
    ['the ward\'s own list from the city', crl(WARD, 9, { origin: 'city' }), null, city, /written by the ward/],
  ]),
];

// ---- the fuzz sweep's replicated documents (fuzz-sweep.test.ts) ---------------

export const FUZZ_SEED = 20261125;
export const FUZZ_WARD = 'fz-ward';
export const FUZZ_OTHER = 'fz-other';

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });
/** Strings that break naive code: direction overrides, invisible characters, decomposed Vietnamese, lone surrogates, traversal, markup. */
export const EVIL = [
  '', ' ', '\u202Efdp.exe', 'a\u200Bb\u200Cc\u200Dd\uFEFF', 'Quye\u0302\u0301t \u0111i\u0323nh', 'Quyết định', '\uD800', 'x\uDFFFy', '\u0000', 'é'.repeat(5000),
  '../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f%2e%2e%2f', 'doc:out:../../x', '/etc/shadow', 'CON', 'a/b', '%00', '😀'.repeat(300),
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', 'javascript:alert(1)', '{{7*7}}', "'; DROP TABLE x; --",
  '__proto__', 'constructor', '_design/x', '_local/x', 'x'.repeat(70_000),
];
export const WRONG = [0, -1, 1e308, 3.5, true, false, null, [], {}, ['a'], { $gt: '' }, deep(60)];

/** One valid document of each kind a ward replicates, and mutations that forge or break them. */
export function replicatedSamples(): Record<string, Doc> {
  const sha256 = 'a'.repeat(64);
  const content = { docType: 'QĐ', subject: 'Quyết định thử', body: '', signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'A', recipients: [], attachments: [] };
  const actor = { user: 'chuyenvien', role: 'specialist', device: '' };
  return {
    document: { _id: 'doc:out:0123456789abcdef', type: 'document', ward: FUZZ_WARD, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien', content },
    event: { _id: 'ev:out:0123456789abcdef:001772416800000', type: 'event', ward: FUZZ_WARD, docId: 'doc:out:0123456789abcdef', action: 'submit', at: '2026-03-02T09:00:00+07:00', actor, data: {} },
    number: { _id: 'ev:num:out:2026:chung:000005', type: 'event', ward: FUZZ_WARD, docId: 'doc:out:0123456789abcdef', action: 'number', at: '2026-03-02T09:00:00+07:00', actor: { ...actor, user: 'vanthu', role: 'clerk' }, data: { registerKey: 'out:2026:chung', number: 5, numberText: '05', symbol: 'QĐ-UBND', year: 2026 } },
    user: { _id: 'user:vanthu', type: 'user', username: 'vanthu', fullName: 'Văn Thư', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00' },
    blob: { _id: `blob:${sha256}`, type: 'blob', contentType: 'application/pdf', size: 5, sha256, _attachments: { data: { content_type: 'application/pdf', length: 5, stub: true } } },
  };
}
export const FORGERIES: [string, (d: Doc) => Doc][] = [
  ['another ward', (d) => ({ ...d, ward: FUZZ_OTHER })],
  ['marked as from the city', (d) => ({ ...d, origin: 'city' })],
  ['sealed flag forged', (d) => ({ ...d, sealed: true, signature: { by: 'x', sig: 'AAAA' } })],
  ['a secret smuggled in', (d) => ({ ...d, password: { salt: 'x', hash: 'y' } })],
  ['deleted', (d) => ({ ...d, _deleted: true })],
  ['a design document', (d) => ({ ...d, _id: '_design/evil' })],
  ['an unknown kind', (d) => ({ ...d, _id: `zzz:${String(d['_id'])}` })],
  ['an attachment on a plain document', (d) => ({ ...d, _attachments: { x: { content_type: 'text/html', data: 'PHNjcmlwdD4=' } } })],
];

/** Every replicated document kind, valid, forged, with each field replaced or removed, and generated documents (seeded). */
export function fuzzRuleCases(): RuleCase[] {
  const wardUser = { name: `ward-${FUZZ_WARD}`, roles: [] };
  const otherUser = { name: `ward-${FUZZ_OTHER}`, roles: [] };
  const out: RuleCase[] = [];
  const add = (label: string, newDoc: Doc, oldDoc: Doc | null, userCtx: UserCtx, expect?: 'ok' | 'forbidden') => {
    out.push({ label, newDoc, oldDoc, userCtx, ward: FUZZ_WARD, ...(expect ? { expect } : {}) });
  };
  const base = replicatedSamples();
  for (const [kind, doc] of Object.entries(base)) {
    add(`${kind} as written by its ward`, doc, null, wardUser, 'ok');
    add(`${kind} written by another ward's user`, doc, null, otherUser, 'forbidden');
    // Harmless on some kinds (a user profile has no ward field to forge): the point is that it never crashes.
    for (const [label, forge] of FORGERIES) add(`${kind}: ${label}`, forge(doc), null, wardUser, label !== 'another ward' || 'ward' in doc ? 'forbidden' : undefined);
    if (kind === 'event' || kind === 'number') add(`${kind} changed after it was written`, { ...doc, comment: 'sửa' }, { ...doc, _rev: '1-a' }, wardUser, 'forbidden');
    if (kind === 'document') add('sealed document changed', { ...doc, sealed: true, createdBy: 'khac' }, { ...doc, sealed: true, _rev: '1-a' }, wardUser, 'forbidden');
  }
  // Generated: each field of each kind replaced by an arbitrary JSON value, removed, or joined by a stranger.
  const values = fc.sample(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...EVIL, ...WRONG)), { seed: FUZZ_SEED, numRuns: 120 });
  // CouchDB refuses a document whose _id is not a string before any validate_doc_update runs: ids vary among strings only.
  const ids = EVIL.filter((v) => v.length > 0);
  for (const [kind, doc] of Object.entries(base)) {
    for (const id of ids) add(`${kind}._id=${id.slice(0, 20)}`, { ...doc, _id: id }, null, wardUser);
    for (const field of Object.keys(doc).filter((f) => f !== '_id')) {
      for (const v of values) add(`${kind}.${field}=${JSON.stringify(v)?.slice(0, 30)}`, { ...doc, [field]: v }, null, wardUser);
      const { [field]: _, ...without } = doc;
      add(`${kind} without ${field}`, without as Doc, null, wardUser);
      add(`${kind}.${field} over an old one`, { ...doc, [field]: values[field.length % values.length] }, { ...doc, _rev: '1-a' }, wardUser);
    }
  }
  for (const v of fc.sample(fc.anything({ maxDepth: 3 }), { seed: FUZZ_SEED, numRuns: 200 })) {
    add('generated document', typeof v === 'object' && v ? { _id: 'doc:out:0123456789abcdef', ...v } : { _id: 'doc:out:0123456789abcdef', v }, null, wardUser);
  }
  return out;
}
