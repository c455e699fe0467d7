// The city hub's ingest-and-verify rate (issue 4): W wards × a year of
// documents (~30 a week each: 60 % signed and sealed electronically, 35 % on
// paper, 5 % drafts) written into the embedded city over its HTTP API, then a
// hub started from zero reads every ward database, folds every document and
// fetches and verifies every signed PDF (two signatures each) from the city's
// chunks. Each ward's documents share a few really signed PDFs so seeding is
// quick, but every document's PDF is fetched and verified on its own.
//   npm run bench -- hub-ingest                  (default 8 wards × 52 weeks)
//   npx tsx test/bench/hub-ingest.ts --wards=200 --weeks=52
//   npx tsx test/bench/hub-ingest.ts --wards=4 --weeks=26 --baseline=39c427a
// With --baseline=<git ref>, the same bench of that commit (its own code, its
// own records: before content hashes) then runs on the same machine right
// after, in a temporary git worktree, and the ratio of the two rates is printed.
// Records are hashed as the ward's ledger hashes them, and the hub reads with
// conflicts and checks every hash and the ward's chain: that is what is timed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withHash } from '../../sync/record-hash.js';
import { documentDigest, GENESIS, makeEntry } from '../../node/audit.js';
import PouchDB from 'pouchdb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkDocs, splitFile } from '../../sync/chunks.js';
import { wardDbName } from '../../sync/city-contract.js';
import { startHub } from '../../node/city/hub-ingest.js';
import { initCity } from '../../node/city/init.js';
import { startTestCity, CITY_ADMIN } from '../helpers/city.js';
import { documentRecords, signedPdfs } from '../helpers/hub-fixtures.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const WARDS = arg('wards', 8);
const WEEKS = arg('weeks', 52);
const PER_WEEK = arg('per-week', 30);
const dir = mkdtempSync(join(tmpdir(), 'warddesk-hub-bench-'));
const city = await startTestCity();
const pki = makeTestPki();
const variants = await Promise.all(['a', 'b', 'c'].map((v) => signedPdfs(pki, v)));
const wards = Array.from({ length: WARDS }, (_, i) => `phuong-${String(i + 1).padStart(3, '0')}`);

