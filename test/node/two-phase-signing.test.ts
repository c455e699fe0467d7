// The leader signs with their own SoftHSM2 token through `warddesk signer`
// (in this process, on loopback) and the ward node over HTTP: the node hands
// out the signed attributes, records the step only once the token's signature
// verifies, refuses a racing second signing with 409, a bad signature with
// 422, and forgets an unfinished signing after its timeout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { startSigner, type RunningSigner } from '../../node/signer/signer-server.js';
import { TwoPhaseSigning } from '../../node/two-phase.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from '../helpers/softhsm.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const SEAL_PIN = '135790';
const pki = makeTestPki();
const dir = mkdtempSync(join(tmpdir(), 'warddesk-two-phase-'));
let hsm: SoftHsm;
let ward: TestWard;
let signer: RunningSigner;
let specialist: Client;
let leader: Client;
let clerk: Client;
const pins: (string | null)[] = [];
const shown: string[] = [];

test.before(async () => {
  hsm = startSoftHsm('LeaderToken');
  hsm.keygen('01', 'leader');
  hsm.writeCert('01', hsm.issue(pki, '01', 'leader', 'Nguyễn Văn An'));
  ward = await startTestWard();
  installWardCa(ward.node.signing.keys, pki, CA_PIN);
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  clerk = await official(ward, 'vanthu', 'clerk');
  assert.is((await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN })).status, 201);
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
  await ward.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' });
  signer = await startSigner({
    nodeOrigin: ward.url, token: { module: SOFTHSM_MODULE, tokenLabel: hsm.label, keyId: '01' },
    pin: async () => pins.shift() ?? null, show: (l) => shown.push(l),
  });
});
test.after(async () => { await signer?.close(); await ward?.stop(); hsm?.cleanup(); rmSync(dir, { recursive: true, force: true }); });

async function approved(subject = 'V/v thử ký bằng token của lãnh đạo'): Promise<string> {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ subject }))).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  return id;
}

