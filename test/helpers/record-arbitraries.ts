// fast-check arbitraries for replicated records: one valid record of each
// kind, then mutations where shape checks go wrong (a field removed or given
// a wrong type, an unknown key, a whitespace-only or overlong string, an
// impossible date, a number at a limit), anywhere in the record, nested
// objects and arrays included. Used to hold the hand-written shapes to zod
// (test/sync/record-shapes.test.ts) and the couchjs sandbox to Node
// (test/sync/couchjs-sandbox.test.ts).
import fc from 'fast-check';

type Doc = Record<string, unknown> & { _id: string };
const sha = (c: string) => c.repeat(64);

/** One valid record of each kind, in the database of `ward`; optional fields present on some. */
export function validRecords(ward: string): Record<string, Doc> {
  const actor = { user: 'chuyenvien', role: 'specialist', device: 'pc-1' };
  const attachment = { name: 'to-trinh.pdf', contentType: 'application/pdf', size: 1200, sha256: sha('b') };
  return {
    document: {
      _id: 'doc:out:0123456789abcdef', type: 'document', ward, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien',
      content: { docType: 'QĐ', subject: '  Quyết định thử  ', body: 'Nội dung', unitCode: 'VP', signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'A', recipients: [{ name: 'UBND Quận', agencyId: '000.00.00.H30' }], attachments: [attachment] },
      sealed: true, hash: sha('c'),
    },
    incoming: {
      _id: 'doc:in:0123456789abcdef', type: 'document', ward, direction: 'incoming', createdAt: '2026-03-02T02:00:00.123Z', createdBy: 'city', origin: 'city',
      content: { senderName: 'UBND Thành phố', senderAgencyId: '000.00.00.H30', originalSymbol: '12/QĐ-UBND', originalDate: '2024-02-29', docType: 'CV', subject: 'Về việc X', attachments: [attachment], medium: 'paper' },
    },
    event: { _id: 'ev:out:0123456789abcdef:001772416800000', type: 'event', ward, docId: 'doc:out:0123456789abcdef', action: 'submit', at: '2026-03-02T09:00:00+07:00', actor, comment: 'Trình ký', data: { note: 1 }, hash: sha('d') },
    number: { _id: 'ev:num:out:2026:chung:000005', type: 'event', ward, docId: 'doc:out:0123456789abcdef', action: 'number', at: '2026-03-02T09:00:00-01:30', actor: { user: 'vanthu', role: 'clerk' }, data: { registerKey: 'out:2026:chung', number: 5 } },
    blob: { _id: `blob:${sha('a')}`, type: 'blob', contentType: 'image/png', size: 5, sha256: sha('a'), _attachments: { data: { content_type: 'image/png', length: 5, stub: true } } },
    chunked: { _id: `blob:${sha('a')}`, type: 'blob', contentType: 'application/pdf', size: 150_000, sha256: sha('a'), chunkSize: 65_536, chunks: [sha('b'), sha('c'), sha('d')], hash: sha('e') },
    user: { _id: 'user:vanthu', type: 'user', username: 'vanthu', fullName: 'Văn Thư', title: '', role: 'clerk', active: false, updatedAt: '2026-03-02T09:00:00Z' },
    audit: { _id: 'audit:000000000001', type: 'audit', seq: 1, at: '2026-03-02T02:00:00.000Z', actor: { user: 'system', role: 'admin', device: 'boot' }, action: 'user.create', target: null, writes: { 'user:admin': sha('a') }, prev: sha('0'), hash: sha('a') },
    crl: { _id: `crl:${ward}:000002`, type: 'crl', issuer: ward, crlNumber: 2, thisUpdate: '2026-03-02T02:00:00Z', der: 'MIIBAAAAAAAAAAAAAAAA', hash: sha('f') },
  };
}

/** Values where shape checks differ: blanks, lengths at and past limits, impossible dates, numbers at limits. */
const SPECIAL: unknown[] = [
  '', ' ', '\t\n', '\u00a0\u3000', '\ufeff', '  x  ', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(200), 'x'.repeat(201), ' '.repeat(10) + 'x'.repeat(200) + ' ',
  'x'.repeat(300), 'x'.repeat(301), 'x'.repeat(1000), 'x'.repeat(1001), 'x'.repeat(5001), 'a/b', 'a\u0001b', 'ĐOI', 'VP1', 'vp', '000.00.00.H30', '000.00.00.h30',
  '2026-02-29', '2024-02-29', '2026-13-01', '2026-3-2', '2026-03-02T09:00:00+07:00', '2026-03-02T09:00+07:00', '2026-03-02T24:00:00Z', '2026-03-02T09:00:00.5+07:00',
  '2026-03-02T09:00:00', '2026-03-02T09:00:00+7:00', '2026-03-02t09:00:00z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
  sha('a'), sha('A'), sha('a').slice(1), 'city', 'ward', 'document', 'event', 'outgoing', 'incoming', 'QĐ', 'CV', 'TM.', 'paper', 'clerk', 'city',
  0, -1, 1, 1.5, 4095, 4096, 65_536, 1_048_576, 1_048_577, 999_999, 1_000_000, 52_428_800, 52_428_801, 9_007_199_254_740_991, 9_007_199_254_740_992, 1e308,
  true, false, null, [], {}, [''], [{}], { a: 1 }, [sha('a')],
];
const value = fc.oneof(fc.constantFrom(...SPECIAL), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 12 }));

