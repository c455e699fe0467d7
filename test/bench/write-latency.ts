// Write latency and numbering throughput under 50 concurrent clients, every
// acknowledged write fsynced first (issue 18): a ward node in its own process,
// driven over HTTP, once with group commit (docs/decisions/0010-group-commit.md)
// and once with `store.groupCommit: false` (one fsync per command, the path
// before it), in the same run; prints both and their ratio, and checks that
// the numbers on disk run 1..n.
//   npm run bench -- write-latency        (WRITES=1000 NUMBERS=2000 CLIENTS=50)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../node/store.js';
import { startChildNode } from '../helpers/child-node.js';
import { Client, official, sampleDraft, startTestWard } from '../helpers/ward.js';

const CLIENTS = Number(process.env['CLIENTS'] ?? 50);
const WRITES = Number(process.env['WRITES'] ?? 1000);
const NUMBERS = Number(process.env['NUMBERS'] ?? 2000);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs `work(i)` for i in 0..count-1 on `clients` concurrent loops; each call's latency in ms. */
async function concurrently(count: number, work: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    for (let i = next++; i < count; i = next++) {
      const t = performance.now();
      await work(i);
      latencies.push(performance.now() - t);
    }
  }));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

const must = (what: string, r: { status: number; body: unknown }, want: number) => { if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`); };

/**
 * A lean client for the measured phases: node:http over kept-alive sockets, asking for br/gzip
 * as a browser does but leaving the answer undecoded (an error's body is small and never
 * compressed). The tests' fetch-based Client cost ~0.8 ms of CPU a request on the same two
 * cores, CPU that 50 officials' own devices would spend, not the node.
 */
function leanPoster(session: Client): (path: string, body?: unknown) => Promise<{ status: number; body: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  return (path, body) => new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { cookie: session.cookie, 'x-csrf-token': session.csrf, 'accept-encoding': 'br, gzip' };
    if (data) { headers['content-type'] = 'application/json'; headers['content-length'] = data.length; }
    const req = request(session.base + path, { method: 'POST', agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

interface Figures { writeP50: number; writeP95: number; numbersPerS: number; gapless: boolean; cpuPerWrite: number; cpuPerNumber: number; clientCpuPerRequest: number }

/**
 * The node's CPU time so far (user + system, every thread: LevelDB's and zlib's included), in ms.
 * Unlike latency it hardly moves with what else the machine runs, so it compares runs on a busy one.
 */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

async function measure(groupCommit: boolean): Promise<Figures> {
  const root = mkdtempSync(join(tmpdir(), 'warddesk-writes-'));
  const dataDir = join(root, 'data');
  try {
    const configFile = join(root, 'config.json');
    writeFileSync(configFile, JSON.stringify({ store: { fsync: true, groupCommit } }));
    const setup = await startTestWard({}, dataDir);
    await official(setup, 'chuyenvien', 'specialist');
    const clerk = await official(setup, 'vanthu', 'clerk');
    // The documents to number, on paper (signed outside the system): numbering is their next step.
    await concurrently(NUMBERS, async (i) => must('paper', await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: `Văn bản giấy ${i}` })), 201));
    const paper = [...setup.node.projection.all()].map((v) => v.id);
    await setup.node.close();

    const child = await startChildNode(dataDir, { WARDDESK_CONFIG: configFile, WARDDESK_LOG_LEVEL: 'info' });
    let killed = false; // kill() waits for an exit that a second call would never see
    try {
      const specialist = new Client(child.url);
      await specialist.login('chuyenvien', 'chuyenvien-real-password');
      const numberer = new Client(child.url);
      await numberer.login('vanthu', 'vanthu-real-password');
      await concurrently(100, async (i) => must('warm-up', await specialist.post('/api/documents/outgoing', sampleDraft({ subject: `Khởi động ${i}` })), 201));
      const create = leanPoster(specialist);
      const numberIt = leanPoster(numberer);
      const cpu0 = cpuMs(child.proc.pid!);
      const client0 = process.cpuUsage();
      const writes = await concurrently(WRITES, async (i) => must('create', await create('/api/documents/outgoing', sampleDraft({ subject: `Dự thảo ${i}` })), 201));
      const cpu1 = cpuMs(child.proc.pid!);
      const numbers = await concurrently(paper.length, async (i) => must('number', await numberIt(`/api/documents/${paper[i]!}/actions/number`), 200));
      const cpu2 = cpuMs(child.proc.pid!);
      const client = process.cpuUsage(client0);
      await child.kill();
      killed = true;
      const store = await openStore(dataDir);
      const onDisk = (await store.docs.allDocs({ startkey: 'ev:num:out:', endkey: 'ev:num:out:\uffff' })).rows.map((r) => Number(r.id.split(':').pop()));
      await store.close();
      return {
        writeP50: percentile(writes.latencies, 50), writeP95: percentile(writes.latencies, 95),
        numbersPerS: paper.length / numbers.seconds,
        gapless: onDisk.length === paper.length && onDisk.every((n, i) => n === i + 1),
        cpuPerWrite: (cpu1 - cpu0) / WRITES, cpuPerNumber: (cpu2 - cpu1) / paper.length,
        clientCpuPerRequest: (client.user + client.system) / 1000 / (WRITES + paper.length),
      };
    } finally { if (!killed) await child.kill(); }
  } finally { rmSync(root, { recursive: true, force: true }); }
}

const load = () => loadavg()[0]!.toFixed(2);
console.log(`# ${CLIENTS} clients, ${WRITES} creates, ${NUMBERS} numberings a mode; load average ${load()} at the start`);
const single = await measure(false);
const grouped = await measure(true);
console.log(`write_p50_ms ${grouped.writeP50.toFixed(1)}`);
console.log(`write_p95_ms ${grouped.writeP95.toFixed(1)}`);
console.log(`numbering_per_s ${grouped.numbersPerS.toFixed(0)}`);
console.log(`node_cpu_ms_per_write ${grouped.cpuPerWrite.toFixed(2)}`);
console.log(`node_cpu_ms_per_number ${grouped.cpuPerNumber.toFixed(2)}`);
// The 50 clients run in this process on the same 2 cores: what they take is not the node's to use.
console.log(`bench_clients_cpu_ms_per_request ${grouped.clientCpuPerRequest.toFixed(2)}`);
console.log(`write_p50_ms_one_fsync_each ${single.writeP50.toFixed(1)}`);
console.log(`write_p95_ms_one_fsync_each ${single.writeP95.toFixed(1)}`);
console.log(`numbering_per_s_one_fsync_each ${single.numbersPerS.toFixed(0)}`);
console.log(`write_p95_ratio ${(single.writeP95 / grouped.writeP95).toFixed(2)} x`);
console.log(`numbering_ratio ${(grouped.numbersPerS / single.numbersPerS).toFixed(2)} x`);
console.log(`numbering_gaps ${grouped.gapless && single.gapless ? 0 : 1} count`);
console.log(`load_average_1m ${load()} at the end`);
process.exitCode = grouped.gapless && single.gapless ? 0 : 1;
