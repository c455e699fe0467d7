// Every write to the replicated store goes through the ledger: one at a time,
// in one LevelDB batch together with its audit entry. One writer makes the
// numbering race-free by construction, and one batch per command means a crash
// leaves either the whole command on disk or none of it.
import type { Actor } from '../sync/schema.js';
import { wardError } from '../sync/errors.js';
import { carriesHash, recordHash } from '../sync/record-hash.js';
import { documentDigest, GENESIS, makeEntry, type AuditEntry } from './audit.js';
import { isDiskFull, type Clock } from './store.js';

export type StoredDoc = { _id: string; _rev?: string } & Record<string, unknown>;

export interface Command {
  actor: Actor;
  action: string;
  target: string | null;
  docs: StoredDoc[];
}

export interface Built<T> { command: Command; result: T; applied?: () => void }

export interface LedgerDeps {
  db: PouchDB.Database;
  clock: Clock;
  /** Makes the batch durable (fsync) before the command is acknowledged; see durability.ts. */
  flush?: () => Promise<void>;
  onError?: (err: unknown, command: Command) => void;
}

export class Ledger {
  private tail: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private head = GENESIS;

  private constructor(private readonly deps: LedgerDeps) {}

  static async open(deps: LedgerDeps): Promise<Ledger> {
    const ledger = new Ledger(deps);
    const last = await deps.db.allDocs({ startkey: 'audit:\uffff', endkey: 'audit:', descending: true, limit: 1, include_docs: true });
    const row = last.rows[0];
    if (row?.doc) {
      const entry = row.doc as unknown as AuditEntry;
      ledger.seq = entry.seq;
      ledger.head = entry.hash;
    }
    return ledger;
  }

  /**
   * Runs `build` alone (no other command interleaves), writes what it returns
   * in one batch, then `applied` — still inside the critical section, so the
   * in-memory view is current before the next command reads it.
   */
  run<T>(build: (now: Date) => Promise<Built<T>> | Built<T>): Promise<T> {
    const next = this.tail.then(async () => {
      const now = this.deps.clock.now();
      const { command, result, applied } = await build(now);
      await this.write(now, command);
      applied?.();
      return result;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Runs `fn` with no command in flight, writing nothing itself (snapshots). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async write(now: Date, command: Command): Promise<void> {
    // In place: `applied` and the caller keep these very objects, hash included.
    for (const d of command.docs) if (carriesHash(d) && typeof d['hash'] !== 'string') d['hash'] = await recordHash(d);
    const writes = Object.fromEntries(command.docs.map((d) => [d._id, documentDigest(d)]));
    const entry = makeEntry(this.seq + 1, this.head, now.toISOString(), command.actor, command.action, command.target, writes);
    let results: (PouchDB.Core.Response | PouchDB.Core.Error)[];
    try {
      results = await this.deps.db.bulkDocs([...command.docs, entry as unknown as StoredDoc]);
      await this.deps.flush?.();
    } catch (err) {
      this.deps.onError?.(err, command);
      throw wardError(isDiskFull(err) ? 'disk_full' : 'store_unavailable');
    }
    const failedIds = results.filter(isError).map((r) => r.id);
    if (failedIds.length > 0) {
      // Under the single writer a conflict means another writer (replication)
      // touched the same ids. If the audit entry itself landed, the chain moved on.
      if (!failedIds.includes(entry._id)) { this.seq = entry.seq; this.head = entry.hash; }
      this.deps.onError?.(failedIds, command);
      throw wardError('stale_revision');
    }
    command.docs.forEach((d, i) => { const r = results[i] as PouchDB.Core.Response; d._rev = r.rev; });
    this.seq = entry.seq;
    this.head = entry.hash;
  }

  /** Entries in order, for the verify command. */
  async *entries(batch = 500): AsyncIterable<AuditEntry> {
    let startkey = 'audit:';
    for (;;) {
      const page = await this.deps.db.allDocs({ startkey, endkey: 'audit:\uffff', include_docs: true, limit: batch, skip: startkey === 'audit:' ? 0 : 1 });
      for (const row of page.rows) if (row.doc) yield row.doc as unknown as AuditEntry;
      if (page.rows.length < batch) return;
      startkey = page.rows[page.rows.length - 1]!.id;
    }
  }

  get length(): number { return this.seq; }
}

function isError(r: PouchDB.Core.Response | PouchDB.Core.Error): r is PouchDB.Core.Error & { id: string } {
  return 'error' in r && Boolean(r.error);
}
