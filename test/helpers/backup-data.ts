// Ward data for backup tests and the backup bench, written straight into a
// real store: documents and events (seed.ts), files as real blob + chunk
// documents of random bytes (as Blobs.put stores them), a second revision and
// a conflicting branch on some documents (history a restore must keep), a
// secret, and a key-store file; and running the CLI in a child process with
// its peak RSS, read from /proc by the parent.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../node/store.js';
import { chunkDocs, splitFile } from '../../sync/chunks.js';
import { seed } from './seed.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
const compiledCli = fileURLToPath(new URL('../../bin/warddesk.js', import.meta.url));

/** Writes `documents` documents (with their events) and `fileBytes` of files in files of `fileSize`. */
export async function seedWardData(dataDir: string, o: { documents: number; fileBytes: number; fileSize?: number }): Promise<{ files: string[] }> {
  mkdirSync(dataDir, { recursive: true });
  await seed(dataDir, o.documents);
  const store = await openStore(dataDir);
  const files: string[] = [];
  try {
    const fileSize = o.fileSize ?? 4 << 20;
    for (let written = 0; written < o.fileBytes; written += fileSize) {
      const bytes = randomBytes(Math.min(fileSize, o.fileBytes - written));
      const file = await splitFile(bytes);
      await store.docs.bulkDocs(chunkDocs(file) as unknown as Parameters<PouchDB.Database['bulkDocs']>[0]);
      await store.docs.put({ _id: `blob:${file.sha256}`, type: 'blob', contentType: 'application/pdf', size: bytes.length, sha256: file.sha256, chunkSize: file.chunkSize, chunks: file.chunks.map((c) => c.sha256) });
      files.push(file.sha256);
    }
    // History: a second revision, a deleted document, and a conflicting branch (as a replicated edit would make).
    const edited = await store.docs.put({ _id: 'setting:history', value: 1 });
    await store.docs.put({ _id: 'setting:history', _rev: edited.rev, value: 2 });
    await store.docs.bulkDocs([{ _id: 'setting:history', _rev: '2-ffffffffffffffffffffffffffffffff', value: 'branch', _revisions: { start: 2, ids: ['ffffffffffffffffffffffffffffffff', edited.rev.slice(2)] } }] as never, { new_edits: false });
    const gone = await store.docs.put({ _id: 'setting:gone', value: 0 });
    await store.docs.put({ _id: 'setting:gone', _rev: gone.rev, _deleted: true });
    await store.secrets.put({ _id: 'cred:someone', password: { hash: 'not-a-real-hash' }, mustChange: false });
    await store.secrets.put({ _id: 'sess:abc', user: 'someone' });
  } finally {
    await store.close();
  }
  mkdirSync(join(dataDir, 'keys'), { recursive: true });
  writeFileSync(join(dataDir, 'keys', 'someone.p12.json'), JSON.stringify({ sealed: randomBytes(64).toString('base64') }));
  return { files };
}

/** `anonMb`/`fileMb`: peaks of the anonymous and file-backed parts of RSS. */
export interface CliRun { code: number | null; out: string; maxRssMb: number; anonMb: number; fileMb: number; ms: number }

/**
 * Runs `warddesk <args>` in a child process; `onSpawn` gets the process (to stop or kill it).
 * `compiled`: the CLI an official runs (bin/warddesk.js, compiled JS) rather than the sources
 * through tsx, whose loader adds its own memory: benches measure that one.
 * Memory is read from the parent, in /proc/<pid>/status every 20 ms: the kernel's high-water mark
 * of RSS (VmHWM) and the peaks of its two parts, anonymous memory (heap, buffers) and file-backed
 * pages (the executable, memory-mapped LevelDB tables: page cache the kernel can take back).
 */
export function runCli(args: string[], env: Record<string, string>, onSpawn?: (proc: import('node:child_process').ChildProcess) => void, o: { compiled?: boolean } = {}): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const argv = o.compiled ? [compiledCli, ...args] : ['--import', 'tsx', cli, ...args];
    const proc = spawn(process.execPath, argv, { env: { ...process.env, WARDDESK_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const peak = { hwm: 0, anon: 0, file: 0 };
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
        peak.hwm = Math.max(peak.hwm, kb('VmHWM'));
        peak.anon = Math.max(peak.anon, kb('RssAnon'));
        peak.file = Math.max(peak.file, kb('RssFile'));
      } catch { /* the process has just ended */ }
    };
    const timer = setInterval(sample, 20);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('error', (err) => { clearInterval(timer); reject(err); });
    // 'exit' comes while the process is a zombie for a moment at most: the last samples were taken before.
    proc.once('close', (code) => {
      clearInterval(timer);
      const mb = (kb: number) => (kb > 0 ? kb / 1024 : NaN);
      resolve({ code, out, maxRssMb: mb(peak.hwm), anonMb: mb(peak.anon), fileMb: mb(peak.file), ms: performance.now() - started });
    });
    onSpawn?.(proc);
  });
}
