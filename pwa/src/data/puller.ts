// One pull run from the node's read-only replication endpoint into the local
// replica (CHT's lesson: one-shot runs started from the edge, remote closed
// after each run), with PouchDB's own replicator: checkpoints on the device,
// every leaf revision (conflicts) copied as they are on the node.
import type { FetchLike } from './outbox.js';
import { prefetching } from './prefetch.js';

export type PullOutcome = { ok: true; docsWritten: number } | { ok: false; reason: 'offline' | 'unauthenticated' };

/** A document as the replicator wrote it into the replica (with its revision history). */
export type PulledDoc = PouchDB.Core.Document & Record<string, unknown>;

export interface PullOptions {
  PouchDB: PouchDB.Static;
  local: PouchDB.Database;
  baseUrl: string;
  fetch: FetchLike;
  onProgress: (p: { docsRead: number; docsWritten: number }) => void;
  /** Each batch's documents once they are written to the replica. */
  onDocs?: (docs: PulledDoc[]) => void;
}

/**
 * 500 documents a batch (~0.4 MB of _bulk_get on the ward LAN): a first pull
 * of 5,000 documents with their events is ~18,000 records, and in Chromium
 * each batch costs IndexedDB transactions and a checkpoint of its own (batches
 * of 100 spent ~130 ms a batch on the device beside the writes). A cut costs
 * at most the batch in flight: the checkpoint before it holds.
 */
const BATCH = 500;
/** Batches fetched ahead while the device writes (the replicator's default is 10). */
const AHEAD = 3;

export async function pullOnce(o: PullOptions): Promise<PullOutcome> {
  let remote: PouchDB.Database | null = null;
  const restore = fastRevsDiff(o.local);
  try {
    // Into an empty replica every revision listed is missing: fetch each page's documents ahead.
    const empty = (await o.local.info()).doc_count === 0;
    remote = new o.PouchDB(`${o.baseUrl}/api/replicate`, { skip_setup: true, fetch: empty ? prefetching(o.fetch) : o.fetch });
    const run = o.local.replicate.from(remote, { batch_size: BATCH, batches_limit: AHEAD });
    run.on('change', (info: { docs_read?: number; docs_written?: number; docs?: PulledDoc[] }) => {
      if (info.docs) o.onDocs?.(info.docs);
      o.onProgress({ docsRead: info.docs_read ?? 0, docsWritten: info.docs_written ?? 0 });
    });
    const result = await run as { docs_written?: number };
    return { ok: true, docsWritten: result.docs_written ?? 0 };
  } catch (err) {
    const status = (err as { status?: number } | null)?.status;
    return { ok: false, reason: status === 401 ? 'unauthenticated' : 'offline' };
  } finally {
    restore();
    await remote?.close().catch(() => undefined);
  }
}

type RevsDiff = (diff: Record<string, string[]>) => Promise<Record<string, { missing: string[] }>>;

/**
 * The replicator asks the replica which revisions it lacks (revs_diff). The
 * browser adapter answers one IndexedDB transaction per document, which cost
 * ~3 s of a first pull of 18,000 records. A document the replica does not
 * hold at all lacks every revision, and one _all_docs read over the batch's
 * ids (one transaction) finds those; only the documents it holds go through
 * PouchDB's own revs_diff. Same answer, so the same replica. Undone after the run.
 */
function fastRevsDiff(local: PouchDB.Database): () => void {
  const db = local as PouchDB.Database & { revsDiff: RevsDiff };
  const own = Object.prototype.hasOwnProperty.call(db, 'revsDiff') ? db.revsDiff : undefined;
  const original = db.revsDiff.bind(db);
  db.revsDiff = async (diff) => {
    const ids = Object.keys(diff);
    const rows = (await local.allDocs({ keys: ids })).rows;
    const held = ids.filter((_, i) => !rows[i]?.error);
    const answer = held.length > 0 ? await original(Object.fromEntries(held.map((id) => [id, diff[id]!]))) : {};
    for (const [i, id] of ids.entries()) if (rows[i]?.error) answer[id] = { missing: diff[id]! };
    return answer;
  };
  return () => { if (own) db.revsDiff = own; else delete (db as Partial<typeof db>).revsDiff; };
}
