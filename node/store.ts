// The ward's data on disk: two PouchDB (LevelDB) databases. `docs` holds what
// replicates to the city (documents, events, public user profiles, blobs,
// the audit chain); `secrets` holds what never leaves the node (password
// hashes, sessions, login counters). Keeping them apart means no replication
// filter can leak a secret by mistake.
//
// A full disk: LevelDB remembers a failed background compaction and refuses
// every later write with it, even once space is back, until it is reopened.
// So every write error is watched (below PouchDB, on the LevelDB handle), and
// once the disk has room again the next write reopens both databases first:
// writes resume by themselves, with no restart.
import { mkdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import leveldown, { type LevelDown } from 'leveldown';
import PouchDB from 'pouchdb';
import { StoreGate } from './store-gate.js';
import { registerLevel } from './store-scan.js';
import { LogSync } from './durability.js';

export interface DiskUsage { usedPercent: number; freeBytes: number; totalBytes: number; warning: boolean }

export interface Store {
  docs: PouchDB.Database;
  secrets: PouchDB.Database;
  close(): Promise<void>;
  /** fsyncs what LevelDB wrote to the docs store's log so far (durability.ts LogSync): the ledger's flush. */
  syncLog(): Promise<void>;
  /** After a write failed for lack of space: reopens LevelDB once the disk has room again. Cheap when nothing failed. */
  recover(): Promise<void>;
  /** True from a disk-full write error until the store was reopened. */
  readonly diskFull: boolean;
  disk(): DiskUsage;
}

/** Admins are warned from this fill level on. */
export const DISK_WARNING_PERCENT = 90;
/** Reopen only with this much free: LevelDB replays its log into a new table at open (a 4 MB memtable, twice, plus room). */
const REOPEN_MIN_FREE_BYTES = 16 << 20;

export function diskUsage(dir: string): DiskUsage {
  const s = statfsSync(dir);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  const usedPercent = totalBytes > 0 ? Math.round(((totalBytes - freeBytes) / totalBytes) * 1000) / 10 : 0;
  return { usedPercent, freeBytes, totalBytes, warning: usedPercent >= DISK_WARNING_PERCENT };
}

/**
 * LevelDB maps every table file it keeps open into memory (mmap, up to 1,000
 * per process, not configurable in leveldown's LevelDB 1.20), and a mapped
 * page read once stays in the process's RSS until the table leaves the table
 * cache. A backup, a restore or a device's first full pull reads every table:
 * leveldown's default cache (1,000 files) let a clerk's first pull of a
 * 200,000-document ward (177 tables, 370 MB) map 380 MB into the node's RSS.
 * The smallest cache LevelDB allows (74 files: 64 tables of 2 MB) keeps it
 * under ~130 MB whatever the ward's size; a table read again after it left
 * the cache is reopened (its index block read, ~0.1 ms).
 */
export const BOUNDED_OPEN_FILES = 74;

/** `maxOpenFiles`: LevelDB's table cache (BOUNDED_OPEN_FILES unless told; a bench may compare another). */
export interface StoreOptions { maxOpenFiles?: number }

export async function openStore(dataDir: string, storeOptions: StoreOptions = {}): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const handles: LevelDown[] = [];
  const gate = new StoreGate();
  let diskFull = false;
  // PouchDB takes a leveldown factory: this one keeps the handles (to reopen them) and watches their writes.
  const warddeskLeveldown = Object.assign((location: string) => {
    const handle = leveldown(location);
    for (const method of ['_put', '_del', '_batch'] as const) {
      const original = (handle[method] as (...args: unknown[]) => void).bind(handle);
      handle[method] = (...args: unknown[]) => {
        const callback = args.pop() as (err?: Error | null) => void;
        original(...args, (err?: Error | null) => { if (err && isDiskFull(err)) diskFull = true; callback(err); });
      };
    }
    gate.guard(handle);
    handles.push(handle);
    return handle;
  }, { destroy: leveldown.destroy, repair: leveldown.repair });
  const maxOpenFiles = storeOptions.maxOpenFiles ?? BOUNDED_OPEN_FILES;
  const options = { db: warddeskLeveldown, maxOpenFiles };
  const docs = new PouchDB(join(dataDir, 'docs'), { ...options, auto_compaction: false });
  const secrets = new PouchDB(join(dataDir, 'secrets'), { ...options, auto_compaction: true });
  // Opening is lazy in PouchDB: info() forces LevelDB to open and read its
  // manifest, so a corrupt or locked store fails here, at boot, loudly.
  await Promise.all([docs.info(), secrets.info()]);
  // The rebuild and the replication index read the docs store's LevelDB directly (store-scan.ts, 0012).
  const docsHandle = handles.find((h) => (h as unknown as { location: string }).location === join(dataDir, 'docs'));
  if (docsHandle) registerLevel(docs, docsHandle);
  const logSync = new LogSync(join(dataDir, 'docs'));
  let reopening: Promise<void> | null = null;
  // With nothing in flight and nothing starting meanwhile (store-gate.ts): leveldown cannot close under a read.
  const reopen = () => gate.exclusive(async () => {
    for (const handle of handles) {
      await new Promise<void>((ok, fail) => handle.close((err) => (err ? fail(err) : ok())));
      await new Promise<void>((ok, fail) => handle.open({ createIfMissing: false, maxOpenFiles }, (err) => (err ? fail(err) : ok())));
    }
    diskFull = false;
  });
  return {
    docs,
    secrets,
    get diskFull() { return diskFull; },
    disk: () => diskUsage(dataDir),
    recover() {
      if (!diskFull || diskUsage(dataDir).freeBytes < REOPEN_MIN_FREE_BYTES) return Promise.resolve();
      reopening ??= reopen().finally(() => { reopening = null; });
      return reopening;
    },
    syncLog: () => logSync.flush(),
    async close() { await reopening?.catch(() => undefined); await Promise.all([docs.close(), secrets.close()]); await logSync.close(); },
  };
}

/** The node's clock: never goes backwards, so event order equals time order. */
export interface Clock { now(): Date }

export function monotonicClock(source: () => number = Date.now): Clock {
  let last = 0;
  return {
    now() {
      last = Math.max(source(), last + 1);
      return new Date(last);
    },
  };
}

/** True when a PouchDB error is "document already exists / conflict". */
export function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: number }).status === 409;
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: number }).status === 404;
}

/** A write refused because the disk is full (LevelDB says "No space left on device"; fs says ENOSPC). */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ENOSPC' || /ENOSPC|no space left on device/i.test(String(e?.message ?? err));
}
