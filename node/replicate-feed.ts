// The replication feed of one official: the store's _changes, _bulk_get and
// _all_docs filtered to their working set (node/working-set.ts), answered
// from an in-memory index of where each record last changed
// (node/replicate-seq-index.ts).
//
// The feed goes document by document: a document of the set is sent whole —
// its record and every event — at the seq of the latest change among them.
// So a page (since, last_seq] holds every document of the set that last
// changed in that range, and a device checkpointed at S has every document
// of its set as of S, whatever brought it in (a draft submitted, an old
// document assigned to them): nothing depends on the device having seen a
// document's older changes. A document already on the device costs only
// revs_diff entries; a first pull reads each record once.
import type { DocSummary, Projection } from './projection.js';
import { SeqIndex, type SeqEntry } from './replicate-seq-index.js';
import { DocLocator, viewInSet, type Reader } from './working-set.js';

export interface FeedChange { seq: number | string; id: string; changes: { rev: string }[]; deleted?: true }
export interface FeedPage { results: FeedChange[]; last_seq: number | string }

/**
 * A `doc:`/`ev:` change the in-memory view does not know yet (a city arrival
 * being applied, an event ahead of its document) holds the feed back for this
 * long, so no device checkpoints past it; after that it is passed over.
 */
const UNKNOWN_GRACE_MS = 10_000;
/** Stores with more changes than this (~50,000 documents) build the seq index on the first device's request, not at boot. */
const PREPARE_AT_MOST = 200_000;
/** How long the size of a reader's set (GET /, asked by PouchDB after every batch) is reused while the store is unchanged. */
const SIZE_TTL_MS = 10_000;

export class ReplicateFeed {
  private readonly locate: DocLocator;
  private readonly index: SeqIndex;
  private readonly unknownSince = new Map<string, number>();
  private readonly sizes = new Map<string, { head: number | string; at: number; size: number }>();

  /** `settle` resolves when what the view has applied is on disk (ledger.durable()): the store then holds nothing the view lacks but replication. */
  constructor(private readonly db: PouchDB.Database, private readonly projection: Projection, private readonly settle: () => Promise<void>, private readonly now: () => number = Date.now) {
    this.locate = new DocLocator(projection);
    this.index = new SeqIndex(db);
  }

  /**
   * Reads the store's changes into the index ahead of the first device (a
   * first pull otherwise waits for it: ~1.3 s for 21,667 records, 4 s with
   * the node busy). A failure (the store closing) leaves it to the first request.
   */
  async prepare(): Promise<void> {
    try {
      const head = Number((await this.db.info()).update_seq);
      // The index holds ~230 bytes per record: ahead of any device it would cost a large ward
      // (900,000 records: ~200 MB) memory its lists need; there the first device builds it.
      if (head > PREPARE_AT_MOST) return;
      await this.index.catchUp(head);
    } catch { /* the next request reads it */ }
  }

  /** Is this replicated id the reader's to read (now)? */
  allowed(id: string, reader: Reader): boolean {
    const view = this.locate.view(id);
    if (!view) return false;
    if (id.startsWith('ev:') && !this.locate.event(view, id)) return false;
    return viewInSet(view, reader, this.now());
  }

  /**
   * May the reader have revision `rev` of `id` (already `allowed`)? A
   * document's older revisions hold what its author deleted while it was a
   * private draft: only the author may read them. Others get the current
   * leaves (the winner, or a conflict's other side), which is all replication
   * needs. Events are written once: their one revision is the document's.
   */
  async revisionAllowed(id: string, rev: string, reader: Reader): Promise<boolean> {
    const view = this.locate.view(id);
    if (!view) return false;
    if (!id.startsWith('doc:') || (view.derived.author ?? view.createdBy) === reader.user) return true;
    const leaves = await this.db.get(id, { open_revs: 'all' }).catch(() => []) as { ok?: { _rev?: string } }[];
    return leaves.some((leaf) => leaf.ok?._rev === rev);
  }

  /** Every id of the reader's set (documents and their events), sorted. */
  ids(reader: Reader): string[] {
    const nowMs = this.now();
    const ids: string[] = [];
    for (const v of this.projection.all()) if (viewInSet(v, reader, nowMs)) ids.push(v.id, ...this.projection.eventIds(v));
    return ids.sort();
  }

  /** How many records the reader's set holds as of store seq `head` (reused for a few seconds while `head` stays). */
  size(reader: Reader, head: number | string): number {
    const key = `${reader.role}:${reader.user}`;
    const nowMs = this.now();
    const known = this.sizes.get(key);
    if (known && known.head === head && nowMs - known.at < SIZE_TTL_MS) return known.size;
    const size = this.ids(reader).length;
    if (this.sizes.size > 1000) this.sizes.clear();
    this.sizes.set(key, { head, at: nowMs, size });
    return size;
  }

  /**
   * Documents of the set whose latest change is after `since`, each whole at
   * that change's seq, until about `limit` changes (a document is never
   * split, so a page may run over). `last_seq` is how far the store was read:
   * an empty page means the reader is up to date.
   */
  async changes(reader: Reader, since: number | string, limit: number, style: 'main_only' | 'all_docs'): Promise<FeedPage> {
    await this.settle();
    // Only what the view had applied when the writer was idle; later writes wait for the next request.
    const head = Number((await this.db.info()).update_seq);
    await this.index.catchUp(head);
    const nowMs = this.now();
    const from = Number(since) || 0; // an opaque seq we never gave out: start over (revs_diff keeps it cheap)
    const inSet = new Map<DocSummary, boolean>();
    const out: FeedChange[] = [];
    let lastSeq = from;
    let stopped = false;
    for (const entry of this.index.after(from)) {
      if (entry.seq > head) break;
      const view = this.locate.view(entry.id);
      const known = view !== undefined && (!entry.id.startsWith('ev:') || this.locate.event(view, entry.id));
      if (!known && !entry.deleted && this.holdBack(entry.id, nowMs)) { stopped = true; break; }
      lastSeq = entry.seq;
      if (!known) continue;
      let member = inSet.get(view);
      if (member === undefined) inSet.set(view, member = viewInSet(view, reader, nowMs));
      if (!member) continue;
      const group = [view.id, ...this.projection.eventIds(view)].flatMap((id) => this.index.get(id) ?? []);
      // The document goes out once, at its latest change (later in this walk, or in a later page).
      if (group.some((e) => e.seq > entry.seq)) continue;
      for (const e of group) out.push(change(e, entry.seq));
      if (out.length >= limit) { stopped = true; break; }
    }
    if (!stopped) lastSeq = Math.max(lastSeq, head);
    if (style === 'main_only') await this.winnersOnly(out);
    return { results: out, last_seq: lastSeq };
  }

  private holdBack(id: string, nowMs: number): boolean {
    const first = this.unknownSince.get(id) ?? nowMs;
    this.unknownSince.set(id, first);
    if (this.unknownSince.size > 10_000) this.unknownSince.clear();
    return nowMs - first < UNKNOWN_GRACE_MS;
  }

  /** style=main_only: each change names only the winning revision, as the store has it. */
  private async winnersOnly(out: FeedChange[]): Promise<void> {
    if (out.length === 0) return;
    const rows = await this.db.allDocs({ keys: out.map((c) => c.id) });
    rows.rows.forEach((row, i) => { if (row.value) out[i]!.changes = [{ rev: row.value.rev }]; });
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

function change(e: SeqEntry, seq: number): FeedChange {
  return { seq, id: e.id, changes: e.leaves.map((rev) => ({ rev })), ...(e.deleted ? { deleted: true as const } : {}) };
}
