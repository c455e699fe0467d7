// A snapshot of the in-memory view (summaries, last numbers, file owners and
// the search index), so a restart reads one file and the changes since it
// instead of every document through PouchDB (docs/decisions/0003, 0011). The
// snapshot is only a cache: when it is missing, torn, corrupt or stale the
// node rebuilds from the store, which stays the one source of truth, and says
// why (log, and /api/health for an admin).
//
// Layout: "WDPS" · version (u32) · body length (u64) · sha-256 of the body ·
// body (v8-serialised). The checksum catches a torn or damaged file that v8
// would otherwise read into a wrong view.
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import type { SummaryColumns } from './summary-columns.js';
import type { IndexImage } from './search-index.js';

const MAGIC = Buffer.from('WDPS');
const VERSION = 3;
const HEADER = 4 + 4 + 8 + 32;

export interface Snapshot {
  seq: number | string;
  summaries: SummaryColumns;
  lastNumbers: [string, number][];
  files: [string, string | string[]][];
  index: IndexImage;
}

/** Why a snapshot was not used: none on disk, damaged (short, bad checksum, unreadable), from another version of the node, or from ahead of the store. */
export type SnapshotProblem = 'missing' | 'corrupt' | 'old_version' | 'ahead_of_store';

export async function readSnapshot(file: string): Promise<{ snapshot: Snapshot | null; problem: SnapshotProblem | null }> {
  let bytes: Buffer;
  try { bytes = await readFile(file); } catch { return { snapshot: null, problem: 'missing' }; }
  if (bytes.length < HEADER || !bytes.subarray(0, 4).equals(MAGIC)) return { snapshot: null, problem: bytes[0] === 0xff ? 'old_version' : 'corrupt' }; // 0xff: version 1, bare v8
  if (bytes.readUInt32BE(4) !== VERSION) return { snapshot: null, problem: 'old_version' };
  const length = Number(bytes.readBigUInt64BE(8));
  const body = bytes.subarray(HEADER);
  if (body.length !== length || !createHash('sha256').update(body).digest().equals(bytes.subarray(16, HEADER))) return { snapshot: null, problem: 'corrupt' };
  try {
    const snap = deserialize(body) as Snapshot;
    return Array.isArray(snap.summaries?.ids) && snap.index?.bytes instanceof Uint8Array ? { snapshot: snap, problem: null } : { snapshot: null, problem: 'corrupt' };
  } catch {
    return { snapshot: null, problem: 'corrupt' };
  }
}

/** Written to a temp file, fsynced, then renamed: a crash leaves the old snapshot or the new one. */
export async function writeSnapshot(file: string, snap: Snapshot): Promise<void> {
  const body = serialize(snap);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(VERSION, 4);
  header.writeBigUInt64BE(BigInt(body.length), 8);
  createHash('sha256').update(body).digest().copy(header, 16);
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writev([header, body]);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

export async function removeSnapshot(file: string): Promise<void> {
  await rm(file, { force: true });
}
