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

/** A growable list of int32 ordinals, ascending because ordinals only grow. */
class Postings {
  private data = new Int32Array(4);
  length = 0;
  push(ordinal: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = ordinal;
  }
  forEach(fn: (ordinal: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.data[i]!);
  }
}

/** Shorter prefixes match too many words to be useful while typing. */
const MIN_PREFIX = 2;

export class SearchIndex {
  private readonly postings = new Map<string, Postings>();
  private sortedTerms: string[] | null = null;
  /** ordinal → document id; a re-indexed document gets a new ordinal and its old one is cleared. */
  private readonly ids: (string | null)[] = [];
  private readonly ordinalOf = new Map<string, number>();

  /** (Re)indexes a document from its searchable texts. */
  put(id: string, texts: readonly string[]): void {
    const previous = this.ordinalOf.get(id);
    if (previous !== undefined) this.ids[previous] = null;
    const ordinal = this.ids.length;
    this.ids.push(id);
    this.ordinalOf.set(id, ordinal);
    // Folded terms are ASCII and accented ones are not, so both share one map without clashing.
    const terms = new Set(texts.flatMap((t) => [...searchTerms(t), ...accentedTerms(t)]));
    for (const term of terms) {
      let list = this.postings.get(term);
      if (!list) { list = new Postings(); this.postings.set(term, list); this.sortedTerms = null; }
      list.push(ordinal);
    }
  }

  /** Ids of documents containing every word of the query; the last word may be a prefix. An accented word matches only that accented word. */
  search(query: string): string[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const lists = words.map((w, i) => this.listsFor(w.term, i === words.length - 1));
    if (lists.some((l) => l.length === 0)) return [];
    const size = (ls: Postings[]) => ls.reduce((n, l) => n + l.length, 0);
    lists.sort((a, b) => size(a) - size(b));
    let candidates: number[] = [];
    const mark = new Uint8Array(this.ids.length);
    lists[0]!.forEach((l) => l.forEach((o) => { if (!mark[o]) { mark[o] = 1; candidates.push(o); } }));
    for (const other of lists.slice(1)) {
      const seen = new Uint8Array(this.ids.length);
      other.forEach((l) => l.forEach((o) => { seen[o] = 1; }));
      candidates = candidates.filter((o) => seen[o] === 1);
      if (candidates.length === 0) return [];
    }
    const out: string[] = [];
    for (const o of candidates) { const id = this.ids[o]; if (id) out.push(id); }
    return out;
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
