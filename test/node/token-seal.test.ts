// The agency seal on a real SoftHSM2 token plugged into the ward node: the
// admin configures it over HTTP (certificate read from the token, or given),
// the clerk issues with the token's PIN, and the issued PDF passes pdfsig and
// `warddesk verify`. Every configuration mistake and every token failure is
// refused in both languages with nothing configured or half-signed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateKey, issueCertificate } from '../../certs/ca.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { WARD_CA } from '../../node/signing.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from '../helpers/softhsm.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const MISSING_MODULE = '/nonexistent/warddesk-test/libpkcs11.so';
const pki = makeTestPki();
const dir = mkdtempSync(join(tmpdir(), 'warddesk-token-seal-'));
let hsm: SoftHsm;
let ward: TestWard;
let specialist: Client;
let leader: Client;
let clerk: Client;
let sealCert = '';

test.before(async () => {
  hsm = startSoftHsm('SealToken');
  hsm.keygen('01', 'seal');
  sealCert = hsm.issue(pki, '01', 'agency', 'UBND Phường Mẫu');
  hsm.writeCert('01', sealCert);
  hsm.keygen('02', 'no-certificate');
  // Loading a library runs its code: the node loads only known ones and those the operator lists.
  ward = await startTestWard({ tokens: { modules: [MISSING_MODULE] } });
  installWardCa(ward.node.signing.keys, pki, CA_PIN);
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  clerk = await official(ward, 'vanthu', 'clerk');
  assert.is((await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN })).status, 201);
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
  await ward.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' });
});
test.after(async () => { await ward?.stop(); hsm?.cleanup(); rmSync(dir, { recursive: true, force: true }); });

const token = (extra: Record<string, unknown> = {}) => ({ holder: 'seal', module: SOFTHSM_MODULE, tokenLabel: hsm.label, keyId: '01', ...extra });

/** A document signed by the leader and numbered by the clerk: ready for the seal. */
async function numbered(): Promise<string> {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const signed = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(signed.status, 200, JSON.stringify(signed.body));
  assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).status, 200);
  return id;
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => execFile(cmd, args, { cwd: root }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })));
}

function refused(r: { status: number; body: { code: string; message: { vi: string; en: string } } }, status: number, code: string): void {
  assert.is(r.status, status, JSON.stringify(r.body));
  assert.is(r.body.code, code);
  assert.ok(r.body.message.vi.length > 5 && r.body.message.en.length > 5 && r.body.message.vi !== r.body.message.en, 'both languages');
}

test('configuring the seal on a token refuses a missing module, a wrong slot, a key without certificate, a foreign key and an untrusted root', async () => {
  refused(await ward.admin.post('/api/certificates/token', token({ module: MISSING_MODULE })), 422, 'token_module_missing');
  refused(await ward.admin.post('/api/certificates/token', token({ module: '/usr/lib/x86_64-linux-gnu/libc.so.6' })), 422, 'token_module_missing');
  refused(await ward.admin.post('/api/certificates/token', token({ tokenLabel: 'NoSuchToken' })), 422, 'token_slot_missing');
  const { tokenLabel: _l, ...bySlot } = token();
  refused(await ward.admin.post('/api/certificates/token', { ...bySlot, slot: 7 }), 422, 'token_slot_missing');
  refused(await ward.admin.post('/api/certificates/token', token({ keyId: '02' })), 422, 'token_certificate_missing');
  refused(await ward.admin.post('/api/certificates/token', token({ keyId: '02', certificate: sealCert })), 422, 'token_certificate_mismatch');
  refused(await ward.admin.post('/api/certificates/token', token({ keyId: '7f' })), 422, 'token_key_missing');
  // Key 03 has no certificate on the token: one from a root the ward does not trust, then a leader's.
  const strangerRoot = generateKey(2048);
  const strangerRootPem = issueCertificate({ kind: 'root', subject: { commonName: 'Stranger Root' }, publicKey: strangerRoot.publicKey, issuer: { self: strangerRoot.privateKey }, days: 365 });
  const key03 = hsm.keygen('03', 'third');
  const untrusted = issueCertificate({ kind: 'agency', subject: { commonName: 'UBND Phường Mẫu' }, publicKey: key03, issuer: { certPem: strangerRootPem, privateKey: strangerRoot.privateKey }, days: 365 });
  refused(await ward.admin.post('/api/certificates/token', token({ keyId: '03', certificate: `${untrusted}\n${strangerRootPem}` })), 422, 'certificate_untrusted');
  const leaderCert = issueCertificate({ kind: 'leader', subject: { commonName: 'Nguyễn Văn An' }, publicKey: key03, issuer: { certPem: pki.wardCaPem, privateKey: pki.wardCa.privateKey }, days: 365 });
  refused(await ward.admin.post('/api/certificates/token', token({ keyId: '03', certificate: `${leaderCert}\n${pki.wardCaPem}` })), 422, 'certificate_wrong_role');
  refused(await clerk.post('/api/certificates/token', token()), 403, 'forbidden');
  assert.not.ok(ward.node.signing.tokens.has('seal'), 'nothing configured');
});

