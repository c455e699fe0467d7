// The replication feed of one official: the store's _changes, _bulk_get and
// _all_docs filtered to their working set (node/working-set.ts). When a
// change brings a document into the set (a draft submitted, an old document
// assigned to them), the document and all its events are sent again at that
// change's seq: their own changes are older than the device's checkpoint.
// Sending a revision the device already has costs only a revs_diff entry.
import type { Projection } from './projection.js';
import { DocLocator, joinedBy, viewInSet, type Reader } from './working-set.js';

export interface FeedChange { seq: number | string; id: string; changes: { rev: string }[]; deleted?: true }
export interface FeedPage { results: FeedChange[]; last_seq: number | string }

/** How many store changes are read per step while filling a page. */
const SCAN = 500;
/**
 * A `doc:`/`ev:` change the in-memory view does not know yet (a city arrival
 * being applied, an event ahead of its document) holds the feed back for this
 * long, so no device checkpoints past it; after that it is passed over.
 */
const UNKNOWN_GRACE_MS = 10_000;

export class ReplicateFeed {
  private readonly locate: DocLocator;

  private readonly unknownSince = new Map<string, number>();

  /** `settle` resolves when no write is half-applied (the ledger's lock): the view then matches the store. */
  constructor(private readonly db: PouchDB.Database, private readonly projection: Projection, private readonly settle: () => Promise<void>, private readonly now: () => number = Date.now) {
    this.locate = new DocLocator(projection);
  }

  /** Is this replicated id the reader's to read (now)? */
  allowed(id: string, reader: Reader): boolean {
    const view = this.locate.view(id);
    if (!view) return false;
    if (id.startsWith('ev:') && !this.locate.event(view, id)) return false;
    return viewInSet(view, reader, this.now());
  }

  /** Every id of the reader's set (documents and their events), sorted. */
  ids(reader: Reader): string[] {
    const nowMs = this.now();
    const ids: string[] = [];
    for (const v of this.projection.all()) if (viewInSet(v, reader, nowMs)) ids.push(v.id, ...v.events.map((e) => e._id));
    return ids.sort();
  }

  /**
   * Up to about `limit` changes after `since` (a group brought in by one change
   * is never split, so a page may run over). `last_seq` is how far the store
   * was read: an empty page means the reader is up to date.
   */
  async changes(reader: Reader, since: number | string, limit: number, style: 'main_only' | 'all_docs'): Promise<FeedPage> {
    await this.settle();
    // Only what the view had applied when the writer was idle; later writes wait for the next request.
    const head = Number((await this.db.info()).update_seq);
    const nowMs = this.now();
    const out: (FeedChange | { seq: number | string; expand: string })[] = [];
    let cursor = since;
    let lastSeq: number | string = since;
    scan: for (;;) {
      const page = await this.db.changes({ since: cursor, limit: SCAN, style });
      for (const ch of page.results) {
        if (Number(ch.seq) > head) break scan;
        const replicated = ch.id.startsWith('doc:') || ch.id.startsWith('ev:');
        const view = replicated ? this.locate.view(ch.id) : undefined;
        const event = view && ch.id.startsWith('ev:') ? this.locate.event(view, ch.id) : undefined;
        if (replicated && !ch.deleted && (!view || (ch.id.startsWith('ev:') && !event)) && this.holdBack(ch.id, nowMs)) break scan;
        lastSeq = ch.seq;
        if (!view || !viewInSet(view, reader, nowMs)) continue;
        if (ch.id.startsWith('ev:') && !event) continue;
        // A document's first revision, or an event that brings the document into the set: send it whole.
        const first = ch.id.startsWith('doc:') && ch.changes.some((c) => c.rev.startsWith('1-'));
        if (first || (event && joinedBy(view, event, reader))) {
          for (const id of [view.id, ...view.events.map((e) => e._id)]) if (id !== ch.id) out.push({ seq: ch.seq, expand: id });
        }
        out.push({ seq: ch.seq, id: ch.id, changes: ch.changes, ...(ch.deleted ? { deleted: true as const } : {}) });
        if (out.length >= limit) break scan;
      }
      cursor = page.last_seq;
      if (page.results.length < SCAN) { lastSeq = Math.min(Number(page.last_seq), head); break; }
    }
    return { results: await this.resolve(out), last_seq: lastSeq };
  }

  private holdBack(id: string, nowMs: number): boolean {
    const first = this.unknownSince.get(id) ?? nowMs;
    this.unknownSince.set(id, first);
    if (this.unknownSince.size > 10_000) this.unknownSince.clear();
    return nowMs - first < UNKNOWN_GRACE_MS;
  }

  /** Fills in the current revisions of the documents sent again, then keeps each id once, at its last place. */
  private async resolve(out: (FeedChange | { seq: number | string; expand: string })[]): Promise<FeedChange[]> {
    const wanted = [...new Set(out.flatMap((c) => ('expand' in c ? [c.expand] : [])))];
    const revs = new Map<string, string>();
    if (wanted.length > 0) {
      const rows = await this.db.allDocs({ keys: wanted });
      for (const row of rows.rows) if (row.value && !row.value.deleted && !row.error) revs.set(row.id, row.value.rev);
    }
    const seen = new Set<string>();
    const results: FeedChange[] = [];
    for (let i = out.length - 1; i >= 0; i -= 1) {
      const c = out[i]!;
      const id = 'expand' in c ? c.expand : c.id;
      if (seen.has(id)) continue;
      seen.add(id);
      if ('expand' in c) {
        const rev = revs.get(id);
        if (rev) results.push({ seq: c.seq, id, changes: [{ rev }] });
      } else results.push(c);
    }
    return results.reverse();
  }

  /** Resolves when the store changes after `since`, or after `ms`, or when `signal` aborts. */
  waitForChange(since: number | string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const feed = this.db.changes({ since, live: true, limit: 1 });
      const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); feed.cancel(); resolve(); };
      const timer = setTimeout(done, ms);
      feed.on('change', done);
      feed.on('error', done);
      signal.addEventListener('abort', done);
    });
  }
}
