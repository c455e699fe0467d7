// Where the heap of the projection goes, read from a kept ward's snapshot
// (issue 18): the projection's share of the heap per document, the postings'
// part, v8's spaces, and list/search timings in process (no HTTP), so a
// change to the columns or the index is measured without a node.
//   node --expose-gc --import tsx test/bench/projection-heap.ts <ward data dir, e.g. a memory.ts --dir>
import PouchDB from 'pouchdb';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { Projection } from '../../node/projection.js';
import { DocumentQuery, queryDocuments } from '../../node/document-query.js';
const dir = process.argv[2]!;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => { throw new Error('run with --expose-gc'); });
const mb = (n: number) => (n / 2 ** 20).toFixed(1);
const mu = (l: string) => { const m = process.memoryUsage(); console.log(l, 'rss', mb(m.rss), 'heapTotal', mb(m.heapTotal), 'heapUsed', mb(m.heapUsed), 'external', mb(m.external), 'arrayBuffers', mb(m.arrayBuffers)); };
gc(); mu('start');
const db = new PouchDB(join(dir, 'docs'));
await db.info();
gc(); gc(); const h0 = process.memoryUsage(); mu('pouch_open');
const p = new Projection();
let t = performance.now();
const r = await p.load(db, join(dir, 'projection.snapshot'));
console.log('load_ms', (performance.now() - t).toFixed(0), 'fromSnapshot', r.fromSnapshot, r.snapshotProblem);
gc(); gc(); const h1 = process.memoryUsage(); mu('loaded');
const used = h1.heapUsed - h0.heapUsed + h1.arrayBuffers - h0.arrayBuffers;
console.log('docs', p.size, 'projection_mb', mb(used), 'bytes_per_doc', (used / p.size).toFixed(0), 'postings_mb', mb(p.stats().postingBytes), 'bytes_per_doc_without_postings', ((used - p.stats().postingBytes) / p.size).toFixed(0));
for (const s of getHeapSpaceStatistics()) console.log(' space', s.space_name, 'used', mb(s.space_used_size), 'size', mb(s.space_size));
const Q = ['quyet dinh ve viec chuyen doi so', 'ke hoach phong chong lut bao', 'bao cao thu ngan sach', 'tiem chung', 'do thi van minh', 'cải cách hành chính', 'an toan giao th', 'khuyen hoc dot 5', 'nguyen van an', 'le loi'];
const reader = { user: 'vanthu', role: 'clerk' as const };
for (const round of [0, 1]) {
  const times: number[] = [];
  for (let i = 0; i < 100; i++) { const t0 = performance.now(); queryDocuments(p, DocumentQuery.parse({ q: Q[i % Q.length], limit: '50' }), reader); times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  const lt: number[] = [];
  for (let i = 0; i < 50; i++) { const t0 = performance.now(); queryDocuments(p, DocumentQuery.parse({ limit: '50', ...(i % 2 ? { state: 'approved' } : {}) }), reader); lt.push(performance.now() - t0); }
  lt.sort((a, b) => a - b);
  console.log('round', round, 'search_p50_ms', times[50]!.toFixed(1), 'search_p95_ms', times[95]!.toFixed(1), 'list_p95_ms', lt[47]!.toFixed(1));
}
for (const q of Q) { const t0 = performance.now(); for (let i = 0; i < 5; i++) p.searchRows(q); console.log(' q', q, 'matches', p.search(q).length, 'index_ms', ((performance.now() - t0) / 5).toFixed(1)); }
// A page's records come from the store (or the cache of listed records): the rest of a list or search answer.
for (const round of [0, 1]) {
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const { items } = queryDocuments(p, DocumentQuery.parse({ q: Q[i % Q.length], limit: '50', offset: String(50 * (i % 7)) }), reader);
    await p.records(items.map((v) => v.id));
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log('round', round, 'search_with_records_p50_ms', times[30]!.toFixed(1), 'p95_ms', times[57]!.toFixed(1));
}
