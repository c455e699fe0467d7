// Full-text index of the ward's documents, folded for Vietnamese.
//
// Written by hand rather than with MiniSearch (tried first): MiniSearch scores
// every matching document with BM25 per term, and in a register where every
// trích yếu contains "về việc" a query touches nearly every document — 72 ms
// p95 at 10,000 documents, far over budget at 100,000. A register is read by
// recency anyway, so this index only answers "which documents contain all
// these words" with sorted posting lists intersected through a mark array,
// and leaves ordering to the caller.
import { accentedTerms, queryWords, searchTerms } from '../sync/text.js';
import { Postings } from './postings.js';

/**
 * The index as stored in the projection snapshot: per term, its postings as
 * positions in the snapshot's document list, gap-encoded (node/postings.ts)
 * in one buffer: term t's bytes are offsets[t]..offsets[t+1].
 */
export interface IndexImage { terms: string[]; offsets: Uint32Array<ArrayBuffer>; counts: Uint32Array<ArrayBuffer>; lasts: Int32Array<ArrayBuffer>; bytes: Uint8Array<ArrayBuffer> }

/** Each document's current ordinal. */
export interface OrdinalMap<K> { get(key: K): number | undefined; set(key: K, ordinal: number): unknown }

/** Ordinals of documents named by small numbers (rows), in a typed array: 4 bytes a document where a Map takes about 30. */
export class RowOrdinals implements OrdinalMap<number> {
  private ordinals = new Int32Array(1024).fill(-1);
  get(row: number): number | undefined { const o = this.ordinals[row]; return o === undefined || o < 0 ? undefined : o; }
  set(row: number, ordinal: number): void {
    if (row >= this.ordinals.length) {
      const next = new Int32Array(Math.max(row + 1, Math.ceil(this.ordinals.length * 1.25))).fill(-1);
      next.set(this.ordinals);
      this.ordinals = next;
    }
    this.ordinals[row] = ordinal;
  }
}

/** Shorter prefixes match too many words to be useful while typing. */
const MIN_PREFIX = 2;

/** Keyed by document id, or by anything else that names a document (the projection's rows). */
export class SearchIndex<K extends string | number = string> {
  private readonly postings = new Map<string, Postings>();
  private sortedTerms: string[] | null = null;
  private stamps: Uint8Array | null = null;
  /** ordinal → document; a re-indexed document gets a new ordinal and its old one is cleared. */
  private readonly ids: (K | null)[] = [];
  private readonly ordinalOf: OrdinalMap<K>;

  /** `ordinals`: where each document's ordinal is kept (by default a Map; by row, a typed array: node/projection.ts). */
  constructor(ordinals: OrdinalMap<K> = new Map<K, number>()) { this.ordinalOf = ordinals; }

  /** (Re)indexes a document from its searchable texts. */
  put(id: K, texts: readonly string[]): void {
    const previous = this.ordinalOf.get(id);
    if (previous !== undefined) this.ids[previous] = null;
    const ordinal = this.ids.length;
    this.ids.push(id);
    this.ordinalOf.set(id, ordinal);
    this.post(ordinal, texts);
  }

  /**
   * Adds words to a document already indexed (its number and symbol, once
   * given), without its other texts, which are on disk and not in memory. A
   * list may then hold an older ordinal after newer ones, or one twice:
   * searching marks ordinals, so neither changes an answer, and `image()`
   * sorts them out.
   */
  add(id: K, texts: readonly string[]): void {
    const ordinal = this.ordinalOf.get(id);
    if (ordinal === undefined) this.put(id, texts);
    else this.post(ordinal, texts);
  }

  private post(ordinal: number, texts: readonly string[]): void {
    // Folded terms are ASCII and accented ones are not, so both share one map without clashing.
    const terms = new Set<string>();
    for (const t of texts) {
      if (t.length === 0) continue;
      for (const term of searchTerms(t)) terms.add(term);
      for (const term of accentedTerms(t)) terms.add(term);
    }
    for (const term of terms) {
      let list = this.postings.get(term);
      if (!list) { list = Postings.empty(); this.postings.set(term, list); this.sortedTerms = null; }
      list.push(ordinal);
    }
  }

