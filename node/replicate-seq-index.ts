// Where each replicated record (`doc:`, `ev:`) last changed in the store: its
// seq and leaf revisions, kept in memory by following the store's changes
// feed. Devices' feeds (node/replicate-feed.ts) are answered from it: reading
// the store's changes again for every page of every device made a first pull
// of 5,000 documents spend ~35 of its ~43 s in LevelDB (each page read 500
// changes from disk to fill 100). Reading the whole store's changes once
// takes ~1.3 s for 21,667 records; every page after that is memory only.
export interface SeqEntry {
  seq: number;
  id: string;
  /** Every leaf revision (CouchDB's style=all_docs): conflicting revisions travel too. */
  leaves: string[];
  deleted: boolean;
}

/** Changes read from the store per step while catching up. */
const PAGE = 5000;

export class SeqIndex {
  private readonly latest = new Map<string, SeqEntry>();
  /** Ascending seq. An entry whose id changed again later is stale (skipped, dropped at compaction). */
  private log: SeqEntry[] = [];
  private stale = 0;
  private cursor = 0;
  private reading: Promise<boolean> | null = null;

  constructor(private readonly db: PouchDB.Database) {}

  /** Reads the store's changes until at least `head` (one reader at a time; later callers join it). */
  async catchUp(head: number): Promise<void> {
    while (this.cursor < head) {
      this.reading ??= this.readPage().finally(() => { this.reading = null; });
      if (!await this.reading) return;
    }
  }

  get(id: string): SeqEntry | undefined { return this.latest.get(id); }

  /** The current entries after `since`, in seq order. */
  *after(since: number): Generator<SeqEntry> {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.seq <= since) lo = mid + 1; else hi = mid;
    }
    const log = this.log; // compaction replaces the array; a walk finishes on the one it started with
    for (let i = lo; i < log.length; i += 1) {
      const entry = log[i]!;
      if (this.latest.get(entry.id) === entry) yield entry;
    }
  }

  /** false when the store had nothing more to read. */
  private async readPage(): Promise<boolean> {
    const page = await this.db.changes({ since: this.cursor, limit: PAGE, style: 'all_docs' });
    for (const ch of page.results) {
      if (!ch.id.startsWith('doc:') && !ch.id.startsWith('ev:')) continue;
      const entry: SeqEntry = { seq: Number(ch.seq), id: ch.id, leaves: ch.changes.map((c) => c.rev), deleted: ch.deleted === true };
      if (this.latest.has(ch.id)) this.stale += 1;
      this.latest.set(ch.id, entry);
      this.log.push(entry);
    }
    const moved = Number(page.last_seq) > this.cursor;
    this.cursor = Math.max(this.cursor, Number(page.last_seq));
    if (this.stale > 1000 && this.stale * 2 > this.log.length) {
      this.log = this.log.filter((e) => this.latest.get(e.id) === e);
      this.stale = 0;
    }
    return moved && page.results.length > 0;
  }
}
