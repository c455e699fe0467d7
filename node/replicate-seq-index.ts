// Where each document last changed in the store: the highest seq among its
// record and events. Devices' feeds (node/replicate-feed.ts) walk it in seq
// order; reading the store's changes again for every page of every device
// made a first pull of 5,000 documents spend ~35 of its ~43 s in LevelDB.
//
// Compact, as a ward of 200,000 documents has ~683,000 records: one entry
// per document, not per record — its seq in a Float64Array and an ordinal
// into the document ids, which are the view's own strings. A record's
// revisions are not held: the feed reads them from the store for the page it
// answers (store-scan.ts readMeta). Holding them, with every record's id,
// took ~230 bytes a record (~200 MB at 200,000 documents). Built by one pass
// over PouchDB's document metadata (each record's latest seq), then kept up
// by the store's changes feed (docs/decisions/0012).
import { isDeleted, scanMeta, type StoreLevel } from './store-scan.js';

/** A document whose latest change is at `seq`; or a record no document of the view owns yet (`docId` undefined). */
export interface SeqEntry { seq: number; docId: string | undefined; id: string; deleted: boolean }

/** The document a replicated record belongs to, once the view has applied it; undefined until then. */
export type Resolve = (id: string) => string | undefined;

/** Changes read from the store per step while catching up. */
const PAGE = 5000;

/** A growable typed array. */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(public data: T) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

export class SeqIndex {
  private readonly ordinalOf = new Map<string, number>();
  private readonly docIds: string[] = [];
  /** Per document ordinal: the seq of its latest change. */
  private latest = new Column(new Float64Array(1024));
  /** Ascending seq. An entry whose document changed again later is stale (skipped, dropped at compaction). */
  private logSeq = new Column(new Float64Array(1024));
  /** The entry's document ordinal, or -1: a loose record (below). */
  private logRef = new Column(new Int32Array(1024));
  /** Records the view did not own when read (an event ahead of its document, a deleted record), by seq. */
  private readonly loose = new Map<number, { id: string; deleted: boolean }>();
  private stale = 0;
  private cursor = 0;
  private built = false;
  private reading: Promise<boolean> | null = null;

  constructor(private readonly level: StoreLevel, private readonly resolve: Resolve) {}

  /** Reads the store until at least `head` (one reader at a time; later callers join it). */
  async catchUp(head: number): Promise<void> {
    while (this.cursor < head || !this.built) {
      this.reading ??= (this.built ? this.readPage() : this.build(head)).finally(() => { this.reading = null; });
      if (!await this.reading) break;
    }
    this.resolveLoose();
  }

  /** Entries after `since`, in seq order: each document at its latest change, and loose records (resolved again on the way). */
  *after(since: number): Generator<SeqEntry> {
    const seqs = this.logSeq.data; // compaction and growth replace the arrays; a walk finishes on the ones it started with
    const refs = this.logRef.data;
    const end = this.logSeq.length;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid]! <= since) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < end; i += 1) {
      const seq = seqs[i]!;
      const ref = refs[i]!;
      if (ref < 0) {
        const record = this.loose.get(seq);
        if (record) yield { seq, docId: this.resolve(record.id), id: record.id, deleted: record.deleted };
        continue;
      }
      if (this.latest.data[ref] === seq) yield { seq, docId: this.docIds[ref]!, id: this.docIds[ref]!, deleted: false };
    }
  }

  /** Documents, loose records and log entries held: for the bench and tests. */
  stats(): { documents: number; loose: number; entries: number } {
    return { documents: this.docIds.length, loose: this.loose.size, entries: this.logSeq.length };
  }

  /** The first pass: every record's latest seq from its metadata, up to `head`; later changes come through readPage. */
  private async build(head: number): Promise<boolean> {
    const pending: { seq: number; ref: number }[] = [];
    for (const [from, to] of [['doc:', 'doc:\uffff'], ['ev:', 'ev:\uffff']] as const) {
      for await (const meta of scanMeta(this.level, from, to)) {
        if (meta.seq > head) continue; // changed while being read: the changes feed brings it, in order
        const ref = this.refOf(meta.id, meta.seq, isDeleted(meta));
        if (ref >= 0) { if (this.latest.data[ref]! < meta.seq) this.latest.data[ref] = meta.seq; } else pending.push({ seq: meta.seq, ref });
      }
    }
    for (let ref = 0; ref < this.docIds.length; ref++) pending.push({ seq: this.latest.data[ref]!, ref });
    pending.sort((a, b) => a.seq - b.seq);
    for (const { seq, ref } of pending) { this.logSeq.push(seq); this.logRef.push(ref); }
    this.cursor = head;
    this.built = true;
    return true;
  }

  /** false when the store had nothing more to read. */
  private async readPage(): Promise<boolean> {
    const page = await this.level.db.changes({ since: this.cursor, limit: PAGE });
    for (const ch of page.results) {
      if (!ch.id.startsWith('doc:') && !ch.id.startsWith('ev:')) continue;
      const seq = Number(ch.seq);
      const ref = this.refOf(ch.id, seq, ch.deleted === true);
      if (ref >= 0) { if (this.latest.data[ref]! > 0) this.stale += 1; this.latest.data[ref] = seq; }
      this.logSeq.push(seq);
      this.logRef.push(ref);
    }
    const moved = Number(page.last_seq) > this.cursor;
    this.cursor = Math.max(this.cursor, Number(page.last_seq));
    if (this.stale > 1000 && this.stale * 2 > this.logSeq.length) this.compact();
    return moved && page.results.length > 0;
  }

  /**
   * Ties loose records the view has applied since to their document (the
   * walk resolves them too, but a document's latest change must be known to
   * leave it out at its older ones). Only between walks: it edits the log.
   */
  private resolveLoose(): void {
    for (const [seq, record] of this.loose) {
      const docId = this.resolve(record.id);
      if (docId === undefined) continue;
      this.loose.delete(seq);
      const ref = this.ordinal(docId);
      let lo = 0;
      let hi = this.logSeq.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (this.logSeq.data[mid]! < seq) lo = mid + 1; else hi = mid; }
      if (this.logSeq.data[lo] === seq) this.logRef.data[lo] = ref;
      if (this.latest.data[ref]! < seq) { this.latest.data[ref] = seq; this.stale += 1; }
    }
  }

  /** The record's document ordinal; or -1, the record kept loose at `seq`. */
  private refOf(id: string, seq: number, deleted: boolean): number {
    const docId = this.resolve(id);
    if (docId !== undefined) return this.ordinal(docId);
    this.loose.set(seq, { id, deleted });
    return -1;
  }

  private ordinal(docId: string): number {
    let ref = this.ordinalOf.get(docId);
    if (ref === undefined) {
      ref = this.docIds.length;
      this.docIds.push(docId);
      this.ordinalOf.set(docId, ref);
      this.latest.push(0);
    }
    return ref;
  }

  private compact(): void {
    const seqs = new Column(new Float64Array(Math.max(1024, this.logSeq.length - this.stale)));
    const refs = new Column(new Int32Array(seqs.data.length));
    for (let i = 0; i < this.logSeq.length; i++) {
      const seq = this.logSeq.data[i]!;
      const ref = this.logRef.data[i]!;
      if (ref >= 0 ? this.latest.data[ref] !== seq : !this.loose.has(seq)) continue;
      seqs.push(seq);
      refs.push(ref);
    }
    this.logSeq = seqs;
    this.logRef = refs;
    this.stale = 0;
  }
}
