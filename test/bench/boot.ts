// Boot of a large ward without a snapshot, and the first device's replication
// index (issue 18, docs/decisions/0012), each step in a process of its own so
// its peak memory is its own:
// - read: the direct reader alone (records/s, nothing folded);
// - rebuild: the view rebuilt from the store, with LevelDB read directly
//   (store-scan.ts) and, side by side on the same store, through PouchDB's
//   allDocs as before (`pouch`); records/s, peak RSS, and whether both built
//   the same view;
// - feed: a clerk's first pull through the replication feed — the seq index
//   built, then the first pages of _changes — with RSS before and after.
// - node: the compiled node as in production (heap cap --heap-mb) booted
//   from its snapshot; scratch: the same without one (rebuilt from the store,
//   heap cap --rebuild-heap-mb): time to the first answered list, then a clerk's first
//   pull over HTTP (_changes and _bulk_get, --pages pages of 100) with the
//   node's RSS sampled throughout.
// memory.ts measures boot from scratch and memory under load end to end.
//   npx tsx test/bench/boot.ts [--docs=20000 | --dir=<seeded ward>] [--pages=50] [--steps=rebuild,pouch,feed,node,scratch] [--heap-mb=256] [--cpu-prof]
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import PouchDB from 'pouchdb';
import { Projection } from '../../node/projection.js';
import { ReplicateFeed } from '../../node/replicate-feed.js';
import { openStore } from '../../node/store.js';
import { levelOf, scanDocs } from '../../node/store-scan.js';
import { seed } from '../helpers/seed.js';
import { Client, official, startTestWard } from '../helpers/ward.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sayFigure = (name: string, value: number | string) => console.log(`${name} ${typeof value === 'number' ? (Number.isInteger(value) ? value : value.toFixed(1)) : value}`);
const say = sayFigure;
const cpuSeconds = (since: NodeJS.CpuUsage) => { const used = process.cpuUsage(since); return (used.user + used.system) / 1e6; };
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const mb = (bytes: number) => bytes / 2 ** 20;
/** Anonymous resident memory (heap, buffers): RSS also counts LevelDB's tables mapped from disk, page cache the kernel takes back. */
const anonMb = () => nodeMemory(process.pid).anon;
/** Written by the rebuild step beside the store (not the node's own snapshot file). */
const SNAPSHOT = 'bench-boot.snapshot';
const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Highest RSS seen while `run` runs (sampled every 50 ms; VmHWM would include what came before). */
async function peakDuring<T>(run: () => Promise<T>): Promise<{ value: T; peakMb: number; peakAnonMb: number }> {
  let peak = process.memoryUsage.rss();
  let peakAnon = anonMb();
  const sample = () => { peak = Math.max(peak, process.memoryUsage.rss()); peakAnon = Math.max(peakAnon, anonMb()); };
  const timer = setInterval(sample, 50);
  try {
    const value = await run();
    sample();
    return { value, peakMb: mb(peak), peakAnonMb: peakAnon };
  } finally { clearInterval(timer); }
}

/** A digest of the whole view (every summary, the last numbers, a few searches): equal digests, equal views. */
function digest(p: Projection): string {
  const h = createHash('sha256');
  const all = [...p.all()].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const s of all) h.update(JSON.stringify(s));
  for (const key of new Set(all.map((s) => s.registerKey).filter((k) => k !== null))) h.update(`${key}=${p.lastNumber(key)}`);
  for (const q of ['chuyen doi so', 'ke hoach', 'tiem chung', 'le loi']) h.update(p.search(q).sort().join());
  return h.digest('hex').slice(0, 16);
}