try {
  await initCity({ url: city.url, admin: CITY_ADMIN, wards, outDir: join(dir, 'creds') });
  const seedStarted = performance.now();
  let documents = 0;
  let digital = 0;
  // Seeding goes straight into the stopped city's store, as replication would
  // leave it (the embedded server validates ~100 writes/s: a year of 200 wards
  // would take hours to write through it). What is measured is the hub.
  await city.stop();
  for (const ward of wards) {
    const db = new PouchDB(join(city.dataDir, wardDbName(ward)));
    const files: Record<string, unknown>[] = [];
    for (const v of variants) {
      for (const bytes of [v.leader, v.sealed]) {
        const split = await splitFile(bytes);
        files.push(...chunkDocs(split, 'application/pdf').map((c) => ({ _id: c._id, _attachments: { data: { content_type: 'application/octet-stream', data: Buffer.from(c._attachments.data.data) } } })));
        files.push({ _id: `blob:${split.sha256}`, type: 'blob', contentType: 'application/pdf', size: split.size, sha256: split.sha256, chunkSize: split.chunkSize, chunks: split.chunks.map((c) => c.sha256) });
      }
    }
    await write(db, files);
    let batch: Record<string, unknown>[] = [];
    let number = 0;
    let chainSeq = 0;
    let chainHead = GENESIS;
    for (let w = 0; w < WEEKS; w += 1) {
      for (let k = 0; k < PER_WEEK; k += 1) {
        const at = new Date(Date.parse('2026-01-05T01:30:00Z') + w * 7 * 86_400_000 + (k % 5) * 86_400_000 + k * 600_000);
        const roll = (documents * 7919) % 100;
        const signing = roll < 60 ? 'digital' : roll < 95 ? 'paper' : 'none';
        if (signing !== 'none') number += 1;
        if (signing === 'digital') digital += 1;
        const records = await Promise.all(documentRecords({ ward, signing, at, number, pdfs: variants[documents % variants.length]!, ...(k % 4 === 0 ? { unitCode: 'VP' } : {}) }).map((r) => withHash(r as { _id: string })));
        // Chained as the ward's ledger chains them (one entry per document here), so the hub walks a real chain.
        const entry = makeEntry(++chainSeq, chainHead, at.toISOString(), { user: 'vanthu', role: 'clerk', device: 'bench' }, 'document.issue', records[0]!._id, Object.fromEntries(records.map((r) => [r._id, documentDigest(r)])));
        chainHead = entry.hash;
        batch.push(...records, entry as unknown as Record<string, unknown>);
        documents += 1;
        if (batch.length >= 5000) { await write(db, batch); batch = []; }
      }
    }
    if (batch.length) await write(db, batch);
    await db.close();
  }
  await city.restart();
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const started = performance.now();
  const hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], rootCrls: pki.crl(), log: () => undefined });
  await hub.caughtUp(6 * 3_600_000);
  const seconds = (performance.now() - started) / 1000;
  const docs = [...hub.view.documents()];
  const wrong = docs.filter((d) => (d.signing === 'digital' && d.verdict !== 'valid') || (d.signing === 'paper' && d.verdict !== 'paper')).length;
  if (docs.length !== documents || wrong > 0) throw new Error(`hub holds ${docs.length} of ${documents} documents, ${wrong} with a wrong verdict`);
  const broken = [...hub.view.wards()].filter((w) => w.chain?.broken || (w.chain?.seq ?? 0) !== documents / WARDS);
  if (broken.length > 0) throw new Error(`the hub did not walk every ward's chain whole: ${JSON.stringify(broken.map((w) => w.chain))}`);
  const rss = process.memoryUsage().rss;
  await hub.close();

  console.log(`hub_wards ${WARDS} count`);
  console.log(`hub_documents ${documents} count`);
  console.log(`hub_digitally_signed ${digital} count`);
  console.log(`hub_seed_seconds ${seedSeconds.toFixed(1)} s`);
  console.log(`hub_ingest_seconds ${seconds.toFixed(1)} s`);
  console.log(`hub_ingest_rate ${(documents / seconds).toFixed(0)} documents/s`);
  console.log(`hub_verify_rate ${(digital / seconds).toFixed(0)} signed PDFs/s`);
  console.log(`hub_rss_after ${(rss / 2 ** 20).toFixed(0)} MB`);
  console.log(`hub_200_wards_year_estimate ${((200 * 52 * 30) / (documents / seconds) / 60).toFixed(0)} min`);
  const baseline = process.argv.find((a) => a.startsWith('--baseline='))?.split('=')[1];
  if (baseline) {
    const rate = runBaseline(baseline);
    console.log(`hub_ingest_rate_baseline ${rate.toFixed(0)} documents/s (${baseline})`);
    console.log(`hub_ingest_rate_ratio ${((documents / seconds) / rate).toFixed(2)} ours/baseline`);
  }
} finally {
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
}

/** The same bench at `ref`, in a throwaway worktree sharing this checkout's node_modules; its ingest rate. */
function runBaseline(ref: string): number {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tree = mkdtempSync(join(tmpdir(), 'warddesk-baseline-'));
  rmSync(tree, { recursive: true });
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', tree, ref], { stdio: 'ignore' });
  try {
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
    const args = process.argv.slice(2).filter((a) => !a.startsWith('--baseline='));
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(tree, 'test/bench/hub-ingest.ts'), ...args], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = out.split('\n').find((l) => l.startsWith('hub_ingest_rate '));
    if (!line) throw new Error(`the baseline printed no rate:\n${out}`);
    return Number(line.split(' ')[1]);
  } finally {
    execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
  }
}

async function write(db: PouchDB.Database, docs: Record<string, unknown>[]): Promise<void> {
  const results = await db.bulkDocs(docs as Parameters<PouchDB.Database['bulkDocs']>[0]);
  const bad = results.find((r) => 'error' in r && r.error);
  if (bad) throw new Error(`seeding: ${JSON.stringify(bad)}`);
}
