// The city hub's ingest-and-verify rate (issue 4): W wards × a year of
// documents (~30 a week each: 60 % signed and sealed electronically, 35 % on
// paper, 5 % drafts) written into the embedded city over its HTTP API, then a
// hub started from zero reads every ward database, folds every document and
// fetches and verifies every signed PDF (two signatures each) from the city's
// chunks. Each ward's documents share a few really signed PDFs so seeding is
// quick, but every document's PDF is fetched and verified on its own.
//   npm run bench -- hub-ingest                  (default 8 wards × 52 weeks)
//   npx tsx test/bench/hub-ingest.ts --wards=200 --weeks=52
import { mkdtempSync, rmSync } from 'node:fs';
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
    for (let w = 0; w < WEEKS; w += 1) {
      for (let k = 0; k < PER_WEEK; k += 1) {
        const at = new Date(Date.parse('2026-01-05T01:30:00Z') + w * 7 * 86_400_000 + (k % 5) * 86_400_000 + k * 600_000);
        const roll = (documents * 7919) % 100;
        const signing = roll < 60 ? 'digital' : roll < 95 ? 'paper' : 'none';
        if (signing !== 'none') number += 1;
        if (signing === 'digital') digital += 1;
        batch.push(...documentRecords({ ward, signing, at, number, pdfs: variants[documents % variants.length]!, ...(k % 4 === 0 ? { unitCode: 'VP' } : {}) }));
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
} finally {
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
}

async function write(db: PouchDB.Database, docs: Record<string, unknown>[]): Promise<void> {
  const results = await db.bulkDocs(docs as Parameters<PouchDB.Database['bulkDocs']>[0]);
  const bad = results.find((r) => 'error' in r && r.error);
  if (bad) throw new Error(`seeding: ${JSON.stringify(bad)}`);
}
