// The dashboard over the real hub: a ward pushes really signed, paper and
// forged documents to the embedded city with its own replicator, the ingest
// verifies them, and the dashboard's figures, invalid list and PDF come from
// what it recorded (the PDF assembled from the city's chunks). A later push
// shows up in the figures through the store's change notices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { createCrl } from '../../certs/crl.js';
import { startHub, type Hub } from '../../node/city/hub-ingest.js';
import { startHubServer, type HubServer } from '../../node/city/hub-http.js';
import { initCity } from '../../node/city/init.js';
import { WardCredentials, crlId } from '../../sync/city-contract.js';
import { CITY_ADMIN, startTestCity, type TestCity } from '../helpers/city.js';
import { documentRecords, sha256, signedPdfs, work, type SignedPdfs } from '../helpers/hub-fixtures.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { untilUpToDate, wardReplicator, writeChunked } from '../helpers/sync-data.js';

const WARD = 'phuong-bang';
const dir = mkdtempSync(join(tmpdir(), 'warddesk-hub-dash-'));
const pki = makeTestPki();
const headers = { authorization: `Basic ${Buffer.from(`${CITY_ADMIN.name}:${CITY_ADMIN.password}`).toString('base64')}` };
let city: TestCity;
let ward: PouchDB.Database;
let hub: Hub | null = null;
let server: HubServer | null = null;
let pdfs: SignedPdfs;

/** The ward replicates its records and files to the city, as a ward node would. */
async function wardPushes(records: Record<string, unknown>[], files: Buffer[]): Promise<void> {
  await writeChunked(ward, work(records, files));
  const creds = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${WARD}.credentials.json`), 'utf8')));
  const replicator = wardReplicator(ward, creds, city.url);
  try { await replicator.syncNow(); await untilUpToDate(replicator, 30_000); } finally { await replicator.stop(); }
}

async function api(path: string): Promise<any> { // any: JSON under test
  const res = await fetch(server!.url + path, { headers });
  assert.is(res.status, 200, path);
  return res.json();
}

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(dir, 'creds') });
  ward = new PouchDB(join(dir, WARD));
  pdfs = await signedPdfs(pki);
});

test.after(async () => {
  await server?.close();
  await hub?.close().catch(() => undefined);
  await ward.close();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('what the ingest verified is what the dashboard counts: signed, paper and forged in one week read "1/3 — 33,3 %"; the PDF comes from the city', async () => {
  const crl = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked: [], crlNumber: 1, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000) });
  const forged = Buffer.from(pdfs.sealed);
  const flip = forged.indexOf('stream\n') + 60;
  forged[flip] = forged[flip]! ^ 0x01;
  const at = new Date('2026-01-06T02:00:00Z'); // Tuesday 09:00 in Hà Nội, 2026-W02
  const signed = documentRecords({ ward: WARD, signing: 'digital', at, number: 1, pdfs });
  const paper = documentRecords({ ward: WARD, signing: 'paper', at, number: 2 });
  const bad = documentRecords({ ward: WARD, signing: 'digital', at, number: 3, pdfs, pdfSha: sha256(forged) });
  const crlRecord = { _id: crlId(WARD, 1), type: 'crl', issuer: WARD, crlNumber: 1, thisUpdate: new Date().toISOString(), der: crl.toString('base64') };
  await wardPushes([crlRecord, ...signed, ...paper, ...bad], [pdfs.leader, pdfs.sealed, forged]);
  hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], rootCrls: [pki.crl()[1]!], discoverMs: 200, longpollMs: 500, log: () => undefined });
  await hub.caughtUp();
  server = await startHubServer(hub.view, { port: 0, admin: CITY_ADMIN, pageDir: null });

  const summary = await api('/api/hub/summary?from=2026-W02&to=2026-W02');
  assert.equal({ issued: summary.total.issued, digital: summary.total.digital, paper: summary.total.paper, invalid: summary.total.invalid }, { issued: 3, digital: 1, paper: 1, invalid: 1 });
  assert.is(summary.total.rate.vi, '1/3 — 33,3 %');
  const invalid = await api('/api/hub/invalid');
  assert.equal(invalid.rows.map((d: { docId: string }) => d.docId), [bad[0]!['_id']]);
  assert.ok(invalid.rows[0].reasons.some((r: { code: string; vi: string; en: string }) => r.code === 'digest_mismatch' && r.vi && r.en));
  const detail = await api(`/api/hub/documents/${WARD}/${signed[0]!['_id']}`);
  assert.is(detail.document.symbol, '01/QĐ-UBND');
  assert.equal(detail.document.signatures.map((s: { role: string; status: string }) => `${s.role}:${s.status}`), ['leader:valid', 'agency:valid']);
  const res = await fetch(server.url + detail.pdf.url, { headers });
  assert.is(res.status, 200);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(pdfs.sealed), 'the PDF assembled from the city\'s chunks is the one the ward issued');
  const sync = await api('/api/hub/sync');
  assert.equal(sync.rows.map((r: { ward: string; documents: number }) => [r.ward, r.documents]), [[WARD, 3]]);
});

test('a document pushed later appears in the figures once the hub has read it', async () => {
  const before = await api('/api/hub/summary?from=2026-W02&to=2026-W02');
  await wardPushes(documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-01-07T02:00:00Z'), number: 4, pdfs }), []);
  await hub!.caughtUp();
  const after = await api('/api/hub/summary?from=2026-W02&to=2026-W02');
  assert.is(after.total.rate.vi, '2/4 — 50,0 %');
  assert.ok(after.version > before.version);
});

test.run();
