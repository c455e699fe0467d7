// 100 wards replicating at once into one city. The city is the embedded
// server in its own process (`warddesk city start`, as in the tests); the
// wards are 100 PouchDB databases on disk in this process, each with its own
// Replicator and its own city credentials from initCity (one database and one
// user per ward). Each ward holds a modest week: 30 outgoing documents with
// three events and a small signed-PDF-sized file each (one chunk). All start
// together; a ward counts as converged when its Replicator reports the city
// confirmed everything, and every ward is then checked against the city with
// divergence() (records at the same revision, no conflicts, files assemble).
//   npx tsx test/bench/sync-scale.ts [--wards=100] [--docs=30] [--pdf-bytes=20000]
// Prints: wards, converged wards, the time from the start of all runs to the
// last ward confirmed, and the city's documents/s (documents stored ÷ that time).
import { Config } from '../../node/config.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { initCity } from '../../node/city/init.js';
import { WardCredentials, wardDbName } from '../../sync/city-contract.js';
import { CITY_ADMIN, couch, divergence, startTestCity } from '../helpers/city.js';
import { wardReplicator, wardWork, writeChunked } from '../helpers/sync-data.js';

const arg = (name: string, fallback: string) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const WARDS = arg('wards', '100');
const NODE_CITY = Config.parse({}).city;
const DOCS = arg('docs', '30');
const PDF_BYTES = arg('pdf-bytes', '20000');

const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-scale-'));
const city = await startTestCity();
const dbs: PouchDB.Database[] = [];
try {
  const codes = Array.from({ length: WARDS }, (_, i) => `w${String(i + 1).padStart(3, '0')}`);
  let t = performance.now();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: codes, outDir: join(dir, 'creds') });
  console.log(`# city init for ${WARDS} wards: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const code of codes) {
    const db = new PouchDB(join(dir, code));
    await writeChunked(db, wardWork({ ward: code, documents: DOCS, pdfBytes: PDF_BYTES, scans: 0, scanBytes: 0 }));
    dbs.push(db);
  }
  const reps = codes.map((code, i) => {
    const creds = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${code}.credentials.json`), 'utf8')));
    // The node's defaults but the interval: runs are driven below with "sync now".
    return wardReplicator(dbs[i]!, creds, city.url, { intervalMs: 3_600_000, batchSize: NODE_CITY.batchSize, backoff: { baseMs: NODE_CITY.backoffBaseSeconds * 1000, capMs: NODE_CITY.backoffCapSeconds * 1000 }, requestTimeoutMs: NODE_CITY.requestTimeoutSeconds * 1000 });
  });
  t = performance.now();
  const finished = await Promise.all(reps.map(async (rep) => {
    for (let attempt = 1; ; attempt += 1) {
      await rep.syncNow();
      const status = await rep.status();
      if (status.upToDate) return { ms: performance.now() - t, attempt };
      if (attempt >= 20) throw new Error(`a ward did not converge: ${JSON.stringify(status.lastError)}`);
    }
  }));
  const convergeS = Math.max(...finished.map((f) => f.ms)) / 1000;
  let cityDocs = 0;
  const problems: string[] = [];
  for (const [i, code] of codes.entries()) {
    const info = await couch(city.url, CITY_ADMIN, 'GET', `/${wardDbName(code)}`);
    cityDocs += Number(info.body.doc_count) - 1; // the design document
    problems.push(...(await divergence(dbs[i]!, city.url, wardDbName(code))).map((p) => `${code}: ${p}`));
  }
  for (const rep of reps) await rep.stop();
  console.log(`# ${cityDocs} documents at the city; ${finished.filter((f) => f.attempt > 1).length} wards needed more than one run; ${problems.length} differences`);
  if (problems.length > 0) { console.log(`# e.g. ${problems.slice(0, 3).join('; ')}`); process.exitCode = 1; }
  console.log(`sync_scale_wards ${WARDS} count`);
  console.log(`sync_scale_converged_wards ${WARDS - new Set(problems.map((p) => p.split(':')[0])).size} count`);
  console.log(`sync_scale_city_documents ${cityDocs} count`);
  console.log(`sync_scale_converge_seconds ${convergeS.toFixed(1)} s`);
  console.log(`sync_scale_city_rate ${(cityDocs / convergeS).toFixed(0)} documents/s`);
} finally {
  for (const db of dbs) await db.close();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
}
