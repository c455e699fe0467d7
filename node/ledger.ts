// Every write to the replicated store goes through the ledger. Commands are
// built one at a time, in order, each with its own validation and its own
// audit entry, so the numbering is race-free by construction. Document
// commands (`runGrouped`) are then written in groups: whatever was built while
// the previous group was being written goes to disk as one LevelDB batch and
// one fsync, and only then is any of them acknowledged (group commit,
// docs/decisions/0010-group-commit.md). A crash leaves a whole group on disk
// or none of it; groups land in the order they were built.
import type { Actor } from '../sync/schema.js';
import { wardError, type WardError } from '../sync/errors.js';
import { digestedText, digestOf, documentDigest, GENESIS, makeEntry, stampRecordHash, type AuditEntry } from './audit.js';
import { isDiskFull, type Clock } from './store.js';

export type StoredDoc = { _id: string; _rev?: string } & Record<string, unknown>;

export interface Command {
  actor: Actor;
  action: string;
  target: string | null;
  docs: StoredDoc[];
}

export interface Built<T> { command: Command; result: T; applied?: () => void }

type Build<T> = (now: Date) => Promise<Built<T>> | Built<T>;

export interface LedgerDeps {
  db: PouchDB.Database;
  clock: Clock;
  /** Makes the batch durable (fsync) before the command is acknowledged; see durability.ts. */
  flush?: () => Promise<void>;
  onError?: (err: unknown, command: Command) => void;
  /** Called before each write: reopens the store after a disk-full once there is room again (store.ts). */
  recover?: () => Promise<void>;
  /**
   * After a grouped write failed: puts the in-memory view of these stored ids
   * (and of the documents their events belong to) back as the store has them.
   */
  reload?: (ids: string[]) => Promise<void>;
  /** false: every grouped command is written alone with its own fsync (the path before 0010, kept for the bench's comparison). */
  groupCommit?: boolean;
}

/** A group closes at whichever comes first; the next one opens at once. */
const GROUP_MAX_COMMANDS = 256;
const GROUP_MAX_BYTES = 4 * 1024 * 1024;
/** A grouped command rebuilt this often after other commands' failed writes is refused instead. */
const MAX_REBUILDS = 2;

interface Deferred<T> { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void }

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => { resolve = ok; reject = fail; });
  return { promise, resolve, reject };
}

interface GroupedJob { kind: 'grouped'; build: Build<unknown>; done: Deferred<unknown>; rebuilds: number }
interface ExclusiveJob { kind: 'exclusive'; fn: () => Promise<unknown>; done: Deferred<unknown> }
type Job = GroupedJob | ExclusiveJob;

/** A command built, applied in memory and chained, waiting for its group's write. */
interface Staged {
  job: GroupedJob;
  command: Command;
  entry: AuditEntry;
  result: unknown;
  /**
   * Per document: the revision it was built on, or the not-yet-written
   * document of the same id it was built from (its revision is known once
   * that one is written).
   */
  bases: (string | undefined | StoredDoc)[];
  appliedError: unknown;
}

/** `ended`: its write is over, whatever the outcome; `written`: and memory matches the store (after a failure, once put right). */
interface Group { staged: Staged[]; bytes: number; writing: boolean; ended: Deferred<void>; written: Deferred<void> }

/**
 * What a failed grouped write leaves to put right before the next build; its
 * refused commands are answered once memory is put right, so their answer
 * and any read after it see memory as the store has it.
 */
interface Failure { ids: Set<string>; error: WardError; refused: { staged: Staged; error: WardError }[]; group: Group }

export class Ledger {
  private readonly jobs: Job[] = [];
  private pumping = false;
  /** Groups in write order: the first may be being written, the last is open. */
  private readonly groups: Group[] = [];
  private writing = false;
  private failure: Failure | null = null;
  /** Documents of staged commands not yet written, by id: a later command built from one chains on it. */
  private readonly unwritten = new Map<string, StoredDoc>();
  /** Staged documents whose write failed: what was chained on them fails too. */
  private readonly lost = new WeakSet<StoredDoc>();
  private seq = 0;
  private head = GENESIS;

