// Reading a PDF's cross-reference tables and appending incremental updates
// (ISO 32000-1 §7.5.6): the original bytes stay untouched, so signatures over
// earlier revisions stay valid. Classic xref tables only: pdfkit writes them
// and so do we; a file with cross-reference streams is refused clearly.
import { inflateSync } from 'node:zlib';
import { dict, nameOf, parseValue, Ref, serialize, type PdfDict, type PdfValue } from './pdf-objects.js';

export class PdfFormatError extends Error {}

export interface PdfFile {
  bytes: Buffer;
  /** latin1 view of the bytes: one char per byte, offsets line up. */
  src: string;
  offsets: Map<number, number>;
  trailer: PdfDict;
  startxref: number;
  size: number;
}

/** `src`: the bytes' latin1 text when the caller has it already (verification reads one file several ways). */
export function readPdf(bytes: Buffer, src = bytes.toString('latin1')): PdfFile {
  if (!src.startsWith('%PDF-')) throw new PdfFormatError('not a PDF');
  const startxref = lastStartxref(src);
  const sections = xrefSections(src, startxref);
  const offsets = new Map<number, number>();
  const freed = new Set<number>();
  for (const section of sections) {
    for (const [num, off] of section.entries) {
      if (offsets.has(num) || freed.has(num)) continue;
      if (off === null) freed.add(num); else offsets.set(num, off);
    }
  }
  const trailer = sections[0]!.trailer;
  const size = trailer.get('Size');
  if (typeof size !== 'number') throw new PdfFormatError('trailer without /Size');
  return { bytes, src, offsets, trailer, startxref, size };
}

/** The offset the last `startxref` keyword names. */
export function lastStartxref(src: string): number {
  const at = src.lastIndexOf('startxref');
  if (at < 0) throw new PdfFormatError('no startxref');
  const m = /startxref\s+(\d+)/.exec(src.slice(at, at + 40));
  if (!m) throw new PdfFormatError('no startxref');
  return Number(m[1]);
}

/** One cross-reference section: where it starts, its entries (null: a freed object) and its trailer. */
export interface XrefSection { at: number; entries: Map<number, number | null>; trailer: PdfDict }

/** The sections a reader follows from `startxref` through /Prev, newest first. */
export function xrefSections(src: string, startxref: number): XrefSection[] {
  const out: XrefSection[] = [];
  const seen = new Set<number>();
  for (let pos: number | null = startxref; pos !== null;) {
    if (seen.has(pos)) throw new PdfFormatError('xref loop');
    seen.add(pos);
    const section = readXrefSection(src, pos);
    out.push(section);
    const prev = section.trailer.get('Prev');
    pos = typeof prev === 'number' ? prev : null;
  }
  return out;
}

function readXrefSection(src: string, pos: number): XrefSection {
  if (!src.startsWith('xref', pos)) {
    throw new PdfFormatError('cross-reference streams are not supported (the file was not written by pdfkit or WardDesk)');
  }
  const entries = new Map<number, number | null>();
  const lines = /xref\s*([\s\S]*?)trailer/.exec(src.slice(pos, pos + 20 * 1024 * 1024));
  if (!lines) throw new PdfFormatError('xref without trailer');
  const body = lines[1]!.trim();
  const words = body ? body.split(/\s+/) : [];
  for (let i = 0; i < words.length;) {
    const first = Number(words[i]);
    const count = Number(words[i + 1]);
    if (!Number.isInteger(first) || !Number.isInteger(count)) throw new PdfFormatError('bad xref subsection');
    i += 2;
    for (let k = 0; k < count; k += 1, i += 3) {
      const kind = words[i + 2];
      if (kind === 'n') entries.set(first + k, Number(words[i]));
      else if (kind === 'f') { if (first + k !== 0) entries.set(first + k, null); }
      else throw new PdfFormatError('bad xref entry');
    }
  }
  const trailerAt = pos + lines.index + lines[0].length;
  const { value } = parseValue(src, trailerAt);
  if (!(value instanceof Map)) throw new PdfFormatError('bad trailer');
  return { at: pos, entries, trailer: value };
}

/** The value of indirect object `num`. */
export function getObject(pdf: PdfFile, ref: Ref | number): PdfValue {
  return readObject(pdf, ref).value;
}

/** Indirect object `num`: its value and where its text ends. */
function readObject(pdf: PdfFile, ref: Ref | number): { value: PdfValue; end: number } {
  const num = typeof ref === 'number' ? ref : ref.num;
  const off = pdf.offsets.get(num);
  if (off === undefined) throw new PdfFormatError(`object ${num} not in the xref`);
  const head = new RegExp(`^${num}\\s+\\d+\\s+obj`).exec(pdf.src.slice(off, off + 40));
  if (!head) throw new PdfFormatError(`object ${num} not at its xref offset`);
  return parseValue(pdf.src, off + head[0].length);
}

