// A device's first full pull of an official's working set from a running
// node, through the app's own puller (pwa/src/data/puller.ts) into PouchDB on
// disk, with the node's memory sampled all along: what a new tablet costs the
// node. Used by memory.ts (--pull) on the kept 200,000-document store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { pullOnce } from '../../pwa/src/data/puller.js';
import { sessionFetch } from '../helpers/replica.js';
import type { Client } from '../helpers/ward.js';

export interface Resident { rssMb: number; anonMb: number; fileMb: number }

/** Pulls `official`'s whole set into an empty replica; the figures are prefixed `pull_`. */
export async function firstPull(official: Client, sample: () => Resident): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-first-pull-'));
  const local = new PouchDB(join(dir, 'device'));
  const before = sample();
  let maxRss = 0, maxAnon = 0, maxFile = 0;
  const watch = () => { try { const s = sample(); maxRss = Math.max(maxRss, s.rssMb); maxAnon = Math.max(maxAnon, s.anonMb); maxFile = Math.max(maxFile, s.fileMb); } catch { /* exited */ } };
  const sampler = setInterval(watch, 100);
  try {
    // The node's own count of the set, as the replicator reads it (GET /api/replicate).
    // Worked out over every document of the ward (then reused for a few seconds): its time is the node's, the trip is local.
    const asked = performance.now();
    const expected = Number((await official.get('/api/replicate')).body.doc_count);
    const sizeMs = performance.now() - asked;
    const t = performance.now();
    // As a browser asks (Node's fetch offers only gzip and deflate): the node answers brotli then.
    const session = sessionFetch(official);
    const fetch = (url: string, init?: RequestInit) => session(url, { ...init, headers: { 'accept-encoding': 'gzip, deflate, br', ...Object.fromEntries(new Headers(init?.headers)) } });
    const outcome = await pullOnce({ PouchDB, local, baseUrl: official.base, fetch, onProgress: () => undefined });
    const pullS = (performance.now() - t) / 1000;
    clearInterval(sampler);
    watch();
    if (!outcome.ok) throw new Error(`the first pull failed: ${outcome.reason}`);
    const records = (await local.info()).doc_count;
    await new Promise((ok) => setTimeout(ok, 3000));
    const after = sample();
    return {
      pull_set_size_ms: sizeMs, pull_s: pullS, pull_records: records, pull_records_expected: expected, pull_records_per_s: records / pullS,
      pull_rss_before_mb: before.rssMb, pull_rss_max_mb: maxRss, pull_rss_anon_max_mb: maxAnon, pull_rss_file_max_mb: maxFile,
      pull_rss_after_mb: after.rssMb, pull_rss_anon_after_mb: after.anonMb,
    };
  } finally {
    clearInterval(sampler);
    await local.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