  private constructor(private readonly deps: LedgerDeps) {}

  static async open(deps: LedgerDeps): Promise<Ledger> {
    const ledger = new Ledger(deps);
    await ledger.readHead();
    return ledger;
  }

  private async readHead(): Promise<void> {
    const last = await this.deps.db.allDocs({ startkey: 'audit:\uffff', endkey: 'audit:', descending: true, limit: 1, include_docs: true });
    const entry = last.rows[0]?.doc as unknown as AuditEntry | undefined;
    this.seq = entry?.seq ?? 0;
    this.head = entry?.hash ?? GENESIS;
  }

  /**
   * Runs `build` with nothing else in flight (every earlier command written
   * and fsynced), writes what it returns alone, then `applied`. For commands
   * whose build reads the store or whose `applied` acts outside memory.
   */
  run<T>(build: Build<T>): Promise<T> {
    return this.exclusive(async () => {
      const now = this.deps.clock.now();
      const { command, result, applied } = await build(now);
      await this.writeAll(now, [command]);
      applied?.();
      return result;
    });
  }

  /**
   * Builds after the commands queued before it and applies its effects in
   * memory at once (the next build sees them), then shares its group's one
   * batch and one fsync; resolves once that is durable. `build` must read only
   * memory and change nothing itself: after another command's failed write it
   * may be run again.
   */
  runGrouped<T>(build: Build<T>): Promise<T> {
    if (this.deps.groupCommit === false) return this.run(build);
    const done = deferred<unknown>();
    this.enqueue({ kind: 'grouped', build, done, rebuilds: 0 });
    return done.promise as Promise<T>;
  }

  /**
   * Appends entries that write no document (login attempts) in one batch:
   * many audit entries, one LevelDB write. All or none land.
   */
  append(commands: Command[]): Promise<void> {
    return this.exclusive(async () => {
      if (commands.length > 0) await this.writeAll(this.deps.clock.now(), commands);
    });
  }

  /** Runs `fn` with no command in flight and everything built so far on disk, writing nothing itself (snapshots). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const done = deferred<unknown>();
    this.enqueue({ kind: 'exclusive', fn, done });
    return done.promise as Promise<T>;
  }

  /**
   * Resolves once everything applied in memory so far is on disk. A read
   * that shows state waits for it, so nobody sees what a crash could undo.
   */
  durable(): Promise<void> {
    const last = this.groups[this.groups.length - 1] ?? this.failure?.group;
    return last ? last.written.promise : Promise.resolve();
  }

  private enqueue(job: Job): void {
    this.jobs.push(job);
    void this.pump();
  }

