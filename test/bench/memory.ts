// A ward of twenty years (issue 18): resident memory idle and under load,
// boot to the first answered list from scratch and from the snapshot, list
// and search p95 — with the node run as in production (node
// dist/node/cli.js start) in its own process, under a memory cap: a cgroup
// (v1 or v2, when /sys/fs/cgroup is writable) and --max-old-space-size. With
// --baseline-docs the same figures for the code before this change
// (`git archive` of --baseline-ref, built the same way) on a second, smaller
// store, side by side, with their ratio.
//   npx tsx test/bench/memory.ts [--docs=200000] [--baseline-docs=50000] [--baseline-ref=bc1aa9e] [--cap-mb=512] [--heap-mb=256] [--rebuild-heap-mb=384]
//     [--dir=/path/kept-store] [--skip-scratch] [--load-s=20] [--nice=10] [--compare-ref=c56f688] [--pull] [--pull-only]
//     [--node-flags="--trace-gc"] [--node-log=/tmp/node.log]
// --pull: then the clerk's first full pull of their working set from the same
// node, through the app's puller (first-pull.ts), its memory sampled all along;
// --pull-only: that pull alone after the boot from the snapshot (no list, search or load).
// The first boot (a rebuild from the store) runs with the larger heap and no cgroup; the
// boot from the snapshot, idle and under load, with both caps.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seed, TYPES, pick } from '../helpers/seed.js';
import { Client, official, startTestWard } from '../helpers/ward.js';
import { percentile, timed } from '../helpers/bench-timing.js';
import { firstPull } from './first-pull.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const DOCS = Number(arg('docs', '200000'));
const BASELINE_DOCS = Number(arg('baseline-docs', '0'));
const BASELINE_REF = arg('baseline-ref', 'bc1aa9e');
const CAP_MB = Number(arg('cap-mb', '512'));
const HEAP_MB = Number(arg('heap-mb', '256'));
/** The rebuild from the store holds more for a while than the node does once built. */
const REBUILD_HEAP_MB = Number(arg('rebuild-heap-mb', '384'));
const LOAD_S = Number(arg('load-s', '20'));
/** A store kept between runs (seeded into it when empty, never removed), to measure again without seeding 200,000 documents. */
const KEEP_DIR = arg('dir', '');
/** Skip the boot from scratch (the kept store's snapshot is used as it is). */
const SKIP_SCRATCH = process.argv.includes('--skip-scratch');
/** Code to run on the same store from the same snapshot (its format unchanged since), side by side at full size. */
const COMPARE_REF = arg('compare-ref', '');
/** The node's niceness: 10 leaves the machine to others; 0 measures the node rather than the neighbours' load. */
const NICE = Number(arg('nice', '10'));
const PULL_ONLY = process.argv.includes('--pull-only');
/** More flags for the node (e.g. --trace-gc), and a file its output is copied to, to see where its memory goes. */
const NODE_FLAGS = arg('node-flags', '');
const NODE_LOG = arg('node-log', '');
const PULL = PULL_ONLY || process.argv.includes('--pull');
const repo = fileURLToPath(new URL('../..', import.meta.url));
const YEARS_MS = 20 * 365.25 * 86_400_000;
const QUERIES = ['quyet dinh ve viec chuyen doi so', 'ke hoach phong chong lut bao', 'bao cao thu ngan sach', 'tiem chung', 'do thi van minh', 'cải cách hành chính', 'an toan giao th', 'khuyen hoc dot 5', 'nguyen van an', 'le loi'];

const say = (name: string, value: number | string, unit = '') => console.log(`${name}${unit ? `_${unit}` : ''} ${typeof value === 'number' ? (Number.isInteger(value) ? value : value.toFixed(1)) : value}`);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** A memory cgroup the node runs in, when this machine lets us make one; null otherwise (the heap cap still applies). */
function makeCgroup(capMb: number): { procs: string; peakBytes(): number; ooms(): number; remove(): void } | null {
  const name = `warddesk-bench-${process.pid}`;
  const v1 = '/sys/fs/cgroup/memory';
  const v2 = '/sys/fs/cgroup';
  try {
    if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
      const dir = join(v1, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(capMb * 2 ** 20));
      return {
        procs: join(dir, 'cgroup.procs'),
        peakBytes: () => Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')),
        ooms: () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'))?.[1] ?? 0),
        remove: () => { try { rmSync(dir, { recursive: true }); } catch { /* still has a process: left for the OS */ } },
      };
    }
    const dir = join(v2, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(capMb * 2 ** 20));
    return {
      procs: join(dir, 'cgroup.procs'),
      peakBytes: () => Number(readFileSync(join(dir, 'memory.peak'), 'utf8')),
      ooms: () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0),
      remove: () => { try { rmSync(dir, { recursive: true }); } catch { /* idem */ } },
    };
  } catch {
    return null;
  }
}

