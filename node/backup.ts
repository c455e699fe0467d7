// Backup of a ward node's data directory, streamed (format: backup-format.ts).
//
// Every revision leaf of every document goes out with its revision history and
// attachments, so a restored node and the city agree on what each document is:
// replication after a restore sends nothing twice and makes no conflicts.
// Documents are read a page at a time and attachments in groups of at most
// GROUP_BYTES, written through a 1 MB buffer: memory does not grow with the
// number of documents or the size of the files.
//
// The node must be stopped (LevelDB allows one process); a running node is
// detected from LevelDB's lock and refused with a clear message rather than
// copied half-way. The folder is written under a temporary name and renamed
// only when complete and fsynced, so a failed backup never looks like a good one.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import PouchDB from 'pouchdb';
import { openStore, type Store } from './store.js';
import { forgivingInfo } from '../sync/forgiving-info.js';
import { pullGenuine } from '../sync/genuine-pull.js';
import { isReplicatedId } from '../sync/city-contract.js';
import { basicCityJson, WardRecords } from './city/ward-records.js';
import { BACKUP_FORMAT, BackupError, DATABASES, DIR_MODE, HashingWriter, type DbManifest, type FileEntry, type Manifest } from './backup-format.js';

export { BACKUP_FORMAT, BackupError, type Manifest } from './backup-format.js';
export { restore } from './restore.js';

/** Files of the data directory that are derived (rebuilt at boot), held by LevelDB, or a live socket. */
export const NOT_COPIED = new Set<string>([...DATABASES, 'projection.snapshot', 'projection.snapshot.tmp', 'admin.sock']);
/** Sessions die with the backup: a restored node asks everyone to log in again. */
const SKIPPED_ID = /^sess:/;
/** Documents whose attachments are read together; bounds memory whatever the files' sizes (a chunk is 64 KiB). */
const GROUP_BYTES = 2 << 20;
const PAGE = 200;

/** Opens the store, turning LevelDB's lock error into "stop the node first". */
export async function openStopped(dataDir: string): Promise<Store> {
  try {
    return await openStore(dataDir);
  } catch (err) {
    if (/lock/i.test(String((err as Error).message))) {
      throw new BackupError('node_running', 'Máy chủ phường đang chạy: hãy dừng máy chủ trước khi sao lưu hoặc khôi phục. / The ward node is running: stop it before backing up or restoring.');
    }
    throw err;
  }
}

type Stub = { content_type: string; digest: string; length: number; data?: Buffer };
type Revision = Record<string, unknown> & { _id: string; _rev: string; _attachments?: Record<string, Stub> };

function attachmentBytes(doc: Revision): number {
  return Object.values(doc._attachments ?? {}).reduce((n, a) => n + (a.length ?? 0), 0);
}

/** Every revision leaf of `db` (with history), in groups whose attachments, with their bytes, stay under GROUP_BYTES. */
async function* dumpDocs(db: PouchDB.Database): AsyncGenerator<Revision[]> {
  let since: number | string = 0;
  for (;;) {
    const page = await db.changes({ since, limit: PAGE, style: 'all_docs' });
    if (page.results.length === 0) return;
    const wanted = page.results.flatMap((r) => SKIPPED_ID.test(r.id) ? [] : r.changes.map((c) => ({ id: r.id, rev: c.rev })));
    // First the bodies with attachment stubs (their lengths), then the bytes, a bounded group at a time.
    const stubs = wanted.length > 0 ? okDocs(await db.bulkGet({ docs: wanted, revs: true })) : [];
    let group: Revision[] = [];
    let groupBytes = 0;
    const flush = async (): Promise<Revision[]> => {
      const withFiles = group.filter((d) => d._attachments);
      const full = withFiles.length === 0 ? [] : okDocs(await db.bulkGet({ docs: withFiles.map((d) => ({ id: d._id, rev: d._rev })), revs: true, attachments: true, binary: true } as PouchDB.Core.BulkGetOptions));
      const byRev = new Map(full.map((d) => [`${d._id}\n${d._rev}`, d]));
      const out = group.map((d) => byRev.get(`${d._id}\n${d._rev}`) ?? d);
      group = [];
      groupBytes = 0;
      return out;
    };
    for (const doc of stubs) {
      const size = attachmentBytes(doc);
      if (group.length > 0 && groupBytes + size > GROUP_BYTES) yield await flush();
      group.push(doc);
      groupBytes += size;
    }
    if (group.length > 0) yield await flush();
    since = page.last_seq;
  }
}

function okDocs(got: Awaited<ReturnType<PouchDB.Database['bulkGet']>>): Revision[] {
  return got.results.flatMap((result) => result.docs.map((d) => {
    if ('ok' in d) return d.ok as unknown as Revision;
    throw new Error(`cannot read ${result.id}: ${JSON.stringify(d.error)}`);
  }));
}

