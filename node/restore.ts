// Restore of a backup (backup-format.ts) into an empty or absent data
// directory, streamed and verified, all or nothing:
//
// - the restore takes its target's lock first (restore-lock.ts), so a node
//   started meanwhile refuses to start, and refuses a target a node holds;
// - it builds the new data directory beside the target (`.<name>.restoring`),
//   a batch of documents at a time with their revision histories
//   (`new_edits: false`, exactly as replication would);
// - every attachment is checked against its digest as it is read, and every
//   file against the manifest's size and SHA-256 once read to its end; a
//   truncated or changed backup is refused and the staging folder removed;
// - only then are the stores closed, fsynced, and the folder renamed onto the
//   target in one rename(2). The target is never half-restored.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { BACKUP_FORMAT, BACKUP_FORMAT_V1, BackupError, DATABASES, DIR_MODE, HashingReader, attachmentDigest, corrupt, type DbName, type FileEntry, type Manifest } from './backup-format.js';
import { copyFile, fsyncDir, NOT_COPIED, openStopped } from './backup.js';
import { syncLevelDb } from './durability.js';
import { takeRestoreLock } from './restore-lock.js';
import type { Store } from './store.js';

/** Restored together: at most this many documents, or this many attachment bytes. */
const BATCH_DOCS = 200;
const BATCH_BYTES = 2 << 20;
/** No document line is anywhere near this (attachments are outside the lines in format 2); a longer one is damage. */
const MAX_LINE = 64 << 20;
/** Format 1 kept attachments inline in base64: a line is as long as its largest file. */
const MAX_LINE_V1 = 512 << 20;

function notABackup(dir: string, why = ''): BackupError {
  return new BackupError('not_a_backup', `${dir} không phải bản sao lưu WardDesk${why ? ` (${why})` : ''}. / ${dir} is not a WardDesk backup${why ? ` (${why})` : ''}.`);
}

/** Reads and checks the manifest: its shape, not yet the files it describes. */
export function readManifest(dir: string): Manifest {
  let manifest: Manifest;
  try {
    if (statSync(join(dir, 'manifest.json')).size > 16 << 20) throw new Error('too big');
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw notABackup(dir);
  }
  if (manifest?.format !== BACKUP_FORMAT && manifest?.format !== BACKUP_FORMAT_V1) {
    throw new BackupError('not_a_backup', `Định dạng không hỗ trợ: ${String(manifest?.format)} / Unsupported format: ${String(manifest?.format)}`);
  }
  for (const name of DATABASES) {
    const db = manifest.databases?.[name];
    if (!db || !Number.isInteger(db.documents) || typeof db.sha256 !== 'string') throw corrupt(`manifest: ${name}`, `manifest: ${name}`);
    if (manifest.format === BACKUP_FORMAT && (!db.attachments || !Number.isInteger(db.attachments.bytes))) throw corrupt(`manifest: ${name} attachments`, `manifest: tệp đính kèm ${name}`);
  }
  if (!Array.isArray(manifest.files)) throw corrupt('manifest: files', 'manifest: files');
  return manifest;
}

type Stub = { content_type?: unknown; digest?: unknown; length?: unknown; data?: unknown };

/** Streams one database from the backup into `db`, checking every attachment and both files' hashes. */
async function restoreDatabase(dir: string, name: DbName, manifest: Manifest, db: PouchDB.Database): Promise<void> {
  const expected = manifest.databases[name];
  const v2 = manifest.format === BACKUP_FORMAT;
  const lines = await HashingReader.open(join(dir, `${name}.ndjson`), `${name}.ndjson`).catch(() => { throw corrupt(`${name}.ndjson is missing`, `thiếu ${name}.ndjson`); });
  const bin = v2 ? await HashingReader.open(join(dir, `${name}.bin`), `${name}.bin`).catch(() => { throw corrupt(`${name}.bin is missing`, `thiếu ${name}.bin`); }) : null;
  try {
    let batch: Record<string, unknown>[] = [];
    let batchBytes = 0;
    let documents = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const results = await db.bulkDocs(batch as unknown as Parameters<PouchDB.Database['bulkDocs']>[0], { new_edits: false });
      const failed = results.find((r) => 'error' in r && r.error);
      if (failed) throw new Error(`restore of ${name} failed: ${JSON.stringify(failed)}`);
      batch = [];
      batchBytes = 0;
    };
    for (;;) {
      const line = await lines.line(v2 ? MAX_LINE : MAX_LINE_V1);
      if (line === null) break;
      if (line === '') continue;
      let doc: Record<string, unknown> & { _attachments?: Record<string, Stub> };
      try { doc = JSON.parse(line) as typeof doc; } catch { throw corrupt(`${name}.ndjson line ${documents + 1} is not JSON`, `${name}.ndjson dòng ${documents + 1} không phải JSON`); }
      if (typeof doc !== 'object' || doc === null || typeof doc['_id'] !== 'string' || typeof doc['_rev'] !== 'string') throw corrupt(`${name}.ndjson line ${documents + 1}`, `${name}.ndjson dòng ${documents + 1}`);
      if (doc._attachments) {
        const attachments: Record<string, { content_type: string; data: Buffer }> = {};
        for (const [key, a] of Object.entries(doc._attachments)) {
          let bytes: Buffer;
          if (bin) {
            if (!Number.isSafeInteger(a.length) || (a.length as number) < 0) throw corrupt(`${name}.ndjson: attachment length of ${String(doc['_id'])}`, `${name}.ndjson: độ dài tệp đính kèm của ${String(doc['_id'])}`);
            bytes = await bin.exactly(a.length as number);
          } else {
            bytes = Buffer.from(String(a.data ?? ''), 'base64');
          }
          // The digest the store recorded when the file was written: a changed byte anywhere shows here.
          if (attachmentDigest(bytes) !== a.digest) throw corrupt(`attachment ${key} of ${String(doc['_id'])} does not match its digest`, `tệp đính kèm ${key} của ${String(doc['_id'])} không khớp mã băm`);
          attachments[key] = { content_type: String(a.content_type ?? 'application/octet-stream'), data: bytes };
          batchBytes += bytes.length;
        }
        doc._attachments = attachments;
      }
      batch.push(doc);
      documents += 1;
      if (batch.length >= BATCH_DOCS || batchBytes >= BATCH_BYTES) await flush();
    }
    await flush();
    if (documents !== expected.documents || lines.digest() !== expected.sha256) throw corrupt(`${name}.ndjson does not match the manifest`, `${name}.ndjson không khớp manifest`);
    if (bin && (!(await bin.atEnd()) || bin.bytes !== expected.attachments!.bytes || bin.digest() !== expected.attachments!.sha256)) {
      throw corrupt(`${name}.bin does not match the manifest`, `${name}.bin không khớp manifest`);
    }
  } finally {
    await lines.close();
    await bin?.close();
  }
}