async function step(name: string, dir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  if (name === 'rebuild' || name === 'pouch') {
    // The store opened as the node opens it reads LevelDB directly; a bare PouchDB is read through allDocs.
    const store = name === 'rebuild' ? await openStore(dir) : null;
    const db = store?.docs ?? new PouchDB(join(dir, 'docs'));
    const projection = new Projection();
    const rssBefore = mb(process.memoryUsage.rss());
    const cpu = process.cpuUsage();
    const t = performance.now();
    const { value: report, peakMb, peakAnonMb } = await peakDuring(() => projection.load(db, null));
    const s = (performance.now() - t) / 1000;
    say(`${name}_records`, report.changesRead);
    say(`${name}_s`, s);
    say(`${name}_records_per_s`, report.changesRead / s);
    // CPU time (all threads) says more than wall time on a machine shared with others' runs.
    say(`${name}_cpu_s`, cpuSeconds(cpu));
    say(`${name}_rss_before_mb`, rssBefore);
    say(`${name}_peak_rss_mb`, peakMb);
    say(`${name}_peak_anon_mb`, peakAnonMb);
    gc();
    say(`${name}_rss_after_mb`, mb(process.memoryUsage.rss()));
    say(`${name}_anon_after_mb`, anonMb());
    say(`${name}_view_digest`, digest(projection));
    // The feed step starts from it, as a node booting from its snapshot does.
    if (store) await projection.save(join(dir, SNAPSHOT), (await db.info()).update_seq);
    await (store ? store.close() : db.close());
    return;
  }
  if (name === 'read') {
    // The direct reader alone, nothing folded: what reading the store costs of a rebuild.
    const store = await openStore(dir);
    const level = levelOf(store.docs)!;
    let records = 0;
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (const [from, to] of [['ev:', 'ev:\uffff'], ['doc:', 'doc:\uffff']] as const) {
      for await (const doc of scanDocs(level, from, to)) { records += 1; void doc; }
    }
    const s = (performance.now() - t) / 1000;
    say('read_records', records);
    say('read_s', s);
    say('read_records_per_s', records / s);
    say('read_cpu_s', cpuSeconds(cpu));
    await store.close();
    return;
  }
  // feed: a clerk's first pull, page after page, as a device asks.
  const store = await openStore(dir);
  const projection = new Projection();
  const loaded = await projection.load(store.docs, existsSync(join(dir, SNAPSHOT)) ? join(dir, SNAPSHOT) : null);
  say('feed_view_from_snapshot', loaded.fromSnapshot ? 1 : 0);
  gc();
  const before = process.memoryUsage();
  const anonBefore = anonMb();
  const feed = new ReplicateFeed(store.docs, projection, async () => undefined);
  const reader = { user: 'vanthu', role: 'clerk' as const };
  const pages = Number(arg('pages', '50'));
  let since: number | string = 0;
  let sent = 0;
  const t = performance.now();
  const firstMs: number[] = [];
  const { peakMb, peakAnonMb } = await peakDuring(async () => {
    for (let i = 0; i < pages; i++) {
      const p = performance.now();
      const page = await feed.changes(reader, since, 100, 'all_docs');
      firstMs.push(performance.now() - p);
      sent += page.results.length;
      since = page.last_seq;
      if (page.results.length === 0) break;
    }
  });
  gc();
  const after = process.memoryUsage();
  say('feed_first_page_with_index_build_ms', firstMs[0] ?? 0);
  say('feed_later_pages_mean_ms', firstMs.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, firstMs.length - 1));
  say('feed_pages', firstMs.length);
  say('feed_changes_sent', sent);
  say('feed_s', (performance.now() - t) / 1000);
  say('feed_rss_before_mb', mb(before.rss));
  say('feed_peak_rss_mb', peakMb);
  say('feed_rss_after_mb', mb(after.rss));
  say('feed_anon_before_mb', anonBefore);
  say('feed_peak_anon_mb', peakAnonMb);
  say('feed_anon_after_mb', anonMb());
  // What the index keeps (the feed is still referenced below, so it is not collected), and what V8 keeps committed for it.
  say('feed_heap_growth_mb', mb(after.heapUsed - before.heapUsed));
  say('feed_heap_committed_growth_mb', mb(after.heapTotal - before.heapTotal));
  say('feed_outside_heap_growth_mb', mb(after.rss - after.heapTotal - (before.rss - before.heapTotal)));
  void feed;
  await store.close();
}