interface Running { proc: ChildProcess; url: string; spawnedAt: number; log(): string; stop(): Promise<void> }

/** Starts the compiled node of `tree` on `dataDir` (in the cgroup when given), resolving once it listens. */
function startNode(tree: string, dataDir: string, heapMb: number | null, cgroupProcs: string | null): Promise<Running> {
  const spawnedAt = performance.now();
  const heap = heapMb ? `--max-old-space-size=${heapMb} ` : '';
  // The shell joins the cgroup, then becomes the node: everything it allocates is counted.
  const join_ = cgroupProcs ? `echo $$ > ${cgroupProcs} && ` : '';
  const proc = spawn('sh', ['-c', `${join_}exec nice -n ${NICE} ${process.execPath} ${heap}${NODE_FLAGS ? `${NODE_FLAGS} ` : ''}${join(tree, 'dist/node/cli.js')} start`], {
    env: { ...process.env, WARDDESK_DATA_DIR: dataDir, WARDDESK_HOST: '127.0.0.1', WARDDESK_PORT: '0', WARDDESK_COOKIE_SECURE: 'false', WARDDESK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const copy = (d: Buffer) => { out += d.toString(); if (NODE_LOG) appendFileSync(NODE_LOG, d); };
  proc.stdout!.on('data', copy);
  proc.stderr!.on('data', copy);
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (!m) return;
      clearInterval(timer);
      resolve({
        proc, url: m[1]!, spawnedAt, log: () => out,
        stop: () => new Promise((done) => { if (proc.exitCode !== null) return done(); proc.once('exit', () => done()); proc.kill('SIGTERM'); }),
      });
    }, 20);
    proc.once('exit', (code) => { clearInterval(timer); if (!/"url"/.test(out)) reject(new Error(`node exited ${code}:\n${out.slice(-3000)}`)); });
  });
}

/** Resident memory, and its two parts: anonymous (heap, buffers) and file-backed (the binary, LevelDB's mapped tables: page cache the kernel can take back). */
function status(pid: number): { rssMb: number; hwmMb: number; anonMb: number; fileMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}


/** CPU time the process has used (user + system), from /proc, in ms (10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const listPaths = (n: number) => Array.from({ length: n }, (_, i) => [`/api/documents?limit=50`, `/api/documents?state=approved&limit=50`, `/api/documents?docType=${pick(TYPES, i)}&limit=50&offset=50`, `/api/documents?from=2016-02-01&to=2016-03-31&limit=50`, `/api/documents?direction=incoming&state=assigned&limit=50`][i % 5]!);
const searchPaths = (n: number) => Array.from({ length: n }, (_, i) => `/api/documents?q=${encodeURIComponent(pick(QUERIES, i))}&limit=50`);

/** List and search latencies on the booted node, then (with `load`) 50 officials at once. */
async function listSearchAndLoad(node: Running, c: Client, figures: Record<string, number>, load: boolean): Promise<void> {
  await timed(c, listPaths(20)); // warm up the JIT
  let cpu = cpuMs(node.proc.pid!);
  const list = await timed(c, listPaths(200));
  figures['list_cpu_ms_per_request'] = (cpuMs(node.proc.pid!) - cpu) / 200;
  cpu = cpuMs(node.proc.pid!);
  const search = await timed(c, searchPaths(200));
  // The node's own CPU time per answer: what the machine's other load does not change much.
  figures['search_cpu_ms_per_request'] = (cpuMs(node.proc.pid!) - cpu) / 200;
  figures['list_p50_ms'] = percentile(list, 50);
  figures['list_p95_ms'] = percentile(list, 95);
  figures['search_p50_ms'] = percentile(search, 50);
  figures['search_p95_ms'] = percentile(search, 95);
  if (load) {
    // 50 officials at once: lists, searches and opening documents, for LOAD_S seconds.
    const clients = await Promise.all(Array.from({ length: 50 }, async () => { const k = new Client(node.url); await k.login('vanthu', 'vanthu-real-password'); return k; }));
    const ids: string[] = (await c.get('/api/documents?limit=200')).body.items.map((d: { id: string }) => d.id);
    const until = performance.now() + LOAD_S * 1000;
    let maxRss = 0, maxAnon = 0, done = 0, failed = 0;
    const sampler = setInterval(() => { try { const s = status(node.proc.pid!); maxRss = Math.max(maxRss, s.rssMb); maxAnon = Math.max(maxAnon, s.anonMb); } catch { /* exited */ } }, 100);
    const latencies: number[] = [];
    await Promise.all(clients.map(async (k, w) => {
      for (let i = w; performance.now() < until; i += 50) {
        const path = i % 3 === 0 ? searchPaths(i + 1)[i]! : i % 3 === 1 ? listPaths(i + 1)[i]! : `/api/documents/${ids[i % ids.length]}`;
        const t = performance.now();
        const r = await k.get(path).catch(() => ({ status: 0 }));
        latencies.push(performance.now() - t);
        if (r.status === 200) done += 1; else failed += 1;
      }
    }));
    clearInterval(sampler);
    figures['rss_under_load_max_mb'] = maxRss;
    figures['rss_anon_under_load_max_mb'] = maxAnon;
    figures['load_requests_per_s'] = done / LOAD_S;
    figures['load_p95_ms'] = percentile(latencies, 95);
    figures['load_failed'] = failed;
  }
}

