// A revocation travels ward → city → wards: ward A's CA revokes its leader's
// certificate; A's node publishes the list as `crl:phuong-a:<n>`, replication
// carries it to the city, `city publish-crls` copies it (and the root's list)
// into ward B's inbox, and B's verifier turns from "valid" to "revoked" on a
// PDF that A's leader signed. Real nodes, a real embedded city, over HTTP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateKey, issueCertificate } from '../../certs/ca.js';
import { createCrl } from '../../certs/crl.js';
import { signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSignaturePng } from '../../certs/sample-images.js';
import { initCity } from '../../node/city/init.js';
import { distributeCrls } from '../../node/city/crl-distribution.js';
import { WARD_CA } from '../../node/signing.js';
import { startTestCity, couch, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { twoPagePdf } from '../helpers/signing-fixtures.js';
import { startTestWard, synced, type TestWard } from '../helpers/ward.js';
import { assertNoSecretsAtCity } from '../helpers/secret-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-crl-'));
let city: TestCity;
let a: TestWard;
let b: TestWard;
const rootKey = generateKey(2048);
const rootPem = issueCertificate({ kind: 'root', subject: { commonName: 'Test City Root' }, publicKey: rootKey.publicKey, issuer: { self: rootKey.privateKey }, days: 365 });
const caOf = (ward: string) => {
  const k = generateKey(2048);
  return { privateKey: k.privateKey, chain: [issueCertificate({ kind: 'ward-ca', subject: { commonName: `${ward} CA` }, publicKey: k.publicKey, issuer: { certPem: rootPem, privateKey: rootKey.privateKey }, days: 365 }), rootPem] };
};
const caA = caOf('phuong-a');
const caB = caOf('phuong-b');
const leaderKey = generateKey(2048);
const leaderPem = issueCertificate({ kind: 'leader', subject: { commonName: 'Lãnh đạo A' }, publicKey: leaderKey.publicKey, issuer: { certPem: caA.chain[0]!, privateKey: caA.privateKey }, days: 365 });
const crlA = (n: number, revoked: string[]) => createCrl({ issuerCertPem: caA.chain[0]!, issuerKey: caA.privateKey, revoked: revoked.map((serial) => ({ serial, date: new Date(), reason: 'keyCompromise' as const })), crlNumber: n, thisUpdate: new Date(Date.now() - 1000), nextUpdate: new Date(Date.now() + 86_400_000) });
const rootCrl = createCrl({ issuerCertPem: rootPem, issuerKey: rootKey.privateKey, revoked: [], crlNumber: 1, thisUpdate: new Date(Date.now() - 1000), nextUpdate: new Date(Date.now() + 86_400_000) });
let signedByA: Buffer;

async function ward(code: string, ca: typeof caA): Promise<TestWard> {
  const w = await startTestWard({ ward: { code }, city: { credentialsFile: join(dir, 'creds', `${code}.credentials.json`), intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });
  w.node.signing.keys.save(WARD_CA, ca, 'ward-ca-pin');
  return w;
}

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], outDir: join(dir, 'creds') });
  a = await ward('phuong-a', caA);
  b = await ward('phuong-b', caB);
  const { pdf, layout } = await twoPagePdf();
  signedByA = signAsLeader(pdf, { signer: { privateKey: leaderKey.privateKey, chain: [leaderPem, ...caA.chain] }, image: sampleSignaturePng(), box: layout.signature });
});
test.after(async () => { await a.stop(); await b.stop(); await city.destroy(); rmSync(dir, { recursive: true, force: true }); });

test('before any list reaches ward B, its verdict on A\'s signature is unknown, never valid', async () => {
  const v = await verifyPdf(signedByA, await b.node.signing.trust());
  assert.is(v.status, 'unknown');
});

test('A\'s list travels to the city and on to B; B then knows A\'s leader is in good standing', async () => {
  writeFileSync(join(a.node.signing.keys.dir, 'ward-ca.crl'), crlA(1, []));
  assert.is(await a.node.signing.publishCrl(), true);
  assert.is(await a.node.signing.publishCrl(), false, 'an unchanged list is not published twice');
  await synced(a);
  const atCity = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuong-a/crl:phuong-a:000001');
  assert.is(atCity.status, 200);
  const spread = await distributeCrls({ url: city.url, admin: CITY_ADMIN, rootCrl });
  assert.ok(spread.copies >= 2, JSON.stringify(spread));
  await synced(b);
  const v = await verifyPdf(signedByA, await b.node.signing.trust());
  assert.is(v.status, 'valid', JSON.stringify(v.signatures[0]!.reasons));
});

test('once A revokes its leader, B\'s verdict on the same PDF is no longer valid (revoked, signing time unproven); a published list is never rewritten', async () => {
  const serial = new X509Certificate(leaderPem).serialNumber.toLowerCase();
  writeFileSync(join(a.node.signing.keys.dir, 'ward-ca.crl'), crlA(2, [serial]));
  assert.is(await a.node.signing.publishCrl(), true);
  await synced(a);
  await distributeCrls({ url: city.url, admin: CITY_ADMIN, rootCrl });
  await synced(b);
  const v = await verifyPdf(signedByA, await b.node.signing.trust());
  // Revoked now, and no timestamp proves the signature came first: unknown (signing time unproven), never valid.
  assert.is(v.status, 'unknown', JSON.stringify(v.signatures[0]!.reasons));
  assert.ok(v.signatures[0]!.reasons.some((r) => r.code === 'revoked'));
  assert.ok(v.signatures[0]!.reasons.some((r) => r.code === 'signing_time_unproven'));
  // The older list is still in B's store, and the newer one wins; nobody may rewrite a published list.
  const held = await b.node.store.docs.allDocs({ startkey: 'crl:phuong-a:', endkey: 'crl:phuong-a:\uffff' });
  assert.equal(held.rows.map((r) => r.id), ['crl:phuong-a:000001', 'crl:phuong-a:000002']);
  const first = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuong-b/crl:phuong-a:000001');
  const put = await couch(city.url, CITY_ADMIN, 'PUT', '/ward_phuong-b/crl:phuong-a:000001', { ...first.body, der: crlA(1, [serial]).toString('base64') });
  assert.is(put.status, 403);
});

test('nothing secret reached the city from either ward: no PIN, key or password, in any field', async () => {
  for (const w of [a, b]) await w.node.citySync.syncNow();
  const pins = ['ward-ca-pin', 'admin-password-1'];
  assert.ok(await assertNoSecretsAtCity(city.url, 'ward_phuong-a', pins) > 0);
  assert.ok(await assertNoSecretsAtCity(city.url, 'ward_phuong-b', pins) > 0);
});

test.run();
