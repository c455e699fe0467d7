// The city dashboard's queries at the issue's scale: 200 wards × 52 weeks ×
// 30 issued documents (312,000 hub records built in code, held in memory as
// the ingest's store holds them), served by startHubServer and measured over
// HTTP with the admin's credentials. Prints one figure a line:
//   cold   the first request of each kind after start (the aggregate was built at start);
//   change one ingest page (30 records re-judged) lands before each request:
//          incremental refresh + the query's own work, p50/p95 over the rounds;
//   varied a different filter each time (no reused answer), p50/p95;
//   warm   the same URL again (answer reused until the records change), p50/p95.
//   npx tsx test/bench/hub-queries.ts [--wards=200] [--weeks=52] [--per-week=30] [--rounds=40]
import { startHubServer } from '../../node/city/hub-http.js';
import { MemoryHubView, cityRecords } from '../helpers/hub-records.js';

const arg = (name: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
const WARDS = arg('wards', 200);
const WEEKS = arg('weeks', 52);
const PER_WEEK = arg('per-week', 30);
const ROUNDS = arg('rounds', 40);
const ADMIN = { name: 'cityadmin', password: 'bench-password-1' };
const headers = { authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}` };

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const fmt = (ms: number) => ms.toFixed(1);

let t = performance.now();
const { docs, wardRecords } = cityRecords(WARDS, WEEKS, PER_WEEK);
const view = new MemoryHubView();
view.put([...docs, ...wardRecords], false);
console.log(`hub_records ${docs.length}`);
console.log(`build_records_s ${((performance.now() - t) / 1000).toFixed(1)}`);
t = performance.now();
const server = await startHubServer(view, { port: 0, admin: ADMIN, pageDir: null });
console.log(`start_with_aggregate_build_s ${((performance.now() - t) / 1000).toFixed(2)}`);

async function timedGet(path: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(server.url + path, { headers });
  await res.arrayBuffer();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  return ms;
}

const week = (n: number) => `2026-W${String(n).padStart(2, '0')}`;
const ward = (n: number) => `phuong-${String(n).padStart(3, '0')}`;
const sample = docs[12_345]!;
/** Each query with a filter that changes from round to round. */
const QUERIES: Record<string, (i: number) => string> = {
  summary_week: (i) => `/api/hub/summary?from=${week((i % WEEKS) + 1)}&to=${week((i % WEEKS) + 1)}`,
  summary_year: (i) => `/api/hub/summary?from=${week(1)}&to=${week(WEEKS - (i % 4))}`,
  weeks_trend: (i) => `/api/hub/weeks?ward=${ward((i % WARDS) + 1)}`,
  wards_table: (i) => `/api/hub/wards?from=${week((i % WEEKS) + 1)}&to=${week(WEEKS)}`,
  units_table: (i) => `/api/hub/units?from=${week((i % WEEKS) + 1)}`,
  sync_table: (i) => `/api/hub/sync?ward=${ward((i % WARDS) + 1)},${ward(((i + 7) % WARDS) + 1)}`,
  invalid_list: (i) => `/api/hub/invalid?from=${week((i % WEEKS) + 1)}&limit=50`,
  documents_city_page: (i) => `/api/hub/documents?limit=50&offset=${(i % 10) * 50}`,
  documents_ward_filtered: (i) => `/api/hub/documents?ward=${ward((i % WARDS) + 1)}&verdict=paper&from=${week(10)}&to=${week(20)}`,
  document_detail: () => `/api/hub/documents/${sample.ward}/${sample.docId}`,
  wards_csv: (i) => `/api/hub/wards?from=${week((i % WEEKS) + 1)}&format=csv`,
};

try {
  // Cold: the first request of each kind after start, nothing reused yet.
  for (const [name, q] of Object.entries(QUERIES)) console.log(`${name}_cold_ms ${fmt(await timedGet(q(0)))}`);
  const results: Record<string, { change: number[]; varied: number[]; warm: number[] }> = {};
  for (const name of Object.keys(QUERIES)) results[name] = { change: [], varied: [], warm: [] };
  let pages = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, q] of Object.entries(QUERIES)) {
      // One ingest page lands before each of these: 30 documents re-judged (new objects, as the store writes them).
      const from = (pages++ * 9973) % (docs.length - 30);
      view.put(docs.slice(from, from + 30).map((d) => ({ ...d, verdict: d.verdict === 'valid' ? 'unverifiable' as const : d.verdict })), false);
      results[name]!.change.push(await timedGet(q(round)));
    }
    for (const [name, q] of Object.entries(QUERIES)) results[name]!.varied.push(await timedGet(q(round + 1000)));
    for (const [name, q] of Object.entries(QUERIES)) results[name]!.warm.push(await timedGet(q(round + 1000)));
  }
  let worst = 0;
  for (const [name, r] of Object.entries(results)) {
    for (const kind of ['change', 'varied', 'warm'] as const) {
      console.log(`${name}_${kind}_p50_ms ${fmt(percentile(r[kind], 50))}`);
      console.log(`${name}_${kind}_p95_ms ${fmt(percentile(r[kind], 95))}`);
      worst = Math.max(worst, percentile(r[kind], 95));
    }
  }
  console.log(`worst_query_p95_ms ${fmt(worst)}`);
  t = performance.now();
  const all = await fetch(`${server.url}/api/hub/documents?format=csv`, { headers });
  const bytes = (await all.arrayBuffer()).byteLength;
  console.log(`documents_csv_whole_city_s ${((performance.now() - t) / 1000).toFixed(2)}`);
  console.log(`documents_csv_whole_city_mb ${(bytes / 2 ** 20).toFixed(1)}`);
  console.log(`rss_mb ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}`);
} finally {
  await server.close();
}
