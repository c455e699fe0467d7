// The revisions of a signed PDF as a reader sees them: where each signature
// is (its /ByteRange and the hole left for /Contents), which revision it
// covers, and which objects later revisions add, replace or remove.
//
// The checks on a byte range answer the known attacks on PDF signatures
// (signature wrapping, incremental saving): the range starts at 0, its gap is
// exactly this signature's /Contents hex string and nothing else, and it ends
// where a revision ends (%%EOF), so every other byte of that revision is signed.
// Objects are compared through the cross-reference tables, as a reader finds them.
import { readPdf, xrefSections, type PdfFile } from './pdf-file.js';
import { parseValue, serialize, type PdfValue } from './pdf-objects.js';

export type ByteRange = [number, number, number, number];

export interface SignedRange {
  byteRange: ByteRange;
  /** The gap's hex digits decoded: the DER CMS, then the placeholder's zero padding. */
  contents: Buffer;
  /** Offset where the covered revision ends (= byteRange[2] + byteRange[3]). */
  coversBytes: number;
  /** 1-based number of the revision it covers (the count of %%EOF markers up to its end). */
  revision: number;
  /** Offset of its /ByteRange key: inside the signature dictionary. */
  at: number;
}

export type Located = { ok: true; range: SignedRange } | { ok: false; byteRange: ByteRange; coversBytes: number; problem: string };

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/** Every /ByteRange in the file, in the order of the revisions they cover. */
export function locateSignatures(src: string, limit = Infinity): Located[] {
  const out: Located[] = [];
  for (const m of src.matchAll(BYTE_RANGE)) {
    if (out.length >= limit) break;
    const br = [m[1], m[2], m[3], m[4]].map(Number) as ByteRange;
    const [, b, c, d] = br;
    const coversBytes = c + d;
    const problem = rangeProblem(src, m.index, br);
    if (problem) { out.push({ ok: false, byteRange: br, coversBytes, problem }); continue; }
    let revision = 0;
    for (let k = src.indexOf('%%EOF'); k >= 0 && k < coversBytes; k = src.indexOf('%%EOF', k + 5)) revision += 1;
    out.push({ ok: true, range: { byteRange: br, contents: Buffer.from(src.slice(b + 1, c - 1), 'hex'), coversBytes, revision, at: m.index } });
  }
  const end = (l: Located) => (l.ok ? l.range.coversBytes : l.coversBytes);
  return out.sort((x, y) => end(x) - end(y));
}

function rangeProblem(src: string, at: number, [a, b, c, d]: ByteRange): string | null {
  if (a !== 0 || b <= 0 || c <= b || c + d > src.length) return 'the range does not start at 0 or lies outside the file';
  if (!/^<(?:[0-9A-Fa-f]{2})+>$/.test(src.slice(b, c))) return 'the unsigned gap is not exactly one hex string';
  if (!/\/Contents\s*$/.test(src.slice(Math.max(0, b - 40), b))) return 'the unsigned gap is not a /Contents value';
  const between = at < b ? src.slice(at, b) : src.slice(c, at);
  if (/\bendobj\b|\bobj\b/.test(between)) return 'the /Contents gap and the /ByteRange are not in one signature dictionary';
  if (!/%%EOF(?:\r\n|\r|\n)?$/.test(src.slice(Math.max(0, c + d - 16), c + d))) return 'the signed range does not end a revision (%%EOF)';
  return null;
}

/** An indirect object as a reader finds it through the xref; `stream` is its raw data, if any. */
export function readObject(pdf: PdfFile, num: number): { value: PdfValue; isStream: boolean; stream?: Buffer } {
  const off = pdf.offsets.get(num);
  if (off === undefined) throw new Error(`object ${num} not in the xref`);
  const head = /^(\d+)\s+\d+\s+obj/.exec(pdf.src.slice(off, off + 40));
  if (!head || Number(head[1]) !== num) throw new Error(`object ${num} not at its xref offset`);
  const { value, end } = parseValue(pdf.src, off + head[0].length);
  const kw = /^\s*stream\r?\n/.exec(pdf.src.slice(end, end + 12));
  if (!kw) return { value, isStream: false };
  // The data up to `endstream`: enough to tell two versions apart, whatever /Length claims.
  const from = end + kw[0].length;
  const to = pdf.src.indexOf('endstream', from);
  if (to < 0) throw new Error(`object ${num}: stream without endstream`);
  const eol = pdf.src[to - 2] === '\r' && pdf.src[to - 1] === '\n' ? 2 : /[\r\n]/.test(pdf.src[to - 1] ?? '') ? 1 : 0;
  return { value, isStream: true, stream: pdf.bytes.subarray(from, Math.max(from, to - eol)) };
}

export interface RevisionChange {
  /** The signed revision and the whole file, each as a reader sees it. */
  before: PdfFile;
  after: PdfFile;
  /** Object numbers whose xref entry differs: added, replaced or removed after the signed revision. */
  changed: number[];
}

/** What the revisions after `coversBytes` change, or why that cannot be told (a string). */
export function compareRevisions(pdf: Buffer, coversBytes: number, src = pdf.toString('latin1')): RevisionChange | string {
  let before: PdfFile;
  let after: PdfFile;
  try { before = readPdf(pdf.subarray(0, coversBytes), src.slice(0, coversBytes)); } catch (err) { return `signed revision unreadable: ${(err as Error).message}`; }
  try { after = readPdf(pdf, src); } catch (err) { return `later revision unreadable: ${(err as Error).message}`; }
  if (!xrefSections(after.src, after.startxref).some((s) => s.at === before.startxref)) {
    return 'the later revisions do not build on the signed one';
  }
  for (const key of ['Root', 'Info', 'Encrypt']) {
    const x = before.trailer.get(key);
    const y = after.trailer.get(key);
    if ((x === undefined ? '' : serialize(x)) !== (y === undefined ? '' : serialize(y))) return `the trailer's /${key} was changed`;
  }
  const nums = new Set([...before.offsets.keys(), ...after.offsets.keys()]);
  const changed = [...nums].filter((n) => before.offsets.get(n) !== after.offsets.get(n)).sort((x, y) => x - y);
  return { before, after, changed };
}