/** Writes one database: a line per revision, attachment bytes to the .bin in the lines' order. */
async function writeDatabase(db: PouchDB.Database, dir: string, name: string): Promise<DbManifest> {
  const lines = await HashingWriter.create(join(dir, `${name}.ndjson`));
  const bin = await HashingWriter.create(join(dir, `${name}.bin`));
  let documents = 0;
  let count = 0;
  try {
    for await (const group of dumpDocs(db)) {
      for (const doc of group) {
        const attachments = doc._attachments;
        if (attachments) {
          const stubs: Record<string, Stub> = {};
          for (const [key, a] of Object.entries(attachments)) {
            if (!Buffer.isBuffer(a.data)) throw new Error(`attachment ${key} of ${doc._id} was not read`);
            stubs[key] = { content_type: a.content_type, digest: a.digest, length: a.data.length };
            await bin.write(a.data);
            count += 1;
          }
          await lines.write(`${JSON.stringify({ ...doc, _attachments: stubs })}\n`);
        } else {
          await lines.write(`${JSON.stringify(doc)}\n`);
        }
        documents += 1;
      }
    }
    const bytes = lines.bytes;
    const binBytes = bin.bytes;
    const [sha256, binSha] = [await lines.close(), await bin.close()];
    return { documents, sha256, bytes, attachments: { count, bytes: binBytes, sha256: binSha }, updateSeq: (await db.info()).update_seq };
  } catch (err) {
    await lines.abort();
    await bin.abort();
    throw err;
  }
}

export async function backup(dataDir: string, outDir: string, ward: string | null = null): Promise<Manifest> {
  if (!existsSync(join(dataDir, 'docs'))) throw new BackupError('no_data', `Không có dữ liệu tại ${dataDir}. / No ward data at ${dataDir}.`);
  if (existsSync(outDir)) throw new BackupError('target_not_empty', `${outDir} đã tồn tại. / ${outDir} already exists.`);
  const partial = join(dirname(outDir), `.${basename(outDir)}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  mkdirSync(partial, { mode: DIR_MODE });
  chmodSync(partial, DIR_MODE);
  const store = await openStopped(dataDir).catch((err: unknown) => { rmSync(partial, { recursive: true, force: true }); throw err; });
  try {
    const databases = {} as Manifest['databases'];
    for (const name of DATABASES) databases[name] = await writeDatabase(store[name], partial, name);
    const files = await copyOtherFiles(dataDir, join(partial, 'files'));
    const manifest: Manifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), ward, databases, files };
    const m = await HashingWriter.create(join(partial, 'manifest.json'));
    await m.write(`${JSON.stringify(manifest, null, 2)}\n`);
    await m.close();
    await fsyncDir(partial);
    await rename(partial, outDir);
    await fsyncDir(dirname(outDir));
    return manifest;
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    await store.close();
  }
}

/** Copies the data directory's other files (key stores, settings) with their hashes; folders 0700, files 0600. */
async function copyOtherFiles(dataDir: string, to: string): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  const walk = async (from: string): Promise<void> => {
    for (const name of readdirSync(from).sort()) {
      const path = join(from, name);
      const rel = relative(dataDir, path);
      if (from === dataDir && NOT_COPIED.has(name)) continue;
      const st = statSync(path);
      if (st.isDirectory()) { mkdirSync(join(to, rel), { recursive: true, mode: DIR_MODE }); await walk(path); continue; }
      if (!st.isFile()) continue; // sockets, fifos: nothing to keep
      mkdirSync(dirname(join(to, rel)), { recursive: true, mode: DIR_MODE });
      entries.push({ path: rel, ...(await copyFile(path, join(to, rel))) });
    }
  };
  await walk(dataDir);
  return entries;
}

/** Streams one file into a new 0600 file, hashing it; returns size and SHA-256. */
export async function copyFile(from: string, to: string): Promise<{ size: number; sha256: string }> {
  const source = await open(from, 'r');
  const out = await HashingWriter.create(to);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await source.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      await out.write(Buffer.from(buf.subarray(0, bytesRead)));
    }
    const size = out.bytes;
    return { size, sha256: await out.close() };
  } catch (err) {
    await out.abort();
    throw err;
  } finally {
    await source.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try { await h.sync(); } finally { await h.close(); }
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Pulls the ward's database from the city into `dataDir` (empty, or just
 * restored from a backup): everything the city holds comes back — documents,
 * events, files, audit, user profiles — but no secret, since none ever left.
 * After a backup restore this also brings back what the ward sent the city
 * after the backup was taken, so numbering resumes after the city's last number.
 */
export async function pullFromCity(dataDir: string, city: { url: string; username: string; password: string }): Promise<{ docsWritten: number; tampered: number }> {
  const store = await openStopped(dataDir);
  const remote = forgivingInfo(new PouchDB(city.url, { auth: { username: city.username, password: city.password }, skip_setup: true }));
  try {
    // Records one by one with all their branches judged (a branch the ward's credentials added at the city
    // never comes home; its chain is the witness); then the chunks, content-addressed, by plain replication.
    const dbUrl = new URL(city.url);
    const ward = decodeURIComponent(dbUrl.pathname.split('/').filter(Boolean).at(-1) ?? '').replace(/^ward_/, '');
    const witness = new WardRecords(basicCityJson(dbUrl.origin + dbUrl.pathname.replace(/\/[^/]*\/?$/, ''), { name: city.username, password: city.password }), ward);
    const records = await pullGenuine({ remote, local: store.docs, since: 0, takeId: isReplicatedId, vouched: (id) => witness.vouched(id), batch: 100 });
    const chunks = await PouchDB.replicate(remote, store.docs, { batch_size: 100, batches_limit: 2, selector: { _id: { $gt: 'chunk:', $lt: 'chunk;' } } }) as { docs_written: number };
    return { docsWritten: records.written + chunks.docs_written, tampered: records.tampered };
  } finally {
    await remote.close().catch(() => undefined);
    await store.close();
  }
}
