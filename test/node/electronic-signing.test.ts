// The electronic path end to end on a real ward node over HTTP: the admin
// enrols the leader's key and the agency seal from the ward CA, the leader
// signs with a PIN, the clerk numbers and issues with the seal's PIN, and the
// issued PDF passes poppler's pdfsig with the city root trusted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { WARD_CA } from '../../node/signing.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const SEAL_PIN = '135790';
const pki = makeTestPki();
const dir = mkdtempSync(join(tmpdir(), 'warddesk-esign-'));
let ward: TestWard;
let specialist: Client;
let leader: Client;
let clerk: Client;

test.before(async () => {
  ward = await startTestWard();
  ward.node.signing.keys.save(WARD_CA, pki.wardCa, CA_PIN);
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(ward.node.signing.keys.dir, 'ward-ca.crl'), wardCrl!);
  writeFileSync(join(ward.node.signing.keys.dir, 'city-root.crl'), rootCrl!);
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  clerk = await official(ward, 'vanthu', 'clerk');
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

async function approved(): Promise<string> {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  return id;
}

test('without an enrolled key the leader cannot sign, and the document stays approved', async () => {
  const id = await approved();
  const r = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(r.status, 409);
  assert.ok(['certificate_missing', 'signature_image_missing'].includes(r.body.code), r.body.code);
  assert.ok(r.body.message.vi && r.body.message.en);
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
});

test('the admin enrols the leader and the seal with the ward CA PIN; a wrong CA PIN or a non-leader is refused', async () => {
  const wrong = await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: 'nope', pin: LEADER_PIN });
  assert.is(wrong.status, 401);
  assert.is(wrong.body.code, 'wrong_ca_pin');
  assert.is((await ward.admin.post('/api/certificates', { holder: 'chuyenvien', caPin: CA_PIN, pin: LEADER_PIN })).status, 403);
  assert.is((await leader.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN })).status, 403, 'only the admin enrols');
  const enrolled = await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN });
  assert.is(enrolled.status, 201, JSON.stringify(enrolled.body));
  assert.match(enrolled.body.certificate, /BEGIN CERTIFICATE/);
  assert.not.match(JSON.stringify(enrolled.body), /PRIVATE KEY/);
  assert.is((await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN })).status, 201);
  const list = await ward.admin.get('/api/certificates');
  assert.equal(list.body.items.map((c: { holder: string }) => c.holder).sort(), ['seal', 'user.lanhdao', 'ward-ca']);
  assert.is((await leader.put('/api/me/signature-image', sampleSignaturePng())).status, 415, 'raw PNG needs its content type');
  assert.is((await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' })).status, 200);
  assert.is((await ward.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' })).status, 200);
});

test('leader signs with the PIN, clerk numbers and issues with the seal PIN; pdfsig trusts both signatures', async () => {
  const id = await approved();
  const wrongPin = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: '000000' } });
  assert.is(wrongPin.status, 401);
  assert.is(wrongPin.body.code, 'wrong_pin');
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved', 'a wrong PIN produces no signature');

  const signed = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(signed.status, 200, JSON.stringify(signed.body));
  assert.is(signed.body.state, 'signed');
  const stored = JSON.stringify(await ward.node.store.docs.allDocs({ include_docs: true, startkey: 'ev:', endkey: 'ev:\uffff' }));
  assert.not.ok(stored.includes(LEADER_PIN), 'the PIN is written nowhere');

  await clerk.post(`/api/documents/${id}/actions/number`);
  assert.is((await clerk.post(`/api/documents/${id}/actions/issue`)).status, 400, 'the seal PIN is required');
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: SEAL_PIN } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  assert.is(issued.body.state, 'issued');

  const verification = await clerk.get(`/api/documents/${id}/verification`);
  assert.is(verification.body.verdict.status, 'valid', JSON.stringify(verification.body.verdict));
  assert.equal(verification.body.verdict.signatures.map((s: { role: string }) => s.role), ['leader', 'agency']);

  const pdf = await fetch(`${ward.url}/api/blobs/${verification.body.pdf}`, { headers: { cookie: clerk.cookie } });
  const file = join(dir, 'issued.pdf');
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  writeFileSync(join(dir, 'root.pem'), pki.rootPem);
  const nss = join(dir, 'nss');
  execFileSync('mkdir', ['-p', nss]);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'root', '-t', 'CT,C,C', '-i', join(dir, 'root.pem')]);
  const out = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, file], { encoding: 'utf8' }).stdout;
  assert.is(out.match(/Signature is Valid\./g)?.length, 2, out);
  assert.is(out.match(/Certificate is Trusted\./g)?.length, 2, out);
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  assert.ok(text.includes(issued.body.numberText ?? issued.body.numberAndSymbol.split('/')[0]), 'the number is on the issued PDF');
});

test('five wrong PINs lock the leader\'s key, even for the right PIN', async () => {
  const id = await approved();
  const codes: string[] = [];
  for (let i = 0; i < 5; i += 1) codes.push((await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: `11111${i}` } })).body.code);
  assert.equal(codes, ['wrong_pin', 'wrong_pin', 'wrong_pin', 'wrong_pin', 'key_locked']);
  const locked = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(locked.status, 429);
  assert.is(locked.body.code, 'key_locked');
});

test.run();