/** One node run: boot to the first answered list, then the figures; stops the node (which saves its snapshot). */
async function measure(label: string, tree: string, dataDir: string, o: { heapMb: number | null; capMb: number | null; load: boolean; pull?: boolean }): Promise<Record<string, number>> {
  const cg = o.capMb ? makeCgroup(o.capMb) : null;
  const node = await startNode(tree, dataDir, o.heapMb, cg?.procs ?? null);
  const figures: Record<string, number> = {};
  try {
    const c = new Client(node.url);
    while ((await c.login('vanthu', 'vanthu-real-password')).status !== 200) await sleep(50);
    for (;;) {
      const r = await c.get('/api/documents?limit=50');
      if (r.status === 200) break;
      await sleep(50);
    }
    figures['boot_to_first_list_s'] = (performance.now() - node.spawnedAt) / 1000;
    await sleep(3000);
    const idle = status(node.proc.pid!);
    figures['rss_idle_mb'] = idle.rssMb;
    figures['rss_idle_anon_mb'] = idle.anonMb;
    figures['rss_idle_file_mb'] = idle.fileMb;
    if (!(o.pull && PULL_ONLY)) await listSearchAndLoad(node, c, figures, o.load);
    if (o.pull) Object.assign(figures, await firstPull(c, () => status(node.proc.pid!)));
    figures['peak_rss_mb'] = status(node.proc.pid!).hwmMb;
  } catch (err) {
    console.error(`# ${label}: the node said:\n${node.log().slice(-4000)}`);
    throw err;
  } finally {
    await node.stop();
    // The node saves its snapshot as it stops, under the same caps: a save that runs out of heap shows here.
    figures['snapshot_saved_on_stop'] = /"reason":"shutdown"[^\n]*"msg":"snapshot saved"/.test(node.log()) ? 1 : 0;
    figures['out_of_heap'] = /heap out of memory/.test(node.log()) ? 1 : 0;
    if (cg) {
      figures['cgroup_peak_mb'] = cg.peakBytes() / 2 ** 20; // includes page cache the kernel may take back
      figures['cgroup_oom_kills'] = cg.ooms();
      cg.remove();
    }
  }
  for (const [k, v] of Object.entries(figures)) say(`${label}_${k}`, v);
  return figures;
}

/** A store of `docs` documents over twenty years, with the bench's clerk. */
async function prepare(docs: number, keep = ''): Promise<string> {
  if (keep && existsSync(join(keep, 'docs'))) return keep;
  const dir = keep || mkdtempSync(join(tmpdir(), 'warddesk-bench-memory-'));
  mkdirSync(dir, { recursive: true });
  const ward = await startTestWard({}, dir);
  await official(ward, 'vanthu', 'clerk');
  await ward.node.close();
  const t = performance.now();
  await seed(dir, docs, Date.parse('2006-01-02T01:00:00Z'), { everyMs: Math.floor(YEARS_MS / docs), incomingEvery: 3, bodyChars: 1500, batch: 2000 });
  say(`seed_${docs}_docs_s`, (performance.now() - t) / 1000);
  rmSync(join(dir, 'projection.snapshot'), { force: true });
  return dir;
}