test('the clerk issues with the seal on the token: pdfsig and warddesk verify find both signatures valid', async () => {
  const configured = await ward.admin.post('/api/certificates/token', token());
  assert.is(configured.status, 201, JSON.stringify(configured.body));
  assert.is(pki.serialOf(configured.body.certificate), pki.serialOf(sealCert), 'the certificate read from the token');
  assert.not.match(JSON.stringify(configured.body), /PRIVATE|pin/i);
  const listed = (await ward.admin.get('/api/certificates')).body.items.filter((c: { holder: string }) => c.holder === 'seal');
  assert.equal(listed.map((c: { role: string; token?: { keyId: string } }) => [c.role, c.token?.keyId]), [['agency', '01']], 'the seal is listed once, on its token');
  const id = await numbered();
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: hsm.pin } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  assert.is(issued.body.state, 'issued');
  const verification = await clerk.get(`/api/documents/${id}/verification`);
  assert.is(verification.body.verdict.status, 'valid', JSON.stringify(verification.body.verdict));
  const pdf = Buffer.from(await (await fetch(`${ward.url}/api/blobs/${verification.body.pdf}`, { headers: { cookie: clerk.cookie } })).arrayBuffer());
  const sigs = pdfsigWithRoot(dir, pki.rootPem)(pdf, 'issued-token.pdf');
  assert.is(sigs.length, 2);
  for (const s of sigs) { assert.is(s.signature, 'Signature is Valid.'); assert.is(s.certificate, 'Certificate is Trusted.'); }
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(dir, 'root.pem'), pki.rootPem);
  writeFileSync(join(dir, 'ward.crl'), wardCrl!);
  writeFileSync(join(dir, 'root.crl'), rootCrl!);
  // Not spawnSync: a blocked event loop would miss the node closing idle keep-alive sockets (ECONNRESET next).
  const cli = await run(process.execPath, ['--import', 'tsx', join(root, 'node/cli.ts'), 'verify', join(dir, 'issued-token.pdf'), '--root', join(dir, 'root.pem'), '--crl', join(dir, 'ward.crl'), '--crl', join(dir, 'root.crl')]);
  assert.is(cli.code, 0, cli.out);
  const certSerial = issued.body.events.at(-1).data.certSerial as string;
  assert.is(certSerial.replace(/^0+/, ''), pki.serialOf(sealCert).replace(/^0+/, ''), 'the seal event names the token\'s certificate');
});

test('a wrong token PIN signs nothing; after three the node stops trying before the token locks itself', async () => {
  const id = await numbered();
  for (let i = 0; i < 2; i += 1) refused(await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: '000000' } }), 401, 'wrong_pin');
  refused(await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: '000000' } }), 429, 'key_locked');
  refused(await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: hsm.pin } }), 429, 'key_locked');
  const doc = (await clerk.get(`/api/documents/${id}`)).body;
  assert.is(doc.state, 'numbered');
  assert.not.ok(doc.events.some((e: { action: string }) => e.action === 'issue'), 'no issue event');
  // The operator waits out the lock (here: the counter is reset as after 15 minutes).
  rmSync(join(ward.node.signing.keys.dir, 'seal.token-attempts.json'));
});

test('a token pulled out before the clerk signs: 503 in both languages and nothing issued', async () => {
  const id = await numbered();
  hsm.deleteToken();
  refused(await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: hsm.pin } }), 503, 'token_absent');
  const doc = (await clerk.get(`/api/documents/${id}`)).body;
  assert.is(doc.state, 'numbered');
  assert.not.ok(doc.events.some((e: { action: string }) => e.action === 'issue'));
  assert.ok(ward.node.signing.keys.has(WARD_CA));
});

test.run();
