// The PDF object syntax (ISO 32000-1 §7.3), just enough to read the objects an
// incremental update must extend (catalog, pages, AcroForm, signatures) and to
// write new ones. Written by hand: the PDF libraries on npm either rewrite the
// whole file on save (pdf-lib), which would break earlier signatures, or do
// not expose their parser (pdfkit writes only).

export class Ref {
  constructor(readonly num: number, readonly gen = 0) {}
  toString(): string { return `${this.num} ${this.gen} R`; }
}
export class Name {
  constructor(readonly name: string) {}
}
/** Bytes written verbatim (placeholders, pre-formatted numbers). */
export class Raw {
  constructor(readonly text: string) {}
}
/** A string written as hex (<…>), so any bytes are safe. */
export class HexString {
  private decoded: Buffer | null;
  private digits = '';
  constructor(bytes: Buffer) { this.decoded = bytes; }
  /** Decoded when first read: a signature's /Contents (24 k digits) is parsed with its dictionary but seldom needed. */
  static fromDigits(digits: string): HexString {
    const h = new HexString(Buffer.alloc(0));
    h.decoded = null;
    h.digits = digits;
    return h;
  }
  get bytes(): Buffer {
    if (!this.decoded) {
      const d = /\s/.test(this.digits) ? this.digits.replace(/\s+/g, '') : this.digits;
      this.decoded = Buffer.from(d.length % 2 ? `${d}0` : d, 'hex');
    }
    return this.decoded;
  }
}
export type PdfValue = number | boolean | null | string | Buffer | Ref | Name | Raw | HexString | PdfValue[] | PdfDict;
export type PdfDict = Map<string, PdfValue>;

export const name = (n: string): Name => new Name(n);
export const dict = (entries: Record<string, PdfValue>): PdfDict => new Map(Object.entries(entries));

const DELIMITERS = new Set('()<>[]{}/%');
const isWhite = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;

/** Parses one object value starting at `pos` in `src` (latin1 text of the file). */
export function parseValue(src: string, pos: number): { value: PdfValue; end: number } {
  const p = new Parser(src, pos);
  const value = p.value();
  return { value, end: p.pos };
}

/** Nesting deeper than this is hostile input (a PDF built to exhaust the stack), not a document. */
const MAX_DEPTH = 64;

class Parser {
  private depth = 0;

  constructor(readonly src: string, public pos: number) {}

  private skip(): void {
    for (;;) {
      while (this.pos < this.src.length && isWhite(this.src.charCodeAt(this.pos))) this.pos += 1;
      if (this.src[this.pos] !== '%') return;
      while (this.pos < this.src.length && this.src[this.pos] !== '\n' && this.src[this.pos] !== '\r') this.pos += 1;
    }
  }

  private token(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !isWhite(this.src.charCodeAt(this.pos)) && !DELIMITERS.has(this.src[this.pos]!)) this.pos += 1;
    return this.src.slice(start, this.pos);
  }

  value(): PdfValue {
    this.skip();
    const c = this.src[this.pos];
    if (c === '<' && this.src[this.pos + 1] === '<') return this.nested(() => this.dict());
    if (c === '<') return this.hex();
    if (c === '[') return this.nested(() => this.array());
    if (c === '(') return this.literal();
    if (c === '/') { this.pos += 1; return new Name(decodeName(this.token())); }
    const word = this.token();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) throw new Error(`PDF syntax: unexpected '${word || c}' at ${this.pos}`);
    // "n g R" is a reference: look ahead without consuming when it is not.
    const save = this.pos;
    this.skip();
    const gen = this.token();
    if (/^\d+$/.test(word) && /^\d+$/.test(gen)) {
      this.skip();
      if (this.src[this.pos] === 'R') { this.pos += 1; return new Ref(Number(word), Number(gen)); }
    }
    this.pos = save;
    return Number(word);
  }

  private nested<T>(read: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Error(`PDF syntax: nesting deeper than ${MAX_DEPTH} at ${this.pos}`);
    try { return read(); } finally { this.depth -= 1; }
  }

  private dict(): PdfDict {
    this.pos += 2;
    const out: PdfDict = new Map();
    for (;;) {
      this.skip();
      if (this.src.startsWith('>>', this.pos)) { this.pos += 2; return out; }
      if (this.src[this.pos] !== '/') throw new Error(`PDF syntax: dictionary key expected at ${this.pos}`);
      this.pos += 1;
      const key = decodeName(this.token());
      out.set(key, this.value());
    }
  }

  private array(): PdfValue[] {
    this.pos += 1;
    const out: PdfValue[] = [];
    for (;;) {
      this.skip();
      if (this.src[this.pos] === ']') { this.pos += 1; return out; }
      out.push(this.value());
    }
  }

  private hex(): HexString {
    const end = this.src.indexOf('>', this.pos);
    if (end < 0) throw new Error(`PDF syntax: unterminated hex string at ${this.pos}`);
    const digits = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return HexString.fromDigits(digits);
  }

  private literal(): Buffer {
    this.pos += 1;
    const bytes: number[] = [];
    let depth = 1;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos++);
      if (c === 0x5c) { // backslash
        const n = this.src[this.pos++]!;
        const esc: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
        if (n in esc) bytes.push(esc[n]!);
        else if (/[0-7]/.test(n)) {
          let oct = n;
          while (oct.length < 3 && /[0-7]/.test(this.src[this.pos]!)) oct += this.src[this.pos++];
          bytes.push(parseInt(oct, 8) & 0xff);
        } else if (n === '\r') { if (this.src[this.pos] === '\n') this.pos += 1; } else if (n !== '\n') bytes.push(n.charCodeAt(0));
        continue;
      }
      if (c === 0x28) depth += 1;
      if (c === 0x29 && --depth === 0) break;
      bytes.push(c);
    }
    return Buffer.from(bytes);
  }
}