/** Copies the backup's other files into the staging folder, each checked against the manifest (format 2). */
async function restoreFiles(dir: string, manifest: Manifest, staging: string): Promise<void> {
  const files = join(dir, 'files');
  if (manifest.format === BACKUP_FORMAT_V1) {
    // Format 1 listed names only: copy the tree as it is.
    if (existsSync(files)) await copyTree(files, staging, '');
    return;
  }
  for (const entry of manifest.files as FileEntry[]) {
    const rel = normalize(String(entry.path));
    // A path out of the data directory, or onto the stores, is no backup of ours.
    if (rel.startsWith('..') || rel.startsWith(sep) || NOT_COPIED.has(rel.split(sep)[0]!)) throw corrupt(`manifest: file ${rel}`, `manifest: tệp ${rel}`);
    const to = join(staging, rel);
    mkdirSync(dirname(to), { recursive: true, mode: DIR_MODE });
    const got = await copyFile(join(files, rel), to).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt(`files/${rel} is missing`, `thiếu files/${rel}`);
      throw err;
    });
    if (got.size !== entry.size || got.sha256 !== entry.sha256) throw corrupt(`files/${rel} does not match the manifest`, `files/${rel} không khớp manifest`);
  }
}

async function copyTree(from: string, to: string, rel: string): Promise<void> {
  for (const name of readdirSync(join(from, rel))) {
    const path = join(rel, name);
    const st = statSync(join(from, path));
    if (st.isDirectory()) { mkdirSync(join(to, path), { recursive: true, mode: DIR_MODE }); await copyTree(from, to, path); } else if (st.isFile()) await copyFile(join(from, path), join(to, path));
  }
}

/** Is `dataDir` absent or an empty folder? A node's running LevelDB is named as such. */
async function refuseUnlessEmpty(dataDir: string): Promise<void> {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return;
  if (existsSync(join(dataDir, 'docs'))) {
    // Opening the stores says whether a node holds them (LevelDB's lock); closed again at once.
    const store = await openStopped(dataDir);
    await store.close();
  }
  throw new BackupError('target_not_empty', `Thư mục dữ liệu ${dataDir} không trống: khôi phục vào thư mục trống. / The data directory ${dataDir} is not empty: restore into an empty one.`);
}

/** Restores a backup into an empty or absent data directory, atomically; see the top of this file. */
export async function restore(backupDir: string, dataDir: string): Promise<Manifest> {
  const manifest = readManifest(backupDir);
  mkdirSync(dirname(dataDir), { recursive: true });
  const lock = takeRestoreLock(dataDir);
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.restoring`);
  let store: Store | null = null;
  try {
    await refuseUnlessEmpty(dataDir);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: DIR_MODE });
    store = await openStopped(staging);
    for (const name of DATABASES) await restoreDatabase(backupDir, name, manifest, store[name]);
    await store.close();
    store = null;
    await restoreFiles(backupDir, manifest, staging);
    for (const name of DATABASES) await syncLevelDb(join(staging, name));
    await fsyncDir(staging);
    // A node that got here first made the target non-empty: rename(2) refuses (ENOTEMPTY) and nothing is lost.
    await refuseUnlessEmpty(dataDir);
    await rename(staging, dataDir).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new BackupError('target_not_empty', `Thư mục dữ liệu ${dataDir} không còn trống: không khôi phục gì. / The data directory ${dataDir} is no longer empty: nothing was restored.`);
      throw err;
    });
    await fsyncDir(dirname(dataDir));
    return manifest;
  } catch (err) {
    await store?.close().catch(() => undefined);
    rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    lock.release();
  }
}