/** The code before this change, built as in production, in a scratch tree. */
function baselineTree(ref = BASELINE_REF): string {
  const tree = mkdtempSync(join(tmpdir(), 'warddesk-bench-baseline-'));
  execFileSync('sh', ['-c', `git -C ${repo} archive ${ref} | tar -x -C ${tree}`]);
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
  execFileSync(process.execPath, ['-e', `import('${join(tree, 'bin/build.js')}').then((m) => m.ensureBuilt(['server'], { quiet: true }))`], { cwd: tree, stdio: 'inherit' });
  return tree;
}

execFileSync(process.execPath, ['-e', `import('${join(repo, 'bin/build.js')}').then((m) => m.ensureBuilt(['server'], { quiet: true }))`], { cwd: repo, stdio: 'inherit' });
say('machine_load_1min', Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
const capped = { heapMb: HEAP_MB, capMb: CAP_MB, load: true, pull: PULL };
const rebuilding = { heapMb: REBUILD_HEAP_MB, capMb: null, load: false };
const dirs: string[] = [];
try {
  const dir = await prepare(DOCS, KEEP_DIR);
  if (!KEEP_DIR) dirs.push(dir);
  if (!SKIP_SCRATCH || !existsSync(join(dir, 'projection.snapshot'))) {
    rmSync(join(dir, 'projection.snapshot'), { force: true }); // a kept store has the last run's
    await measure(`new_${DOCS}_scratch`, repo, dir, rebuilding);
  }
  const now = await measure(`new_${DOCS}_snapshot`, repo, dir, capped);
  if (COMPARE_REF) {
    const tree = baselineTree(COMPARE_REF);
    dirs.push(tree);
    const old = await measure(`old_${DOCS}_snapshot`, tree, dir, capped);
    const pulled = PULL ? ['pull_rss_max_mb', 'pull_rss_anon_max_mb', 'pull_rss_file_max_mb', 'pull_rss_after_mb', 'pull_s', 'pull_set_size_ms'] : [];
    for (const k of ['rss_idle_mb', 'rss_under_load_max_mb', 'peak_rss_mb', 'list_p95_ms', 'search_p95_ms', 'list_cpu_ms_per_request', 'search_cpu_ms_per_request', 'boot_to_first_list_s', ...pulled]) {
      say(`ratio_new_over_old_${DOCS}_${k}`, (now[k] ?? NaN) / (old[k] ?? NaN));
    }
  }
  if (BASELINE_DOCS > 0) {
    const tree = baselineTree();
    dirs.push(tree);
    const small = await prepare(BASELINE_DOCS);
    dirs.push(small);
    const free = { heapMb: null, capMb: null, load: true };
    const nScratch = await measure(`new_${BASELINE_DOCS}_scratch`, repo, small, free);
    const nSnap = await measure(`new_${BASELINE_DOCS}_snapshot`, repo, small, free);
    rmSync(join(small, 'projection.snapshot'), { force: true });
    const oScratch = await measure(`old_${BASELINE_DOCS}_scratch`, tree, small, free);
    const oSnap = await measure(`old_${BASELINE_DOCS}_snapshot`, tree, small, free);
    for (const [k, n, old] of [['boot_scratch_s', nScratch['boot_to_first_list_s'], oScratch['boot_to_first_list_s']], ['boot_snapshot_s', nSnap['boot_to_first_list_s'], oSnap['boot_to_first_list_s']],
      ['rss_idle_mb', nSnap['rss_idle_mb'], oSnap['rss_idle_mb']], ['rss_under_load_mb', nSnap['rss_under_load_max_mb'], oSnap['rss_under_load_max_mb']], ['peak_rss_mb', nScratch['peak_rss_mb'], oScratch['peak_rss_mb']],
      ['list_p95_ms', nSnap['list_p95_ms'], oSnap['list_p95_ms']], ['search_p95_ms', nSnap['search_p95_ms'], oSnap['search_p95_ms']]] as const) {
      say(`ratio_new_over_old_${BASELINE_DOCS}_${k}`, (n ?? NaN) / (old ?? NaN));
    }
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
