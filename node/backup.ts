// Backup and restore of a ward node's data directory.
//
// A backup is a folder: manifest.json, one NDJSON file per database with every
// document's full revision history and attachments, and a copy of the other
// files in the data directory (key stores). Revision histories are kept so a
// restored node and the city agree on what each document is: replication
// after a restore sends nothing twice and makes no conflicts.
//
// The node must be stopped (LevelDB allows one process); a running node is
// detected from LevelDB's lock and refused with a clear message rather than
// copied half-way. The folder is written under a temporary name and renamed
// only when complete, so a failed backup never looks like a good one.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import PouchDB from 'pouchdb';
import { openStore, type Store } from './store.js';
import { forgivingInfo } from '../sync/forgiving-info.js';
import { pullGenuine } from '../sync/genuine-pull.js';
import { isReplicatedId } from '../sync/city-contract.js';
import { basicCityJson, WardRecords } from './city/ward-records.js';

export const BACKUP_FORMAT = 'warddesk-backup/1';
const DATABASES = ['docs', 'secrets'] as const;
type DbName = (typeof DATABASES)[number];
/** Files of the data directory that are derived (rebuilt at boot) or held by LevelDB. */
const NOT_COPIED = new Set<string>([...DATABASES, 'projection.snapshot', 'projection.snapshot.tmp']);
/** Sessions die with the backup: a restored node asks everyone to log in again. */
const SKIPPED_ID = /^sess:/;

export interface Manifest {
  format: string;
  createdAt: string;
  ward: string | null;
  databases: Record<DbName, { documents: number; sha256: string; updateSeq: number | string }>;
  files: string[];
}

export class BackupError extends Error {
  constructor(readonly code: 'node_running' | 'not_a_backup' | 'backup_corrupt' | 'target_not_empty' | 'no_data', message: string) {
    super(message);
  }
}

/** Opens the store, turning LevelDB's lock error into "stop the node first". */
async function openStopped(dataDir: string): Promise<Store> {
  try {
    return await openStore(dataDir);
  } catch (err) {
    if (/lock/i.test(String((err as Error).message))) {
      throw new BackupError('node_running', 'Máy chủ phường đang chạy: hãy dừng máy chủ trước khi sao lưu hoặc khôi phục. / The ward node is running: stop it before backing up or restoring.');
    }
    throw err;
  }
}

/** Every document of `db`, each with its revision history, attachments and conflicting leaves. */
async function* dumpDocs(db: PouchDB.Database): AsyncGenerator<Record<string, unknown>> {
  let since: number | string = 0;
  for (;;) {
    const page = await db.changes({ since, limit: 200, style: 'all_docs' });
    if (page.results.length === 0) return;
    const wanted = page.results.flatMap((r) => SKIPPED_ID.test(r.id) ? [] : r.changes.map((c) => ({ id: r.id, rev: c.rev })));
    if (wanted.length > 0) {
      const got = await db.bulkGet({ docs: wanted, revs: true, attachments: true });
      for (const result of got.results) {
        for (const d of result.docs) {
          if ('ok' in d) yield d.ok;
          else throw new Error(`cannot read ${result.id}: ${JSON.stringify(d.error)}`);
        }
      }
    }
    since = page.last_seq;
  }
}

export async function backup(dataDir: string, outDir: string, ward: string | null = null): Promise<Manifest> {
  if (!existsSync(join(dataDir, 'docs'))) throw new BackupError('no_data', `Không có dữ liệu tại ${dataDir}. / No ward data at ${dataDir}.`);
  if (existsSync(outDir)) throw new BackupError('target_not_empty', `${outDir} đã tồn tại. / ${outDir} already exists.`);
  const partial = join(dirname(outDir), `.${basename(outDir)}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const store = await openStopped(dataDir);
  try {
    const databases = {} as Manifest['databases'];
    for (const name of DATABASES) {
      const db = store[name];
      const lines: string[] = [];
      for await (const doc of dumpDocs(db)) lines.push(JSON.stringify(doc));
      const text = lines.length ? `${lines.join('\n')}\n` : '';
      writeFileSync(join(partial, `${name}.ndjson`), text);
      databases[name] = { documents: lines.length, sha256: sha256(text), updateSeq: (await db.info()).update_seq };
    }
    const files = copyOtherFiles(dataDir, join(partial, 'files'));
    const manifest: Manifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), ward, databases, files };
    writeFileSync(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, outDir);
    return manifest;
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    await store.close();
  }
}

function copyOtherFiles(dataDir: string, to: string): string[] {
  const names = readdirSync(dataDir).filter((n) => !NOT_COPIED.has(n));
  for (const n of names) cpSync(join(dataDir, n), join(to, n), { recursive: true });
  return names;
}

/** Reads and checks a backup folder; throws BackupError when anything does not add up. */
export function readBackup(dir: string): { manifest: Manifest; docs: Record<DbName, Record<string, unknown>[]> } {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new BackupError('not_a_backup', `${dir} không phải bản sao lưu WardDesk. / ${dir} is not a WardDesk backup.`);
  }
  if (manifest.format !== BACKUP_FORMAT) throw new BackupError('not_a_backup', `Định dạng không hỗ trợ: ${manifest.format} / Unsupported format: ${manifest.format}`);
  const docs = {} as Record<DbName, Record<string, unknown>[]>;
  for (const name of DATABASES) {
    const text = readFileSync(join(dir, `${name}.ndjson`), 'utf8');
    const expected = manifest.databases[name];
    if (sha256(text) !== expected.sha256) {
      throw new BackupError('backup_corrupt', `Tệp ${name}.ndjson đã bị thay đổi hoặc hỏng. / ${name}.ndjson was changed or is damaged.`);
    }
    docs[name] = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }
  return { manifest, docs };
}

/**
 * Restores a backup into an empty data directory. Documents go in with their
 * revision histories (`new_edits: false`), exactly as replication would.
 */
export async function restore(backupDir: string, dataDir: string): Promise<Manifest> {
  const { manifest, docs } = readBackup(backupDir);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new BackupError('target_not_empty', `Thư mục dữ liệu ${dataDir} không trống: khôi phục vào thư mục trống. / The data directory ${dataDir} is not empty: restore into an empty one.`);
  }
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.restoring`);
  rmSync(staging, { recursive: true, force: true });
  const store = await openStopped(staging);
  try {
    for (const name of DATABASES) {
      for (let i = 0; i < docs[name].length; i += 200) {
        const batch = docs[name].slice(i, i + 200) as unknown as PouchDB.Core.Document[];
        const results = await store[name].bulkDocs(batch, { new_edits: false });
        const failed = results.find((r) => 'error' in r && r.error);
        if (failed) throw new Error(`restore of ${name} failed: ${JSON.stringify(failed)}`);
      }
    }
    await store.close();
    const files = join(backupDir, 'files');
    if (existsSync(files) && statSync(files).isDirectory()) cpSync(files, staging, { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(staging, dataDir);
    return manifest;
  } catch (err) {
    await store.close().catch(() => undefined);
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function sha256(text: string): string {
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