/** Decoded streams larger than this are refused: a small hostile stream must not inflate into gigabytes. */
const MAX_STREAM_BYTES = 16 * 1024 * 1024;

/**
 * The data of stream object `ref` (ISO 32000-1 §7.3.8): as stored, or inflated when its one
 * filter is /FlateDecode (what other tools write); another filter, or no stream, throws.
 */
export function streamData(pdf: PdfFile, ref: Ref): Buffer {
  const { value, end } = readObject(pdf, ref);
  if (!(value instanceof Map)) throw new PdfFormatError(`object ${ref.num} is not a stream`);
  const keyword = /^\s*stream(?:\r\n|\n)/.exec(pdf.src.slice(end, end + 32));
  if (!keyword) throw new PdfFormatError(`object ${ref.num} is not a stream`);
  const declared = value.get('Length');
  const length = declared instanceof Ref ? getObject(pdf, declared) : declared;
  const start = end + keyword[0].length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || start + length > pdf.bytes.length) throw new PdfFormatError(`object ${ref.num}: bad /Length`);
  const raw = pdf.bytes.subarray(start, start + length);
  const filter = value.get('Filter');
  if (filter === undefined) return raw;
  if (nameOf(filter) !== 'FlateDecode') throw new PdfFormatError(`object ${ref.num}: filter ${serialize(filter)} not supported`);
  try { return inflateSync(raw, { maxOutputLength: MAX_STREAM_BYTES }); } catch (err) { throw new PdfFormatError(`object ${ref.num}: ${(err as Error).message}`); }
}

export function getDict(pdf: PdfFile, v: PdfValue | undefined): PdfDict {
  const resolved = v instanceof Ref ? getObject(pdf, v) : v;
  if (!(resolved instanceof Map)) throw new PdfFormatError('dictionary expected');
  return resolved;
}

/** Page references in order, following the page tree. */
export function pageRefs(pdf: PdfFile): Ref[] {
  const catalog = getDict(pdf, pdf.trailer.get('Root'));
  const out: Ref[] = [];
  const walk = (node: PdfValue | undefined) => {
    const d = getDict(pdf, node);
    const kids = d.get('Kids');
    if (Array.isArray(kids)) for (const k of kids) walk(k);
    else if (node instanceof Ref) out.push(node);
  };
  walk(catalog.get('Pages'));
  return out;
}

interface NewObject { ref: Ref; value: PdfValue; stream?: Buffer }

/** Collects new and replaced objects, then appends them with an xref section and trailer. */
export class IncrementalUpdate {
  private next: number;
  private readonly objects = new Map<number, NewObject>();

  constructor(readonly pdf: PdfFile) { this.next = pdf.size; }

  alloc(): Ref { return new Ref(this.next++); }

  put(ref: Ref, value: PdfValue, stream?: Buffer): Ref {
    if (stream && value instanceof Map) value.set('Length', stream.length);
    this.objects.set(ref.num, { ref, value, ...(stream ? { stream } : {}) });
    return ref;
  }

  add(value: PdfValue, stream?: Buffer): Ref { return this.put(this.alloc(), value, stream); }

  toBuffer(): Buffer {
    const base = this.pdf.bytes;
    const parts: Buffer[] = [base];
    let offset = base.length;
    const push = (b: Buffer) => { parts.push(b); offset += b.length; };
    if (base[base.length - 1] !== 0x0a) push(Buffer.from('\n'));
    const offsets = new Map<number, number>();
    for (const o of [...this.objects.values()].sort((a, b) => a.ref.num - b.ref.num)) {
      offsets.set(o.ref.num, offset);
      push(Buffer.from(`${o.ref.num} ${o.ref.gen} obj\n${serialize(o.value)}\n`, 'latin1'));
      if (o.stream) { push(Buffer.from('stream\n')); push(o.stream); push(Buffer.from('\nendstream\n')); }
      push(Buffer.from('endobj\n'));
    }
    const xrefAt = offset;
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    let xref = 'xref\n';
    for (let i = 0; i < nums.length;) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j += 1;
      xref += `${nums[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k += 1) xref += `${String(offsets.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
      i = j + 1;
    }
    const trailer = dict({ Size: Math.max(this.next, this.pdf.size), Root: this.pdf.trailer.get('Root')!, Prev: this.pdf.startxref });
    for (const key of ['Info', 'ID']) { const v = this.pdf.trailer.get(key); if (v !== undefined) trailer.set(key, v); }
    push(Buffer.from(`${xref}trailer\n${serialize(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }
}
