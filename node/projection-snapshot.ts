// A snapshot of the in-memory view, so a restart reads one file and the
// changes since it instead of every document through PouchDB (about 8,000
// documents/s: 41 s for a ward with 100,000 documents). The snapshot is only a
// cache: when it is missing, stale or unreadable the node rebuilds from the
// store, which stays the one source of truth.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import type { DocumentRecord, EventRecord } from '../sync/schema.js';

const VERSION = 1;

export interface Snapshot { version: number; seq: number | string; records: DocumentRecord[]; events: EventRecord[] }

export async function readSnapshot(file: string): Promise<Snapshot | null> {
  try {
    const snap = deserialize(await readFile(file)) as Snapshot;
    return snap && snap.version === VERSION && Array.isArray(snap.records) && Array.isArray(snap.events) ? snap : null;
  } catch {
    return null; // missing or torn: rebuild from the store
  }
}

/** Written to a temp file, fsynced, then renamed: a crash leaves the old snapshot or the new one. */
export async function writeSnapshot(file: string, snap: Omit<Snapshot, 'version'>): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(serialize({ version: VERSION, ...snap }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

export async function removeSnapshot(file: string): Promise<void> {
  await rm(file, { force: true });
}