  /** The index with ordinals renumbered to `positionOf` (the snapshot's document order); replaced documents' old entries are dropped. */
  image(positionOf: (id: K) => number | undefined): IndexImage {
    const terms: string[] = [];
    const offsets: number[] = [0];
    const counts: number[] = [];
    const lasts: number[] = [];
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Looked up once per document, not once per posting (35 million at 200,000 documents).
    const map = new Int32Array(this.ids.length).fill(-1);
    let keepsOrder = true, previous = -1;
    this.ids.forEach((id, o) => {
      const p = id !== null ? positionOf(id) : undefined;
      if (p === undefined) return;
      map[o] = p;
      if (p < previous) keepsOrder = false;
      previous = p;
    });
    for (const term of this.terms()) {
      const list = this.postings.get(term)!.remap(map, keepsOrder);
      if (list.length === 0) continue;
      const bytes = list.encoded();
      terms.push(term);
      chunks.push(bytes);
      counts.push(list.length);
      lasts.push(list.lastOrdinal);
      total += bytes.length;
      offsets.push(total);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    return { terms, offsets: Uint32Array.from(offsets), counts: Uint32Array.from(counts), lasts: Int32Array.from(lasts), bytes };
  }

  /** Indexed documents in ordinal order: a snapshot in this order renumbers the postings without sorting them. */
  idsInOrder(): K[] { return this.ids.filter((id): id is K => id !== null); }

  /** Reads an index image back; `ids` are the snapshot's documents, in its order. */
  static fromImage<K extends string | number>(image: IndexImage, ids: readonly K[], ordinals?: OrdinalMap<K>): SearchIndex<K> {
    const index = new SearchIndex<K>(ordinals);
    // Copied out of the snapshot file's buffer, which the lists would otherwise keep whole (summaries and all).
    const bytes = image.bytes.slice();
    ids.forEach((id, i) => { index.ids.push(id); index.ordinalOf.set(id, i); });
    image.terms.forEach((term, t) => index.postings.set(term, Postings.over(bytes.subarray(image.offsets[t]!, image.offsets[t + 1]!), image.counts[t]!, image.lasts[t]!)));
    index.sortedTerms = image.terms;
    return index;
  }

  /** Gives back spare capacity after a build (the rebuild grows lists by doubling). */
  compact(): void { for (const list of this.postings.values()) list.compact(); }

  /** Bytes held by the postings, for the memory bench. */
  get postingBytes(): number {
    let n = 0;
    for (const list of this.postings.values()) n += list.byteLength;
    return n;
  }

  /** Ids of documents containing every word of the query; the last word may be a prefix. An accented word matches only that accented word. */
  search(query: string): K[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const lists = words.map((w, i) => this.listsFor(w.term, i === words.length - 1));
    if (lists.some((l) => l.length === 0)) return [];
    const size = (ls: Postings[]) => ls.reduce((n, l) => n + l.length, 0);
    lists.sort((a, b) => size(a) - size(b));
    // A stamp per document: word w moves w to w + 1, so only documents with every word reach the last stamp.
    const stamps = this.stampsFor(lists.length);
    lists.forEach((ls, w) => { for (const l of ls) l.stamp(stamps, w, w + 1); });
    // The documents with every word are among the rarest word's: read its lists again rather than every stamp.
    const found: number[] = [];
    for (const l of lists[0]!) l.stamp(stamps, lists.length, lists.length + 1, found);
    const out: K[] = [];
    for (const o of found) { const id = this.ids[o]; if (id !== null && id !== undefined) out.push(id); }
    return out;
  }

  /**
   * The stamps, zeroed, reused from one search to the next (searches run one at a time): a fresh
   * 200 KB array per search is external memory that makes V8 run full collections of the whole heap.
   */
  private stampsFor(words: number): Uint8Array | Uint16Array {
    if (words >= 255) return new Uint16Array(this.ids.length);
    if (!this.stamps || this.stamps.length < this.ids.length) this.stamps = new Uint8Array(Math.ceil(this.ids.length * 1.25));
    else this.stamps.fill(0, 0, this.ids.length);
    return this.stamps;
  }

  private listsFor(word: string, prefix: boolean): Postings[] {
    const exact = this.postings.get(word);
    if (!prefix || word.length < MIN_PREFIX) return exact ? [exact] : [];
    const terms = this.terms();
    const out: Postings[] = [];
    for (let i = lowerBound(terms, word); i < terms.length && terms[i]!.startsWith(word); i++) out.push(this.postings.get(terms[i]!)!);
    return out;
  }

  private terms(): string[] {
    if (!this.sortedTerms) this.sortedTerms = [...this.postings.keys()].sort();
    return this.sortedTerms;
  }
}

function lowerBound(xs: readonly string[], x: string): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
}
