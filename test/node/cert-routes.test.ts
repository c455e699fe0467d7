// The certificate routes on a real ward node: only the admin enrols and
// lists; bad input is refused in both languages with nothing written; holders
// change their PIN; wrong PINs answer 401 with no key material, and the fifth
// locks the key (429) even for the right PIN and across a restart; anyone
// logged in downloads the ward CA's CRL (openssl reads it) and the city root.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, issueWardCa } from '../../certs/ca-issue.js';
import { readCrl } from '../../certs/crl.js';
import { RevocationRegister } from '../../certs/revocation.js';
import { WARD_CA } from '../../node/signing.js';
import { Client, official, startTestWard, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const root = createRootCa('Test City Root');
const wardCa = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-cert-routes-'));
let ward: TestWard;
let leader: Client;
let specialist: Client;

test.before(async () => {
  ward = await startTestWard({}, dataDir);
  ward.node.signing.keys.save(WARD_CA, wardCa, CA_PIN);
  new RevocationRegister(ward.node.signing.keys.dir, WARD_CA).publish(wardCa);
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  specialist = await official(ward, 'chuyenvien', 'specialist');
});
test.after(async () => { await ward.stop(); rmSync(dataDir, { recursive: true, force: true }); });

const noKeyMaterial = (body: unknown) => assert.not.match(JSON.stringify(body), /PRIVATE KEY|BEGIN|MII/);

test('only the admin enrols and lists certificates; a logged-out caller is not let in', async () => {
  assert.is((await specialist.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN })).status, 403);
  assert.is((await leader.get('/api/certificates')).status, 403);
  assert.is((await new Client(ward.url).get('/api/certificates/crl')).status, 401);
  assert.not.ok(ward.node.signing.keys.has('user.lanhdao'));
});

test('bad input is refused in Vietnamese and English and writes nothing', async () => {
  const cases: [unknown, number, string][] = [
    [{ holder: 'lanhdao', caPin: CA_PIN }, 400, 'invalid_input'],
    [{ holder: 'lanhdao', caPin: CA_PIN, pin: '123' }, 400, 'invalid_input'],
    [{ holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN, extra: 1 }, 400, 'invalid_input'],
    [{ holder: 'nobody', caPin: CA_PIN, pin: LEADER_PIN }, 404, 'user_not_found'],
    [{ holder: 'chuyenvien', caPin: CA_PIN, pin: LEADER_PIN }, 403, 'wrong_role'],
    [{ holder: 'lanhdao', caPin: 'not-the-ca-pin', pin: LEADER_PIN }, 401, 'wrong_ca_pin'],
  ];
  for (const [body, status, code] of cases) {
    const r = await ward.admin.post('/api/certificates', body);
    assert.is(r.status, status, JSON.stringify(body));
    assert.is(r.body.code, code);
    assert.ok(r.body.message.vi && r.body.message.en);
  }
  assert.equal(ward.node.signing.keys.holders(), [WARD_CA]);
});

test('the admin enrols the leader; the list shows role and serial, never a key; the audit log records it', async () => {
  const r = await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN });
  assert.is(r.status, 201);
  assert.match(r.body.certificate, /BEGIN CERTIFICATE/);
  assert.not.match(JSON.stringify(r.body), /PRIVATE/);
  const list = (await ward.admin.get('/api/certificates')).body.items as { holder: string; role: string; serial: string; revoked: unknown }[];
  const mine = list.find((i) => i.holder === 'user.lanhdao');
  assert.equal({ role: mine?.role, serial: mine?.serial, revoked: mine?.revoked }, { role: 'leader', serial: r.body.serial, revoked: null });
  noKeyMaterial(list);
  const entries = (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((row) => row.doc as unknown as { action: string; target: string; actor: { user: string } });
  assert.ok(entries.some((e) => e.action === 'certificate.enrol' && e.target === 'user.lanhdao' && e.actor.user === 'admin'));
  noKeyMaterial(entries);
  assert.is((await ward.admin.get('/api/audit/verify')).status, 200);
});

test('the leader changes the PIN: a wrong old PIN is 401, a weak new one 400, then only the new PIN opens the key', async () => {
  const wrong = await leader.post('/api/me/certificate/pin', { oldPin: '000000', newPin: '864200' });
  assert.is(wrong.status, 401);
  assert.is(wrong.body.code, 'wrong_pin');
  noKeyMaterial(wrong.body);
  assert.is((await leader.post('/api/me/certificate/pin', { oldPin: LEADER_PIN, newPin: '12' })).status, 400);
  assert.is((await leader.post('/api/me/certificate/pin', { oldPin: LEADER_PIN, newPin: '864200' })).status, 200);
  await ward.node.signing.keys.unlock('user.lanhdao', LEADER_PIN).then(() => assert.unreachable('old PIN'), (e: { code: string }) => assert.is(e.code, 'wrong_pin'));
  assert.is((await ward.node.signing.keys.unlock('user.lanhdao', '864200')).chain.length, 3);
  assert.is((await specialist.post('/api/seal/pin', { oldPin: '111111', newPin: '222222' })).status, 403, 'only clerk or admin touch the seal');
});

test('five wrong PINs lock the key: 429 even with the right PIN, and still after the node restarts', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const r = await leader.post('/api/me/certificate/pin', { oldPin: `99999${i}`, newPin: '555555' });
    codes.push(r.status);
    noKeyMaterial(r.body);
  }
  assert.equal(codes, [401, 401, 401, 401, 429]);
  assert.is((await leader.post('/api/me/certificate/pin', { oldPin: '864200', newPin: '555555' })).status, 429);
  await ward.node.close();
  ward = await startTestWard({}, dataDir);
  leader = new Client(ward.url);
  await leader.login('lanhdao', 'lanhdao-real-password');
  const after = await leader.post('/api/me/certificate/pin', { oldPin: '864200', newPin: '555555' });
  assert.is(after.status, 429);
  assert.is(after.body.code, 'key_locked');
});

test('anyone logged in downloads the ward CA\'s CRL, which openssl reads, and the city root', async () => {
  const res = await fetch(`${ward.url}/api/certificates/crl`, { headers: { cookie: leader.cookie } });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/pkix-crl');
  const der = Buffer.from(await res.arrayBuffer());
  assert.ok(readCrl(der).signedBy(wardCa.chain[0]!));
  const file = join(dataDir, 'download.crl');
  writeFileSync(file, der);
  const text = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-issuer'], { encoding: 'utf8' });
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /UBND Phường Mẫu CA|UBND Ph/);
  const rootPem = await leader.get('/api/certificates/root');
  assert.is(rootPem.status, 200);
  assert.ok(String(rootPem.body).replace(/\r/g, '').includes(root.chain[0]!.replace(/\r/g, '').trim()));
});

test.run();
