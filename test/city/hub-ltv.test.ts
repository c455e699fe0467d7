// The hub's LTV copy (PAdES B-LTA): a document judged valid at the city gets
// a copy with a DSS (chains, CRLs used) and a document timestamp from the
// city TSA, kept in the hub's own store (no ward can write there); the
// ward's signed PDF at the city is untouched. pdfsig still says both
// signatures are valid and trusted on the copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { createCrl } from '../../certs/crl.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { issueToken, issueTsa } from '../../certs/tsa.js';
import { initCity } from '../../node/city/init.js';
import { startHub, type Hub } from '../../node/city/hub-ingest.js';
import { WardCredentials, crlId } from '../../sync/city-contract.js';
import { startTestCity, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { documentRecords, sha256, signedPdfs, work } from '../helpers/hub-fixtures.js';
import { untilUpToDate, wardReplicator, writeChunked } from '../helpers/sync-data.js';

const WARD = 'phuong-ltv';
const dir = mkdtempSync(join(tmpdir(), 'warddesk-hub-ltv-'));
const pki = makeTestPki();
const tsa = issueTsa(pki.root);
let city: TestCity;
let local: PouchDB.Database;
let hub: Hub | null = null;

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(dir, 'creds') });
  local = new PouchDB(join(dir, WARD));
});
test.after(async () => {
  await hub?.close().catch(() => undefined);
  await local.close();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('a document judged valid gets a city-owned LTV copy: DSS and document timestamp, both signatures valid and trusted for pdfsig; the ward\'s PDF is untouched', async () => {
  const pdfs = await signedPdfs(pki);
  const records = documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-01-05T02:00:00Z'), number: 5, pdfs });
  const docId = records[0]!['_id'] as string;
  // The ward's revocation list travels with its records, as a ward node publishes it.
  const crl = { _id: crlId(WARD, 1), type: 'crl', issuer: WARD, crlNumber: 1, thisUpdate: new Date().toISOString(), der: pki.crl()[0]!.toString('base64') };
  await writeChunked(local, work([crl, ...records], [pdfs.leader, pdfs.sealed]));
  const creds = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${WARD}.credentials.json`), 'utf8')));
  const rep = wardReplicator(local, creds, city.url);
  try { await rep.syncNow(); await untilUpToDate(rep, 30_000); } finally { await rep.stop(); }

  hub = await startHub({
    url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], rootCrls: [pki.crl()[1]!], discoverMs: 200, longpollMs: 500, log: () => undefined,
    ltv: { timestamper: async (imprint) => issueToken(tsa, { imprint }), tsaChain: tsa.chain },
  });
  await hub.caughtUp();
  const d = hub.view.document(WARD, docId)!;
  assert.is(d.verdict, 'valid', JSON.stringify(d.reasons));
  const copy = await hub.view.ltv!(WARD, docId);
  assert.ok(copy, 'the hub made an LTV copy');
  assert.ok(copy!.subarray(0, pdfs.sealed.length).equals(pdfs.sealed), 'the copy extends the ward\'s bytes, unchanged');
  const v = await verifyPdf(copy!, { roots: [pki.rootPem], crls: pki.crl() });
  assert.is(v.status, 'valid', JSON.stringify([v.reasons, v.signatures.map((s) => s.reasons), v.documentTimestamps]));
  assert.is(v.documentTimestamps?.[0]?.status, 'valid');
  assert.equal(pdfsigWithRoot(dir, pki.rootPem)(copy!, 'ltv.pdf').slice(0, 2).map((e) => [e.signature, e.certificate]), [['Signature is Valid.', 'Certificate is Trusted.'], ['Signature is Valid.', 'Certificate is Trusted.']]);
  const original = await hub.view.file(WARD, sha256(pdfs.sealed));
  assert.ok(original && Buffer.from(original).equals(pdfs.sealed), 'the ward\'s signed PDF at the city is as the ward sent it');
  const wardDocs = await fetch(`${city.url}/ward_${WARD}/_all_docs`, { headers: { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` } }).then((r) => r.json()) as { rows: { id: string }[] };
  assert.not.ok(wardDocs.rows.some((r) => r.id.startsWith('ltv:')), 'the LTV copy is not in the ward\'s database, where the ward could write');
});

test('a leader revoked after the city\'s LTV copy was made stays valid at the hub: the city\'s document timestamp proves the signatures came first', async () => {
  const pdfs = await signedPdfs(pki);
  const records = documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-01-06T02:00:00Z'), number: 6, pdfs });
  const docId = records[0]!['_id'] as string;
  const creds = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${WARD}.credentials.json`), 'utf8')));
  const push = async (docs: Record<string, unknown>[], files: Buffer[] = []) => {
    await writeChunked(local, work(docs, files));
    const rep = wardReplicator(local, creds, city.url);
    try { await rep.syncNow(); await untilUpToDate(rep, 30_000); } finally { await rep.stop(); }
    await hub!.caughtUp();
  };
  await push(records, [pdfs.leader, pdfs.sealed]);
  assert.is(hub!.view.document(WARD, docId)!.verdict, 'valid');
  assert.ok(await hub!.view.ltv!(WARD, docId), 'the LTV copy exists before the revocation');

  // A second later (timestamps count in seconds) the ward revokes the leader's key.
  await new Promise((r) => setTimeout(r, 1100));
  const revoked = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked: [{ serial: pki.serialOf(pki.leader.chain[0]!), date: new Date(), reason: 'keyCompromise' }], crlNumber: 2, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 86_400_000) });
  await push([{ _id: crlId(WARD, 2), type: 'crl', issuer: WARD, crlNumber: 2, thisUpdate: new Date().toISOString(), der: revoked.toString('base64') }]);
  const d = hub!.view.document(WARD, docId)!;
  assert.ok(d.verifiedAt, 'judged again after the new list');
  assert.is(d.verdict, 'valid', JSON.stringify(d.reasons));
  // The same file without the city's copy is unproven (test/city/hub-ingest.test.ts shows the hub says so): checked here directly.
  const bare = await verifyPdf(pdfs.sealed, { roots: [pki.rootPem], crls: [revoked, pki.crl()[1]!] });
  assert.is(bare.status, 'unknown');
  assert.ok(bare.signatures[0]!.reasons.some((r) => r.code === 'signing_time_unproven'));
});

test.run();