async function toSigner(path: string, body?: unknown, origin = ward.url): Promise<{ status: number; body: any; headers: Headers }> { // any: JSON replies
  const res = await fetch(signer.url + path, {
    method: body === undefined ? 'GET' : 'POST', headers: { origin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

async function certificates(): Promise<string[]> {
  const status = await toSigner('/v1/status');
  assert.is(status.status, 200, JSON.stringify(status.body));
  return status.body.certificates as string[];
}

const sign = (prepared: { toSign: string; document: unknown }) => toSigner('/v1/sign', { toSign: prepared.toSign, document: prepared.document });

function refused(r: { status: number; body: any }, status: number, code: string): void { // any: JSON replies
  assert.is(r.status, status, JSON.stringify(r.body));
  assert.is(r.body.code, code);
  assert.ok(r.body.message.vi && r.body.message.en && r.body.message.vi !== r.body.message.en, 'both languages');
}

async function events(id: string): Promise<string[]> {
  return ((await leader.get(`/api/documents/${id}`)).body.events as { action: string }[]).map((e) => e.action);
}

test('the signer answers only the ward node\'s origin, with the Private Network Access preflight', async () => {
  const pre = await fetch(`${signer.url}/v1/sign`, { method: 'OPTIONS', headers: { origin: ward.url, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' } });
  assert.is(pre.status, 204);
  assert.is(pre.headers.get('access-control-allow-origin'), ward.url);
  assert.is(pre.headers.get('access-control-allow-private-network'), 'true');
  refused(await toSigner('/v1/status', undefined, 'https://evil.example'), 403, 'signer_origin_forbidden');
  const evil = await fetch(`${signer.url}/v1/sign`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.is(evil.headers.get('access-control-allow-origin'), null);
  assert.ok((await certificates())[0]!.includes('BEGIN CERTIFICATE'));
  refused(await toSigner('/v1/sign', { toSign: Buffer.from('not CMS attributes, e.g. a login challenge').toString('base64'), document: {} }), 400, 'invalid_input');
});

test('the leader signs with their own token: recorded only after it verifies, and the issued PDF passes pdfsig', async () => {
  const id = await approved();
  const prepared = await leader.post(`/api/documents/${id}/signing`, { certificates: await certificates() });
  assert.is(prepared.status, 201, JSON.stringify(prepared.body));
  assert.is(prepared.body.document.subject, 'V/v thử ký bằng token của lãnh đạo');
  assert.equal(await events(id), ['create', 'submit', 'approve'], 'nothing recorded at prepare');
  pins.push(hsm.pin);
  const signed = await sign(prepared.body);
  assert.is(signed.status, 200, JSON.stringify(signed.body));
  assert.ok(shown.at(-1)!.includes('V/v thử ký bằng token của lãnh đạo'), 'the signer showed what it signs');
  assert.not.match(JSON.stringify(signed.body), new RegExp(hsm.pin));
  const done = await leader.post(`/api/signing/${prepared.body.signingId}`, { signature: signed.body.signature });
  assert.is(done.status, 200, JSON.stringify(done.body));
  assert.is(done.body.state, 'signed');
  assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).status, 200);
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: SEAL_PIN } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  const verification = await clerk.get(`/api/documents/${id}/verification`);
  assert.is(verification.body.verdict.status, 'valid', JSON.stringify(verification.body.verdict));
  const pdf = Buffer.from(await (await fetch(`${ward.url}/api/blobs/${verification.body.pdf}`, { headers: { cookie: clerk.cookie } })).arrayBuffer());
  const sigs = pdfsigWithRoot(dir, pki.rootPem)(pdf, 'two-phase.pdf');
  assert.is(sigs.length, 2);
  for (const s of sigs) { assert.is(s.signature, 'Signature is Valid.'); assert.is(s.certificate, 'Certificate is Trusted.'); }
});

test('a second signing of the same document while one is open gets 409; a second completion never records twice', async () => {
  const id = await approved();
  const certs = await certificates();
  const first = await leader.post(`/api/documents/${id}/signing`, { certificates: certs });
  assert.is(first.status, 201);
  refused(await leader.post(`/api/documents/${id}/signing`, { certificates: certs }), 409, 'signing_in_progress');
  pins.push(hsm.pin);
  const signature = (await sign(first.body)).body.signature as string;
  const both = await Promise.all([0, 1].map(() => leader.post(`/api/signing/${first.body.signingId}`, { signature })));
  assert.equal(both.map((r) => r.status).filter((s) => s === 200).length, 1, JSON.stringify(both.map((r) => r.body)));
  const other = both.find((r) => r.status !== 200)!;
  assert.ok(['signing_in_progress', 'signing_expired'].includes(other.body.code), other.body.code);
  assert.is((await events(id)).filter((a) => a === 'sign').length, 1);
});

test('a signature that does not verify is refused with 422 and leaves the document approved', async () => {
  const id = await approved();
  const prepared = (await leader.post(`/api/documents/${id}/signing`, { certificates: await certificates() })).body;
  const other = Buffer.from(prepared.toSign, 'base64');
  other[other.length - 1] ^= 0xff; // the token signs other attributes than the node prepared
  pins.push(hsm.pin);
  const wrong = await toSigner('/v1/sign', { toSign: other.toString('base64'), document: prepared.document });
  assert.is(wrong.status, 200);
  refused(await leader.post(`/api/signing/${prepared.signingId}`, { signature: wrong.body.signature }), 422, 'signer_signature_invalid');
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
  assert.not.ok((await events(id)).includes('sign'));
  refused(await leader.post(`/api/signing/${prepared.signingId}`, { signature: wrong.body.signature }), 410, 'signing_expired');
  assert.is((await leader.post(`/api/documents/${id}/signing`, { certificates: await certificates() })).status, 201, 'a new attempt may start');
});

test('a wrong or cancelled PIN at the signer signs nothing', async () => {
  const id = await approved('V/v thử mã PIN sai');
  const prepared = (await leader.post(`/api/documents/${id}/signing`, { certificates: await certificates() })).body;
  pins.push('000000');
  refused(await sign(prepared), 401, 'wrong_pin');
  pins.push(null);
  refused(await sign(prepared), 400, 'signer_cancelled');
  assert.not.ok((await events(id)).includes('sign'));
});

test('a certificate from another root, of another role, or naming another official is refused at prepare', async () => {
  const id = await approved();
  refused(await leader.post(`/api/documents/${id}/signing`, { certificates: pki.stranger.chain }), 422, 'certificate_untrusted');
  refused(await leader.post(`/api/documents/${id}/signing`, { certificates: pki.agency.chain }), 422, 'certificate_wrong_role');
  refused(await leader.post(`/api/documents/${id}/signing`, { certificates: pki.issueLeader().chain }), 422, 'certificate_not_yours');
  refused(await clerk.post(`/api/documents/${id}/signing`, { certificates: await certificates() }), 403, 'forbidden');
});

test('a signing left unfinished is forgotten after its timeout: nothing stored, a late answer gets 410', async () => {
  const id = await approved();
  const twoPhase = new TwoPhaseSigning({ signing: ward.node.signing, documents: ward.node.documents, users: ward.node.users, ttlMs: 300 });
  const actor = { user: 'lanhdao', role: 'leader' as const, device: 'test' };
  const prepared = await twoPhase.prepare(actor, 'leader', id, await certificates());
  pins.push(hsm.pin);
  const signature = Buffer.from((await sign(prepared)).body.signature as string, 'base64');
  await new Promise((r) => setTimeout(r, 600));
  assert.is(twoPhase.size(), 0);
  try { await twoPhase.complete(actor, 'leader', prepared.signingId, signature); assert.unreachable('completed after the timeout'); } catch (err) {
    assert.is((err as { code?: string }).code, 'signing_expired');
  }
  assert.not.ok((await events(id)).includes('sign'));
});

test('the token pulled out between prepare and sign: the signer answers 503 and the document stays approved', async () => {
  const id = await approved();
  const prepared = (await leader.post(`/api/documents/${id}/signing`, { certificates: await certificates() })).body;
  hsm.deleteToken();
  pins.push(hsm.pin);
  refused(await sign(prepared), 503, 'token_absent');
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
});

test.run();