/** The node's resident memory now: total and anonymous (MB). */
function nodeMemory(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/** CPU seconds a process has used (user + system, all threads): steadier than wall time on a shared machine. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
}

/** The compiled node on `dir`, from its snapshot: boot to the first list, then a first pull with its memory sampled. */
async function nodeStep(repo: string, dir: string, scratch: boolean): Promise<void> {
  if (scratch) rmSync(join(dir, 'projection.snapshot'), { force: true });
  else if (!existsSync(join(dir, 'projection.snapshot')) && existsSync(join(dir, SNAPSHOT))) copyFileSync(join(dir, SNAPSHOT), join(dir, 'projection.snapshot'));
  const label = scratch ? 'scratch' : 'node';
  const say = (name: string, value: number) => sayFigure(name.replace(/^node_/, `${label}_`), value);
  const prof = process.argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'warddesk-boot-prof-node')}`] : [];
  const started = performance.now();
  // The rebuild holds more for a while than the node does once built (as memory.ts runs it).
  const node = spawn(process.execPath, [...prof, `--max-old-space-size=${scratch ? arg('rebuild-heap-mb', '384') : arg('heap-mb', '256')}`, join(repo, 'dist/node/cli.js'), 'start'], {
    env: { ...process.env, WARDDESK_DATA_DIR: dir, WARDDESK_HOST: '127.0.0.1', WARDDESK_PORT: '0', WARDDESK_COOKIE_SECURE: 'false', WARDDESK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  node.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  try {
    let url: string | undefined;
    while (!(url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1])) await sleep(10);
    say('node_listening_s', (performance.now() - started) / 1000);
    const clerk = new Client(url);
    while (!await clerk.login('vanthu', 'vanthu-real-password').then(() => true, () => false)) await sleep(20);
    while ((await clerk.get('/api/documents?limit=50')).status !== 200) await sleep(20);
    say('node_boot_to_first_list_s', (performance.now() - started) / 1000);
    say('node_cpu_to_first_list_s', cpuOf(node.pid!));
    say('node_view_from_snapshot', /"fromSnapshot":true/.test(log) ? 1 : 0);
    const rebuilt = log.split('\n').find((line) => line.includes('documents loaded from the store'));
    if (rebuilt) {
      say('node_rebuild_records', Number(/"changesRead":(\d+)/.exec(rebuilt)?.[1]));
      say('node_rebuild_s', Number(/"ms":(\d+)/.exec(rebuilt)?.[1]) / 1000);
    }
    await sleep(3000);
    const idle = nodeMemory(node.pid!);
    let peak = idle;
    const sampler = setInterval(() => { const m = nodeMemory(node.pid!); peak = { rss: Math.max(peak.rss, m.rss), anon: Math.max(peak.anon, m.anon) }; }, 100);
    const t = performance.now();
    let since: unknown = 0;
    let records = 0;
    const pages = Number(arg('pages', '50'));
    for (let i = 0; i < pages; i++) {
      const page = (await clerk.get(`/api/replicate/_changes?since=${since}&limit=100&style=all_docs`)).body as { results: { id: string; changes: { rev: string }[] }[]; last_seq: unknown };
      if (page.results.length === 0) break;
      if (i === 0) say('node_first_changes_page_s', (performance.now() - t) / 1000);
      const got = await clerk.post('/api/replicate/_bulk_get?revs=true', { docs: page.results.flatMap((c) => c.changes.map((r) => ({ id: c.id, rev: r.rev }))) });
      records += (got.body as { results: unknown[] }).results.length;
      since = page.last_seq;
    }
    clearInterval(sampler);
    say('node_pull_records', records);
    say('node_pull_s', (performance.now() - t) / 1000);
    say('node_rss_idle_mb', idle.rss);
    say('node_anon_idle_mb', idle.anon);
    say('node_rss_pull_max_mb', peak.rss);
    say('node_anon_pull_max_mb', peak.anon);
  } finally {
    node.kill('SIGTERM');
    await new Promise((done) => node.once('exit', done));
  }
}

const child = arg('step', '');
if (child) {
  await step(child, arg('dir', ''));
} else {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  let dir = arg('dir', '');
  const made = !dir;
  if (made) {
    dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-boot-'));
    const docs = Number(arg('docs', '20000'));
    // The bench's clerk, as the node's own API makes one.
    const ward = await startTestWard({}, dir);
    await official(ward, 'vanthu', 'clerk');
    await ward.node.close();
    const t = performance.now();
    await seed(dir, docs, Date.parse('2006-01-02T01:00:00Z'), { everyMs: Math.floor((20 * 365.25 * 86_400_000) / docs), incomingEvery: 3, bodyChars: 1500, batch: 2000 });
    say(`seed_${docs}_docs_s`, (performance.now() - t) / 1000);
    rmSync(join(dir, 'projection.snapshot'), { force: true });
  }
  execFileSync(process.execPath, ['-e', `import('${join(repo, 'bin/build.js')}').then((m) => m.ensureBuilt(['server'], { quiet: true }))`], { cwd: repo, stdio: 'inherit' });
  try {
    for (const name of arg('steps', 'rebuild,pouch,feed,node').split(',')) {
      say(`machine_load_1min_before_${name}`, load());
      if (name === 'node' || name === 'scratch') { await nodeStep(repo, dir, name === 'scratch'); continue; }
      const prof = process.argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), `warddesk-boot-prof-${name}`)}`] : [];
      execFileSync(process.execPath, [...prof, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), `--step=${name}`, `--dir=${dir}`, ...process.argv.slice(2).filter((a) => a.startsWith('--pages='))], { cwd: repo, stdio: 'inherit' });
    }
  } finally {
    if (made) rmSync(dir, { recursive: true, force: true });
  }
}
