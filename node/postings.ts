// One search term's posting list: the ordinals of the documents that contain
// it, ascending, stored as varint-encoded gaps. Most gaps in a list of a
// common word fit in one byte, so the ward's ~35 million postings take about
// a third of what Int32 ordinals took (docs/decisions/0011).

export class Postings {
  private bytes: Uint8Array<ArrayBuffer>;
  private used: number;
  /** Postings in `bytes`. */
  private packed: number;
  private last: number;
  /**
   * Ordinals that came in below `last` (a document indexed again with its new
   * number keeps its ordinal): few, kept aside until `compact`.
   */
  private extra: number[] | null = null;

  private constructor(bytes: Uint8Array<ArrayBuffer>, used: number, packed: number, last: number) {
    this.bytes = bytes; this.used = used; this.packed = packed; this.last = last;
  }

  static empty(): Postings { return new Postings(new Uint8Array(8), 0, 0, -1); }

  /** Over bytes encoded elsewhere (a snapshot); copied on the first push. */
  static over(bytes: Uint8Array<ArrayBuffer>, count: number, last: number): Postings { return new Postings(bytes, bytes.length, count, last); }

  get length(): number { return this.packed + (this.extra?.length ?? 0); }

  push(ordinal: number): void {
    if (ordinal <= this.last) { (this.extra ??= []).push(ordinal); return; }
    if (this.used + 5 > this.bytes.length) {
      const next = new Uint8Array(Math.max(8, this.bytes.length * 2));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    this.used = writeVarint(this.bytes, this.used, ordinal - this.last - 1);
    this.last = ordinal;
    this.packed += 1;
  }

  /**
   * Moves each of the list's ordinals whose stamp is `from` to `to`: one
   * word of a query after another, a document whose stamp reaches the number
   * of words holds them all (node/search-index.ts). No callback per posting:
   * a common word has 200,000 of them. With `found`, the ordinals moved are
   * also appended to it.
   */
  stamp(stamps: Uint8Array | Uint16Array, from: number, to: number, found?: number[]): void {
    const b = this.bytes;
    let at = 0, value = -1;
    for (let i = 0; i < this.packed; i++) {
      let byte = b[at++]!, gap = byte & 0x7f;
      for (let shift = 128; byte & 0x80; shift *= 128) { byte = b[at++]!; gap += (byte & 0x7f) * shift; }
      value += gap + 1;
      if (stamps[value] === from) { stamps[value] = to; found?.push(value); }
    }
    if (this.extra) for (const o of this.extra) if (stamps[o] === from) { stamps[o] = to; found?.push(o); }
  }

  forEach(fn: (ordinal: number) => void): void {
    const b = this.bytes;
    let at = 0, value = -1;
    for (let i = 0; i < this.packed; i++) {
      let gap = 0, shift = 0, byte: number;
      do { byte = b[at++]!; gap += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
      value += gap + 1;
      fn(value);
    }
    if (this.extra) for (const o of this.extra) fn(o);
  }

  /**
   * The list renumbered through `map` (ordinal → new ordinal, -1: dropped),
   * ascending, without repeats. A map that keeps the order (the snapshot's)
   * needs no sort: the list is read, mapped and written in one pass.
   */
  remap(map: Int32Array, keepsOrder: boolean): Postings {
    const out = Postings.empty();
    if (keepsOrder && !this.extra) {
      this.forEach((o) => { const p = map[o]!; if (p >= 0) out.push(p); });
    } else {
      const all: number[] = [];
      this.forEach((o) => { const p = map[o]!; if (p >= 0) all.push(p); });
      all.sort((a, b) => a - b);
      for (const p of all) if (p > out.last) out.push(p);
    }
    out.compact();
    return out;
  }

  /** Sorts in what came in out of order and gives back the spare capacity. */
  compact(): void {
    if (this.extra) {
      const all: number[] = [];
      this.forEach((o) => all.push(o));
      all.sort((a, b) => a - b);
      const next = Postings.empty();
      for (const o of all) if (o > next.last) next.push(o);
      this.bytes = next.bytes; this.used = next.used; this.packed = next.packed; this.last = next.last; this.extra = null;
    }
    if (this.bytes.length > this.used) this.bytes = this.bytes.slice(0, this.used);
  }

  /** The encoded bytes (after `compact`, exactly the list). */
  encoded(): Uint8Array<ArrayBuffer> { return this.bytes.subarray(0, this.used); }
  get lastOrdinal(): number { return this.last; }
  get byteLength(): number { return this.bytes.byteLength + 8 * (this.extra?.length ?? 0); }
}


function writeVarint(b: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) { b[at++] = (n & 0x7f) | 0x80; n = Math.floor(n / 128); }
  b[at++] = n;
  return at;
}