function decodeName(raw: string): string {
  return raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Serializes a value; strings are written as PDF text strings (UTF-16BE when not ASCII). */
export function serialize(v: PdfValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/\.?0+$/, '');
  if (typeof v === 'string') return textString(v);
  if (Buffer.isBuffer(v)) return `<${v.toString('hex')}>`;
  if (v instanceof Ref) return v.toString();
  if (v instanceof Name) return `/${v.name.replace(/[^!-~]|[()<>[\]{}/%#]/g, (c) => `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
  if (v instanceof Raw) return v.text;
  if (v instanceof HexString) return `<${v.bytes.toString('hex')}>`;
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  return `<<${[...v].map(([k, val]) => `${serialize(new Name(k))} ${serialize(val)}`).join(' ')}>>`;
}

/** A text string: literal when printable ASCII, else UTF-16BE with a BOM, in hex. */
export function textString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[()\\]/g, (c) => `\\${c}`)})`;
  const utf16 = Buffer.from(`\ufeff${s}`, 'utf16le').swap16();
  return `<${utf16.toString('hex')}>`;
}

/** Reads a Name value, or null. */
export const nameOf = (v: PdfValue | undefined): string | null => (v instanceof Name ? v.name : null);

/**
 * The object numbers that the value starting at `pos` references ("n g R"), without building the
 * value: strings, hex strings and comments are skipped, so text that looks like a reference is not
 * one. Verification walks every object a reader renders; most are only passed through, and
 * building their values (fonts' width arrays) cost more than the rest of a verification.
 */
export function scanRefs(src: string, pos: number): number[] {
  const refs: number[] = [];
  let depth = 0;
  let nums: number[] = [];
  let i = pos;
  const n = src.length;
  for (; i < n; ) {
    const c = src.charCodeAt(i);
    if (isWhite(c)) { i += 1; continue; }
    if (c === 0x25) { while (i < n && src[i] !== '\n' && src[i] !== '\r') i += 1; continue; } // %
    if (c === 0x28) { // ( literal string, nesting and escapes
      let d = 0;
      for (; i < n; i += 1) {
        const k = src.charCodeAt(i);
        if (k === 0x5c) { i += 1; continue; }
        if (k === 0x28) d += 1;
        else if (k === 0x29 && --d === 0) { i += 1; break; }
      }
      nums = [];
      if (depth === 0) break;
      continue;
    }
    if (c === 0x3c && src.charCodeAt(i + 1) !== 0x3c) { // <hex>
      const end = src.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      nums = [];
      if (depth === 0) break;
      continue;
    }
    if (c === 0x3c || c === 0x5b) { depth += 1; i += c === 0x3c ? 2 : 1; nums = []; continue; }
    if (c === 0x3e || c === 0x5d) {
      depth -= 1; i += c === 0x3e ? 2 : 1; nums = [];
      if (depth <= 0) break;
      continue;
    }
    const start = i;
    while (i < n && !isWhite(src.charCodeAt(i)) && !DELIMITERS.has(src[i]!)) i += 1;
    if (i === start) { i += 1; nums = []; continue; }
    const word = src.slice(start, i);
    if (word === 'R' && nums.length >= 2) { refs.push(nums[nums.length - 2]!); nums = []; }
    else if (/^\d+$/.test(word)) nums.push(Number(word));
    else nums = [];
    if (depth === 0 && word !== 'R' && !/^\d+$/.test(word)) break;
    if (depth === 0 && word === 'R') break;
  }
  return refs;
}