  /** The one place commands are built, in order. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.failure) await this.putRight();
        const job = this.jobs.shift();
        if (!job) break;
        if (job.kind === 'exclusive') await this.runExclusive(job);
        else await this.build(job);
      }
    } finally {
      this.pumping = false;
    }
    // A group failed after the queue ran dry: put memory right now rather than at the next command.
    if (this.failure && !this.writing) void this.pump();
  }

  private async runExclusive(job: ExclusiveJob): Promise<void> {
    try {
      await this.drain();
      job.done.resolve(await job.fn());
    } catch (err) {
      job.done.reject(err);
    }
  }

  /** Waits until every staged command is written (and memory put right after a failure). */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.failure && !this.writing) { await this.putRight(); continue; }
      // Its end, not its being written: after a failure that waits for putRight, which is ours to run.
      const first = this.groups[0];
      if (!first) return;
      await first.ended.promise;
    }
  }

  private async build(job: GroupedJob): Promise<void> {
    const now = this.deps.clock.now();
    let built: Built<unknown>;
    try {
      built = await job.build(now);
      for (const d of built.command.docs) stampRecordHash(d);
    } catch (err) {
      job.done.reject(err);
      return;
    }
    // Built on memory that a failed write is about to change: build again once it is put right.
    if (this.failure) { this.requeue([job]); return; }
    this.stage(now, job, built);
  }

  /** Chains the command's audit entry, applies it in memory and adds it to the open group. */
  private stage(now: Date, job: GroupedJob, built: Built<unknown>): void {
    const { command } = built;
    let entry: AuditEntry;
    let bytes = 0;
    try {
      // Everything that can throw (a document that is not JSON) before anything changes.
      const writes: Record<string, string> = {};
      for (const d of command.docs) {
        const text = digestedText(d);
        writes[d._id] = digestOf(text);
        bytes += text.length;
      }
      entry = makeEntry(this.seq + 1, this.head, now.toISOString(), command.actor, command.action, command.target, writes);
    } catch (err) {
      job.done.reject(err);
      return;
    }
    this.seq = entry.seq;
    this.head = entry.hash;
    const bases = command.docs.map((d) => {
      const prior = this.unwritten.get(d._id);
      // No revision on a document of an unwritten id: it was built from that unwritten one.
      const base = prior && d._rev === undefined ? prior : d._rev;
      // Until written, its revision is unknown: a build checking a client's revision against it must not pass.
      delete d._rev;
      this.unwritten.set(d._id, d);
      return base;
    });
    const staged: Staged = { job, command, entry, result: built.result, bases, appliedError: undefined };
    try { built.applied?.(); } catch (err) { staged.appliedError = err; }
    let group = this.groups[this.groups.length - 1];
    if (!group || group.writing || group.staged.length >= GROUP_MAX_COMMANDS || group.bytes >= GROUP_MAX_BYTES) {
      group = { staged: [], bytes: 0, writing: false, ended: deferred<void>(), written: deferred<void>() };
      this.groups.push(group);
    }
    group.staged.push(staged);
    group.bytes += bytes;
    this.kick();
  }

  /** Starts writing the first group unless a write is under way: no waiting for more to join. */
  private kick(): void {
    if (this.writing || this.failure) return;
    const group = this.groups[0];
    if (!group) return;
    group.writing = true;
    this.writing = true;
    void this.writeGroup(group).then((failure) => {
      this.groups.shift();
      this.writing = false;
      group.ended.resolve();
      if (failure) { this.failure = failure; void this.pump(); return; }
      group.written.resolve();
      this.kick();
    });
  }

  /**
   * One batch for the group (more only where a command rewrites a document
   * an earlier one of the group wrote: its revision must be known first),
   * then one fsync, then the answers.
   */
  private async writeGroup(group: Group): Promise<Failure | null> {
    const refused = new Map<Staged, WardError>();
    try {
      await this.deps.recover?.();
      let part: Staged[] = [];
      const ids = new Set<string>();
      for (const s of group.staged) {
        if (s.command.docs.some((d) => ids.has(d._id))) { await this.writePart(part, refused); part = []; ids.clear(); }
        part.push(s);
        for (const d of s.command.docs) ids.add(d._id);
      }
      await this.writePart(part, refused);
      await this.deps.flush?.();
    } catch (err) {
      this.deps.onError?.(err, group.staged[0]!.command);
      const error = wardError(isDiskFull(err) ? 'disk_full' : 'store_unavailable');
      for (const s of group.staged) for (const d of s.command.docs) this.forget(d, true);
      return { ids: idsOf(group.staged), error, refused: group.staged.map((staged) => ({ staged, error })), group };
    }
    for (const s of group.staged) {
      if (refused.has(s)) continue;
      if (s.appliedError !== undefined) s.job.done.reject(s.appliedError);
      else s.job.done.resolve(s.result);
    }
    const failed = [...refused.keys()];
    if (failed.length === 0) return null;
    return { ids: idsOf(failed), error: wardError('stale_revision'), refused: failed.map((staged) => ({ staged, error: refused.get(staged)! })), group };
  }

  /** One bulkDocs. A document that conflicts (replication touched it) refuses its command alone; its audit entry still lands, as the chain goes on. */
  private async writePart(part: Staged[], refused: Map<Staged, WardError>): Promise<void> {
    if (part.length === 0) return;
    const batch: StoredDoc[] = [];
    const owners: { staged: Staged; doc: StoredDoc | null }[] = [];
    for (const s of part) {
      const revs = s.bases.map((b) => (typeof b === 'object' ? (this.lost.has(b) ? null : b._rev) : b));
      if (revs.includes(null)) {
        refused.set(s, wardError('stale_revision'));
        for (const d of s.command.docs) this.forget(d, true);
      } else {
        s.command.docs.forEach((d, i) => {
          const { _rev: _none, ...body } = d;
          batch.push(revs[i] === undefined ? body as StoredDoc : { ...body, _rev: revs[i] } as StoredDoc);
          owners.push({ staged: s, doc: d });
        });
      }
      batch.push(s.entry as unknown as StoredDoc);
      owners.push({ staged: s, doc: null });
    }
    const results = await this.deps.db.bulkDocs(batch);
    results.forEach((r, i) => {
      const { staged, doc } = owners[i]!;
      if (!doc) {
        // The chain in memory ran ahead of the store's: put it right from the store.
        if (isError(r)) throw new Error(`audit entry ${staged.entry._id} was not written: ${r.message ?? r.name}`);
        return;
      }
      if (isError(r)) {
        this.deps.onError?.([r.id], staged.command);
        refused.set(staged, wardError('stale_revision'));
        this.forget(doc, true);
      } else {
        doc._rev = (r as PouchDB.Core.Response).rev;
        this.forget(doc, false);
      }
    });
  }

  private forget(doc: StoredDoc, lost: boolean): void {
    if (lost) this.lost.add(doc);
    if (this.unwritten.get(doc._id) === doc) this.unwritten.delete(doc._id);
  }

  /**
   * After a failed grouped write: commands staged since were built on memory
   * that included what failed, so they go back to the front of the queue
   * (their builds are pure) and are built again once memory matches the
   * store and the chain's head is the store's.
   */
  private async putRight(): Promise<void> {
    const failure = this.failure!;
    const groups = this.groups.splice(0);
    const staged = groups.flatMap((g) => g.staged);
    for (const s of staged) for (const d of s.command.docs) this.forget(d, true);
    for (const id of idsOf(staged)) failure.ids.add(id);
    try {
      await this.deps.reload?.([...failure.ids]);
      await this.readHead();
    } catch (err) {
      this.deps.onError?.(err, staged[0]?.command ?? { actor: { user: 'system', role: 'admin', device: 'node' }, action: 'ledger.reload', target: null, docs: [] });
    }
    this.failure = null;
    for (const { staged: s, error } of failure.refused) s.job.done.reject(error);
    failure.group.written.resolve();
    for (const g of groups) { g.ended.resolve(); g.written.resolve(); }
    const again: GroupedJob[] = [];
    for (const s of staged) {
      if (s.job.rebuilds >= MAX_REBUILDS) s.job.done.reject(failure.error);
      else again.push(s.job);
    }
    this.requeue(again);
  }

  private requeue(jobs: GroupedJob[]): void {
    for (const j of jobs) j.rebuilds += 1;
    this.jobs.unshift(...jobs);
  }

  /** One batch, written alone: the documents of `commands`, each followed by its audit entry, linked in order. */
  private async writeAll(now: Date, commands: Command[]): Promise<void> {
    const batch: StoredDoc[] = [];
    const entries: AuditEntry[] = [];
    let seq = this.seq;
    let head = this.head;
    for (const command of commands) {
      // In place: `applied` and the caller keep these very objects, hash included.
      for (const d of command.docs) stampRecordHash(d);
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
      // With nothing else in flight a conflict means another writer (replication)
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

/** The stored ids of these commands' documents, with the documents their events belong to. */
function idsOf(staged: readonly Staged[]): Set<string> {
  const ids = new Set<string>();
  for (const s of staged) {
    for (const d of s.command.docs) {
      ids.add(d._id);
      if (typeof d['docId'] === 'string') ids.add(d['docId']);
    }
  }
  return ids;
}

function isError(r: PouchDB.Core.Response | PouchDB.Core.Error): r is PouchDB.Core.Error & { id: string } {
  return 'error' in r && Boolean(r.error);
}
