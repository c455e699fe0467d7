// One pull run from the node's read-only replication endpoint into the local
// replica (CHT's lesson: one-shot runs started from the edge, remote closed
// after each run). Small batches: a ward LAN can be a bad Wi-Fi.
import type { FetchLike } from './outbox.js';

export type PullOutcome = { ok: true; docsWritten: number } | { ok: false; reason: 'offline' | 'unauthenticated' };

export interface PullOptions {
  PouchDB: PouchDB.Static;
  local: PouchDB.Database;
  baseUrl: string;
  fetch: FetchLike;
  onProgress: (p: { docsRead: number; docsWritten: number }) => void;
}

export async function pullOnce(o: PullOptions): Promise<PullOutcome> {
  const remote = new o.PouchDB(`${o.baseUrl}/api/replicate`, { skip_setup: true, fetch: o.fetch });
  try {
    const run = o.local.replicate.from(remote, { batch_size: 100, batches_limit: 2 });
    run.on('change', (info: { docs_read?: number; docs_written?: number }) => o.onProgress({ docsRead: info.docs_read ?? 0, docsWritten: info.docs_written ?? 0 }));
    const result = await run as { docs_written?: number };
    return { ok: true, docsWritten: result.docs_written ?? 0 };
  } catch (err) {
    const status = (err as { status?: number } | null)?.status;
    return { ok: false, reason: status === 401 ? 'unauthenticated' : 'offline' };
  } finally {
    await remote.close().catch(() => undefined);
  }
}
