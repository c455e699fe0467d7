// List and search latency with 10,000 and 100,000 documents on disk, measured
// over HTTP against a real ward node; and numbering throughput under 50
// concurrent clients. Prints one figure a line.
//   npx tsx test/bench/documents.ts [--sizes 10000,100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed, TYPES, pick } from '../helpers/seed.js';
import { official, sampleDraft, startTestWard } from '../helpers/ward.js';
import { percentile, timed } from '../helpers/bench-timing.js';

const sizes = (process.argv.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '10000,100000').split(',').map(Number);

const QUERIES = ['quyet dinh ve viec chuyen doi so', 'ke hoach phong chong lut bao', 'bao cao thu ngan sach', 'tiem chung', 'do thi van minh', 'cải cách hành chính', 'an toan giao th', 'khuyen hoc dot 5'];

for (const size of sizes) {
  const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-bench-'));
  try {
    let t = performance.now();
    await seed(dataDir, size);
    console.log(`seed_${size}_docs_s ${((performance.now() - t) / 1000).toFixed(1)}`);
    t = performance.now();
    const ward = await startTestWard({}, dataDir);
    console.log(`boot_${size}_docs_s ${((performance.now() - t) / 1000).toFixed(1)}`);
    const c = ward.admin;
    const rounds = 200;
    const listPaths = Array.from({ length: rounds }, (_, i) => [`/api/documents?limit=50`, `/api/documents?state=approved&limit=50`, `/api/documents?docType=${pick(TYPES, i)}&limit=50&offset=50`, `/api/documents?from=2026-02-01&to=2026-03-31&limit=50`][i % 4]!);
    const searchPaths = Array.from({ length: rounds }, (_, i) => `/api/documents?q=${encodeURIComponent(pick(QUERIES, i))}&limit=50`);
    const numberPaths = Array.from({ length: rounds }, (_, i) => `/api/documents?number=${(i % 50) + 1}`);
    await timed(c, listPaths.slice(0, 20)); // warm up the JIT
    const list = await timed(c, listPaths);
    const search = await timed(c, searchPaths);
    const byNumber = await timed(c, numberPaths);
    console.log(`list_${size}_p50_ms ${percentile(list, 50).toFixed(1)}`);
    console.log(`list_${size}_p95_ms ${percentile(list, 95).toFixed(1)}`);
    console.log(`search_${size}_p50_ms ${percentile(search, 50).toFixed(1)}`);
    console.log(`search_${size}_p95_ms ${percentile(search, 95).toFixed(1)}`);
    console.log(`by_number_${size}_p95_ms ${percentile(byNumber, 95).toFixed(1)}`);
    console.log(`rss_${size}_docs_mb ${(process.memoryUsage().rss / 1048576).toFixed(0)}`);
    await ward.node.close(); // saves the projection snapshot
    t = performance.now();
    const again = await startTestWard({}, dataDir);
    console.log(`boot_${size}_docs_from_snapshot_s ${((performance.now() - t) / 1000).toFixed(1)}`);
    await again.node.close();
  } finally { rmSync(dataDir, { recursive: true, force: true }); }
}

// Numbering throughput: 50 clients numbering 500 signed documents at once.
{
  const ward = await startTestWard();
  try {
    const clerks = await Promise.all(Array.from({ length: 5 }, (_, i) => official(ward, `vanthu${i}`, 'clerk')));
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) ids.push((await clerks[0]!.post('/api/documents/outgoing/paper', sampleDraft({ subject: `Văn bản ${i}` }))).body.id);
    const queue = [...ids];
    const t = performance.now();
    await Promise.all(Array.from({ length: 50 }, async (_, w) => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const r = await clerks[w % 5]!.post(`/api/documents/${id}/actions/number`);
        if (r.status !== 200) throw new Error(`number: ${r.status}`);
      }
    }));
    const s = (performance.now() - t) / 1000;
    console.log(`numbering_50_concurrent_per_s ${(500 / s).toFixed(0)}`);
  } finally { await ward.stop(); }
}
