// A device's first pull of its working set, in Node (PouchDB on disk instead
// of IndexedDB), through the same puller the app uses (pwa/src/data/puller.ts)
// against a real ward node: separates what the node costs from what the
// browser costs (test/bench/pwa.ts measures the whole thing in Chromium).
// Prints the pull time and where it went: per endpoint, the number of
// requests and the time the node took to answer them.
//   npx tsx test/bench/device-pull.ts [--size=5000]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { pullOnce } from '../../pwa/src/data/puller.js';
import { sessionFetch } from '../helpers/replica.js';
import { seed } from '../helpers/seed.js';
import { official, startTestWard } from '../helpers/ward.js';

const size = Number(process.argv.find((a) => a.startsWith('--size='))?.slice(7) ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-device-pull-'));
try {
  mkdirSync(join(dir, 'node'));
  // As in pwa.ts: three quarters of the seed reach a leader's working set.
  const seeded = Math.ceil(size / 0.75);
  await seed(join(dir, 'node'), seeded, Date.now() - seeded * 60_000 - 3_600_000);
  const ward = await startTestWard({}, join(dir, 'node'));
  const leader = await official(ward, 'lanhdao', 'leader');
  const perPath = new Map<string, { n: number; ms: number; bytes: number }>();
  const base = sessionFetch(leader);
  const timed = async (url: string, init?: RequestInit): Promise<Response> => {
    const t = performance.now();
    const res = await base(url, init);
    const body = await res.arrayBuffer();
    const key = `${init?.method ?? 'GET'} ${new URL(url).pathname.replace(/^\/api\/replicate/, '').replace(/^\/(?!_)[^/]+$/, '/:docid') || '/'}`;
    const s = perPath.get(key) ?? { n: 0, ms: 0, bytes: 0 };
    s.n += 1; s.ms += performance.now() - t; s.bytes += body.byteLength;
    perPath.set(key, s);
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  const local = new PouchDB(join(dir, 'device'));
  const t0 = performance.now();
  const outcome = await pullOnce({ PouchDB, local, baseUrl: ward.url, fetch: timed, onProgress: () => undefined });
  const pullS = (performance.now() - t0) / 1000;
  if (!outcome.ok) throw new Error(`pull failed: ${outcome.reason}`);
  const docs = (await local.allDocs({ startkey: 'doc:', endkey: 'doc:\uffff' })).rows.length;
  const all = (await local.info()).doc_count;
  console.log(`device_first_pull_node_${size} ${pullS.toFixed(1)} s (${docs} documents, ${all} records with events, PouchDB on disk)`);
  for (const [path, s] of [...perPath].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`device_pull_requests ${path}: ${s.n} requests, ${(s.ms / 1000).toFixed(1)} s waiting, ${(s.bytes / 2 ** 20).toFixed(1)} MB`);
  }
  await local.close();
  await ward.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