type Path = (string | number)[];
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push(...paths((v as Record<string, unknown>)[k], [...at, k]));
  return out;
}
function containers(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => containers(x, [...at, i]));
  if (v && typeof v === 'object') return [at, ...Object.keys(v).flatMap((k) => containers((v as Record<string, unknown>)[k], [...at, k]))];
  return [];
}
function walk(doc: unknown, path: Path): Record<string | number, unknown> {
  let node = doc as Record<string | number, unknown>;
  for (const key of path) node = node[key] as Record<string | number, unknown>;
  return node;
}

const BLANKS = ['', ' ', '\t\n', '\u00a0\u3000', '\ufeff '];
const LENGTHS = [1, 9, 10, 11, 12, 13, 14, 16, 17, 32, 33, 40, 41, 63, 64, 65, 100, 101, 199, 200, 201, 299, 300, 301, 1000, 1001, 5000, 5001];
const DATES = ['2026-02-29', '2024-02-29', '2026-04-31', '2026-13-01', '2026-03-02T09:00+07:00', '2026-03-02T24:00:00Z', '2026-03-02T09:60:00Z', '2026-03-02T09:00:00', '2026-03-02T09:00:00+24:00', '2026-03-02T09:00:00.123456789-11:59', '2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z'];

type Mutation =
  | { op: 'drop' | 'set'; pick: number; value: unknown }
  | { op: 'extra'; pick: number; key: string; value: unknown }
  | { op: 'text'; pick: number; text: string }
  | { op: 'pad'; pick: number; pad: string };
const text = fc.oneof(fc.constantFrom(...BLANKS), fc.constantFrom(...DATES), fc.record({ n: fc.constantFrom(...LENGTHS), blank: fc.boolean() }).map(({ n, blank }) => (blank ? ' ' : '') + 'x'.repeat(n) + (blank ? '\n' : '')));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat(), value: fc.constant(null) }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value }),
  fc.record({ op: fc.constant('extra' as const), pick: fc.nat(), key: fc.oneof(fc.constantFrom('extra', 'hash', 'origin', 'sealed', 'comment', 'data', '__proto__', 'password', '_rev'), fc.string({ maxLength: 6 })), value }),
  fc.record({ op: fc.constant('text' as const), pick: fc.nat(), text }),
  fc.record({ op: fc.constant('pad' as const), pick: fc.nat(), pad: fc.constantFrom(' ', '\t', '\u00a0', '\n', 'x'.repeat(1000)) }),
);

/**
 * Applies mutations to a deep copy of `doc`. `text` puts a blank, a date or a
 * string of a length near a limit into a string field; `pad` wraps one in
 * blanks (still valid where the schema trims) or lengthens it.
 */
export function mutate(doc: Doc, mutations: Mutation[]): Doc {
  const out = JSON.parse(JSON.stringify(doc)) as Doc;
  for (const m of mutations) {
    if (m.op === 'extra') {
      const all = containers(out);
      const container = walk(out, all[m.pick % all.length]!);
      if (Array.isArray(container)) container.push(m.value);
      // defineProperty: a "__proto__" key becomes a key, as JSON.parse would make it.
      else Object.defineProperty(container, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const all = m.op === 'text' || m.op === 'pad' ? paths(out).filter((p) => typeof walk(out, p) === 'string') : paths(out);
    if (all.length === 0) continue;
    const path = all[m.pick % all.length]!;
    const parent = walk(out, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (m.op === 'drop') { if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; }
    else if (m.op === 'set') parent[key] = m.value;
    else if (m.op === 'text') parent[key] = m.text;
    else if (m.op === 'pad') parent[key] = m.pad.length > 1 ? `${String(parent[key])}${m.pad}` : `${m.pad}${String(parent[key])}${m.pad}`;
  }
  return out;
}

/** A record of one kind, valid or mutated once or twice. */
export function recordArbitrary(ward: string): fc.Arbitrary<{ kind: string; doc: Doc }> {
  const records = validRecords(ward);
  return fc.record({ kind: fc.constantFrom(...Object.keys(records)), mutations: fc.array(mutation, { minLength: 0, maxLength: 2 }) })
    .map(({ kind, mutations }) => ({ kind, doc: mutate(records[kind]!, mutations) }));
}

/** Every single fault of `doc`, systematically: each field removed, set to each special value, blank, date and length, padded; an unknown key in each object. */
export function everySingleMutation(doc: Doc): Doc[] {
  const values = [...SPECIAL, ...BLANKS, ...DATES, ...LENGTHS.flatMap((n) => ['x'.repeat(n), ` ${'x'.repeat(n)} `])];
  const out: Doc[] = [];
  const fieldCount = paths(doc).length;
  for (let pick = 0; pick < fieldCount; pick += 1) {
    out.push(mutate(doc, [{ op: 'drop', pick, value: null }]));
    for (const value of values) out.push(mutate(doc, [{ op: 'set', pick, value }]));
  }
  const stringCount = paths(doc).filter((p) => typeof walk(doc, p) === 'string').length;
  for (let pick = 0; pick < stringCount; pick += 1) for (const pad of [' ', '\u00a0', 'x'.repeat(1000)]) out.push(mutate(doc, [{ op: 'pad', pick, pad }]));
  const containerCount = containers(doc).length;
  for (let pick = 0; pick < containerCount; pick += 1) for (const key of ['extra', '__proto__']) out.push(mutate(doc, [{ op: 'extra', pick, key, value: 1 }]));
  return out;
}
