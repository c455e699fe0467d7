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
  /** Called before each write: reopens the store after a disk-full once there is room again (store.ts). */
  recover?: () => Promise<void>;
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

  /**
   * Appends entries that write no document (login attempts) in one batch:
   * many audit entries, one LevelDB write. All or none land.
   */
  append(commands: Command[]): Promise<void> {
    const next = this.tail.then(async () => {
      if (commands.length > 0) await this.writeAll(this.deps.clock.now(), commands);
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

  private write(now: Date, command: Command): Promise<void> {
    return this.writeAll(now, [command]);
  }

  /** One batch: the documents of `commands`, each followed by its audit entry, linked in order. */
  private async writeAll(now: Date, commands: Command[]): Promise<void> {
    const batch: StoredDoc[] = [];
    const entries: AuditEntry[] = [];
    let seq = this.seq;
    let head = this.head;
    for (const command of commands) {
      // In place: `applied` and the caller keep these very objects, hash included.
      for (const d of command.docs) if (carriesHash(d) && typeof d['hash'] !== 'string') d['hash'] = await recordHash(d);
      const writes = Object.fromEntries(command.docs.map((d) => [d._id, documentDigest(d)]));
      const entry = makeEntry(seq + 1, head, now.toISOString(), command.actor, command.action, command.target, writes);
      seq = entry.seq;
      head = entry.hash;
      entries.push(entry);
      batch.push(...command.docs, entry as unknown as StoredDoc);
    }
    let results: (PouchDB.Core.Response | PouchDB.Core.Error)[];
    try {
      await this.deps.recover?.();
      results = await this.deps.db.bulkDocs(batch);
      await this.deps.flush?.();
    } catch (err) {
      this.deps.onError?.(err, commands[0]!);
      throw wardError(isDiskFull(err) ? 'disk_full' : 'store_unavailable');
    }
    const failedIds = results.filter(isError).map((r) => r.id);
    if (failedIds.length > 0) {
      // Under the single writer a conflict means another writer (replication)
      // touched the same ids. The chain moved on as far as its entries landed.
      for (const entry of entries) {
        if (failedIds.includes(entry._id)) break;
        this.seq = entry.seq; this.head = entry.hash;
      }
      this.deps.onError?.(failedIds, commands[0]!);
      throw wardError('stale_revision');
    }
    let i = 0;
    for (const command of commands) {
      for (const d of command.docs) d._rev = (results[i++] as PouchDB.Core.Response).rev;
      i += 1; // its audit entry
    }
    this.seq = seq;
    this.head = head;
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
