// The replication feed of one official: the store's _changes, _bulk_get and
// _all_docs filtered to their working set (node/working-set.ts), answered
// from an in-memory index of where each document last changed
// (node/replicate-seq-index.ts) and, for the page answered, the records'
// revisions read from the store (node/store-scan.ts).
//
// The feed goes document by document: a document of the set is sent whole —
// its record and every event — at the seq of the latest change among them.
// So a page (since, last_seq] holds every document of the set that last
// changed in that range, and a device checkpointed at S has every document
// of its set as of S, whatever brought it in (a draft submitted, an old
// document assigned to them): nothing depends on the device having seen a
// document's older changes. A document already on the device costs only
// revs_diff entries; a first pull reads each record once.
import type { Projection } from './projection.js';
import { SeqIndex } from './replicate-seq-index.js';
import { isDeleted, leavesOf, levelOf, readMeta, type StoreLevel } from './store-scan.js';
import { DocLocator, setFilter, type Reader } from './working-set.js';

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
  private readonly level: StoreLevel;
  private readonly unknownSince = new Map<string, number>();
  private readonly sizes = new Map<string, { head: number | string; at: number; size: number }>();

  /** `settle` resolves when what the view has applied is on disk (ledger.durable()): the store then holds nothing the view lacks but replication. */
  constructor(private readonly db: PouchDB.Database, private readonly projection: Projection, private readonly settle: () => Promise<void>, private readonly now: () => number = Date.now) {
    this.locate = new DocLocator(projection);
    const level = levelOf(db);
    if (!level) throw new Error('the replication feed reads the store as openStore opened it (node/store.ts)');
    this.level = level;
    this.index = new SeqIndex(level, (id) => this.owner(id));
  }

  /**
   * Builds the index ahead of the first device once the view is complete, in
   * a store small enough for that to be quick (~1 s). In a larger one the
   * first device builds it (5–10 s at 200,000 documents, once): a ward no
   * device pulls from keeps the build's passing memory (tens of MB of V8
   * heap, for a while) out of its budget. A failure (the store closing)
   * leaves it to the first request.
   */
  async prepare(): Promise<void> {
    try {
      await this.projection.whenReady();
      const head = Number((await this.db.info()).update_seq);
      if (head <= PREPARE_AT_MOST) await this.index.catchUp(head);
    } catch { /* the next request reads it */ }
  }

  /** The row of the document a record belongs to, once the view has applied the record. */
  private rowOf(id: string): number | undefined {
    const row = this.locate.row(id);
    if (row === undefined || (id.startsWith('ev:') && !this.locate.eventAt(row, id))) return undefined;
    return row;
  }

  /** The document a record belongs to, once the view has applied the record. */
  private owner(id: string): string | undefined {
    const row = this.rowOf(id);
    return row === undefined ? undefined : this.projection.rows.idAt(row) ?? undefined;
  }

  /** Is this replicated id the reader's to read (now)? */
  allowed(id: string, reader: Reader): boolean {
    return this.allowedAll([id], reader)[0]!;
  }

  /** `allowed` of each id, with the reader's set worked out once. */
  allowedAll(ids: readonly string[], reader: Reader): boolean[] {
    const inSet = setFilter(this.projection.rows, reader, this.now());
    return ids.map((id) => { const row = this.rowOf(id); return row !== undefined && inSet(row); });
  }

  /**
   * May the reader have revision `rev` of `id` (already `allowed`)? A
   * document's older revisions hold what its author deleted while it was a
   * private draft: only the author may read them. Others get the current
   * leaves (the winner, or a conflict's other side), which is all replication
   * needs. Events are written once: their one revision is the document's.
   */
  async revisionAllowed(id: string, rev: string, reader: Reader): Promise<boolean> {
    return (await this.revisionsAllowed([{ id, rev }], reader))[0]!;
  }

  /**
   * `revisionAllowed` of each, reading the leaves of the documents that need
   * it from the store's metadata in one read: no body is read (a first pull's
   * _bulk_get asked this of every document, and read each body twice).
   */
  async revisionsAllowed(asked: readonly { id: string; rev: string }[], reader: Reader): Promise<boolean[]> {
    const t = this.projection.rows;
    const user = t.code(reader.user);
    const verdicts = asked.map(({ id }): boolean | null => {
      const row = this.locate.row(id);
      if (row === undefined) return false;
      if (!id.startsWith('doc:')) return true;
      const a = t.shared.author[row]!;
      return user >= 0 && (a >= 0 ? a : t.shared.createdBy[row]) === user ? true : null;
    });
    const unsure = asked.filter((_, i) => verdicts[i] === null);
    if (unsure.length === 0) return verdicts as boolean[];
    const metas = await readMeta(this.level, unsure.map((a) => a.id));
    let next = 0;
    return verdicts.map((v, i) => {
      if (v !== null) return v;
      const meta = metas[next++];
      return meta !== null && meta !== undefined && leavesOf(meta).includes(asked[i]!.rev);
    });
  }

  /** Every id of the reader's set (documents and their events), sorted; at most `limit` of them. */
  ids(reader: Reader, limit = Infinity): string[] {
    const t = this.projection.rows;
    const inSet = setFilter(t, reader, this.now());
    const ids: string[] = [];
    for (let row = 0; row < t.rowCount; row++) if (inSet(row)) ids.push(t.idAt(row)!, ...this.projection.eventIdsAt(row));
    ids.sort();
    return ids.length > limit ? ids.slice(0, limit) : ids;
  }

  /** How many records the reader's set holds as of store seq `head` (reused for a few seconds while `head` stays). */
  size(reader: Reader, head: number | string): number {
    const key = `${reader.role}:${reader.user}`;
    const nowMs = this.now();
    const known = this.sizes.get(key);
    if (known && known.head === head && nowMs - known.at < SIZE_TTL_MS) return known.size;
    const size = this.countOf(reader);
    if (this.sizes.size > 1000) this.sizes.clear();
    this.sizes.set(key, { head, at: nowMs, size });
    return size;
  }

  /** How many records (documents and their events) the reader's set holds: counted from the columns, no id made. */
  private countOf(reader: Reader): number {
    const t = this.projection.rows;
    const inSet = setFilter(t, reader, this.now());
    let n = 0;
    for (let row = 0; row < t.rowCount; row++) if (inSet(row)) n += 1 + t.eventCountAt(row);
    return n;
  }

  /**
   * Documents of the set whose latest change is after `since`, each whole at
   * that change's seq, until about `limit` changes (a document is never
   * split, so a page may run over). `last_seq` is how far the store was read:
   * an empty page means the reader is up to date.
   */
  async changes(reader: Reader, since: number | string, limit: number, style: 'main_only' | 'all_docs'): Promise<FeedPage> {
    await this.settle();
    await this.projection.whenReady();
    // Only what the view had applied when the writer was idle; later writes wait for the next request.
    const head = Number((await this.db.info()).update_seq);
    await this.index.catchUp(head);
    const nowMs = this.now();
    const t = this.projection.rows;
    const inSet = setFilter(t, reader, nowMs);
    const from = Number(since) || 0; // an opaque seq we never gave out: start over (revs_diff keeps it cheap)
    const picked: { row: number; seq: number }[] = [];
    let records = 0;
    let lastSeq = from;
    let stopped = false;
    for (const entry of this.index.after(from)) {
      if (entry.seq > head) break;
      const row = entry.docId === undefined ? undefined : t.rowOf(entry.docId);
      if (row === undefined && !entry.deleted && this.holdBack(entry.id, nowMs)) { stopped = true; break; }
      lastSeq = entry.seq;
      if (row === undefined || !inSet(row)) continue;
      picked.push({ row, seq: entry.seq });
      records += 1 + t.eventCountAt(row);
      if (records >= limit) { stopped = true; break; }
    }
    if (!stopped) lastSeq = Math.max(lastSeq, head);
    const out = await this.pageOf(picked);
    if (style === 'main_only') await this.winnersOnly(out);
    return { results: out, last_seq: lastSeq };
  }

  /**
   * Each picked document whole — its record and every event, with their leaf
   * revisions as the store has them now — at the seq of its latest change. A
   * document with a record changed since that seq is left out here: it goes
   * out at that later change.
   */
  private async pageOf(picked: readonly { row: number; seq: number }[]): Promise<FeedChange[]> {
    const groups = picked.map(({ row }) => [this.projection.rows.idAt(row)!, ...this.projection.eventIdsAt(row)]);
    const metas = await readMeta(this.level, groups.flat());
    const out: FeedChange[] = [];
    let at = 0;
    picked.forEach(({ seq }, g) => {
      const group = metas.slice(at, at += groups[g]!.length);
      if (group.some((m) => m !== null && m.seq > seq)) return;
      for (const m of group) if (m) out.push({ seq, id: m.id, changes: leavesOf(m).map((rev) => ({ rev })), ...(isDeleted(m) ? { deleted: true as const } : {}) });
    });
    return out;
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
