// The ward's data on disk: two PouchDB (LevelDB) databases. `docs` holds what
// replicates to the city (documents, events, public user profiles, blobs,
// the audit chain); `secrets` holds what never leaves the node (password
// hashes, sessions, login counters). Keeping them apart means no replication
// filter can leak a secret by mistake.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PouchDB from 'pouchdb';

export interface Store {
  docs: PouchDB.Database;
  secrets: PouchDB.Database;
  close(): Promise<void>;
}

export async function openStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const docs = new PouchDB(join(dataDir, 'docs'), { auto_compaction: false });
  const secrets = new PouchDB(join(dataDir, 'secrets'), { auto_compaction: true });
  // Opening is lazy in PouchDB: info() forces LevelDB to open and read its
  // manifest, so a corrupt or locked store fails here, at boot, loudly.
  await Promise.all([docs.info(), secrets.info()]);
  return {
    docs,
    secrets,
    async close() { await Promise.all([docs.close(), secrets.close()]); },
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
