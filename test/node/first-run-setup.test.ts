// The first-run setup over the API against a real node on a temp dir: the
// ward CA bundle (wrong PIN, not a bundle, another ward's, a root that did
// not issue it: each refused in both languages with nothing installed), the
// standalone CA behind its warning, one-time activations (bound to their
// holder, a short PIN consumes nothing, single use, expiry), the PIN change
// and the transparent-PNG check on signature and seal images.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { createRootCa, issueSigning, issueWardCa } from '../../certs/ca-issue.js';
import { toPkcs12 } from '../../certs/ca.js';
import { Keystore } from '../../certs/keystore.js';
import { sampleSignaturePng } from '../../certs/sample-images.js';
import { Activations } from '../../node/activations.js';
import { official, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const BUNDLE_PIN = 'bundle-pin-2026';
const root = createRootCa('Test City Root');
const otherRoot = createRootCa('Another City Root');
const ours = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
const b64 = (b: Buffer) => b.toString('base64');
let ward: TestWard;
let leader: Client;
let clerk: Client;

test.before(async () => {
  // As a ward runs by default: the admin cannot set a holder's PIN.
  ward = await startTestWard({ enrolment: { adminSetsPin: false } });
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  clerk = await official(ward, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
});
test.after(async () => { await ward?.stop(); });

const keysDir = () => ward.node.signing.keys.dir;
const refused = (r: { status: number; body: { code: string; message: { vi: string; en: string } } }, status: number, code: string) => {
  assert.is(r.status, status, JSON.stringify(r.body));
  assert.is(r.body.code, code);
  assert.ok(r.body.message.vi.length > 5 && r.body.message.en.length > 5, 'a message in both languages');
};

test('a wrong, foreign or mismatched ward CA bundle is refused with a clear message and nothing is installed', async () => {
  const p12 = toPkcs12(ours, BUNDLE_PIN);
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(p12), pin: 'not-the-pin' }), 400, 'bundle_wrong_pin');
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(Buffer.from('not a p12 at all')), pin: BUNDLE_PIN }), 400, 'bundle_wrong_pin');
  const leaderKey = issueSigning(ours, 'leader', { commonName: 'Nguyễn Văn An' });
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(toPkcs12(leaderKey, BUNDLE_PIN)), pin: BUNDLE_PIN }), 400, 'bundle_not_ward_ca');
  const foreign = issueWardCa(root, { code: 'phuong-khac', name: 'UBND Phường Khác' });
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(toPkcs12(foreign, BUNDLE_PIN)), pin: BUNDLE_PIN }), 400, 'bundle_foreign_ward');
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(p12), pin: BUNDLE_PIN, rootPem: otherRoot.chain[0] }), 400, 'bundle_root_mismatch');
  assert.not.ok(existsSync(join(keysDir(), 'ward-ca.p12')), 'no ward CA');
  assert.not.ok(existsSync(join(keysDir(), 'ward-ca.crl')), 'no CRL');
  refused(await leader.post('/api/setup/ca/bundle', { p12: b64(p12), pin: BUNDLE_PIN }), 403, 'forbidden');
});

test('a ward without a city CA must confirm the warning before a standalone CA is made', async () => {
  refused(await ward.admin.post('/api/setup/ca/standalone', { pin: 'standalone-pin', confirm: false }), 400, 'standalone_not_confirmed');
  assert.not.ok(existsSync(join(keysDir(), 'ward-ca.p12')));
});

test('the city\'s bundle installs once, with its root checked, and the status shows it', async () => {
  const r = await ward.admin.post('/api/setup/ca/bundle', { p12: b64(toPkcs12(ours, BUNDLE_PIN)), pin: BUNDLE_PIN, rootPem: root.chain[0] });
  assert.is(r.status, 201, JSON.stringify(r.body));
  assert.ok(existsSync(join(keysDir(), 'ward-ca.crl')), 'the ward CA published its first CRL');
  refused(await ward.admin.post('/api/setup/ca/bundle', { p12: b64(toPkcs12(ours, BUNDLE_PIN)), pin: BUNDLE_PIN }), 409, 'ca_already_installed');
  refused(await ward.admin.post('/api/setup/ca/standalone', { pin: 'standalone-pin', confirm: true }), 409, 'ca_already_installed');
  const status = await ward.admin.get('/api/setup/status');
  assert.match(status.body.ca.root, /Test City Root/);
  assert.is(status.body.ca.standalone, false);
  assert.is(status.body.officials.leader, 1);
});

test('the leader chooses their own PIN with a one-time code (the admin cannot set it): bound to them, a short PIN consumes nothing, never twice', async () => {
  refused(await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: BUNDLE_PIN, pin: '246810' }), 403, 'enrol_pin_by_holder');
  refused(await ward.admin.post('/api/certificates/activations', { holder: 'lanhdao', caPin: 'wrong-ca-pin' }), 401, 'wrong_ca_pin');
  const issued = await ward.admin.post('/api/certificates/activations', { holder: 'lanhdao', caPin: BUNDLE_PIN });
  assert.is(issued.status, 201, JSON.stringify(issued.body));
  const code: string = issued.body.code;
  assert.match(code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);
  assert.is(issued.body.link, `/#/activate/${code}`);
  assert.not.ok(JSON.stringify(readdirSync(keysDir())).includes('user.lanhdao.p12'), 'no key in the keystore before the holder chooses a PIN');
  refused(await ward.admin.post('/api/me/activate', { code, pin: '11223344' }), 403, 'activation_other_holder');
  refused(await leader.post('/api/me/activate', { code, pin: '123' }), 400, 'weak_pin');
  refused(await leader.post('/api/me/activate', { code: 'AAAA-BBBB-CCCC-DDDD-EEEE', pin: '11223344' }), 404, 'activation_unknown');
  const ok = await leader.post('/api/me/activate', { code: code.toLowerCase(), pin: '11223344' });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.is(ok.body.holder, 'user.lanhdao');
  refused(await leader.post('/api/me/activate', { code, pin: '55667788' }), 410, 'activation_used');
  await ward.node.signing.keys.unlock('user.lanhdao', '11223344');
  assert.is(readdirSync(join(keysDir(), 'pending')).length, 0, 'the code-encrypted copy is gone');
  const audit = JSON.stringify((await ward.admin.get('/api/audit?limit=50')).body);
  assert.not.ok(audit.includes(code) || audit.includes('11223344'), 'neither the code nor the PIN is in the audit log');
});

test('the PIN change re-encrypts the key: the old PIN stops working, a short one and the same one are refused', async () => {
  refused(await leader.post('/api/me/certificate/pin', { oldPin: '11223344', newPin: '12' }), 400, 'weak_pin');
  refused(await leader.post('/api/me/certificate/pin', { oldPin: '11223344', newPin: '11223344' }), 400, 'pin_same');
  refused(await leader.post('/api/me/certificate/pin', { oldPin: '00000000', newPin: '99887766' }), 401, 'wrong_pin');
  assert.is((await leader.post('/api/me/certificate/pin', { oldPin: '11223344', newPin: '99887766' })).status, 200);
  await ward.node.signing.keys.unlock('user.lanhdao', '99887766');
  await ward.node.signing.keys.unlock('user.lanhdao', '11223344').then(() => assert.unreachable('old PIN'), (e: { code: string }) => assert.is(e.code, 'wrong_pin'));
});

test('the seal\'s activation is redeemed by a clerk, who also uploads the seal image', async () => {
  const issued = await ward.admin.post('/api/certificates/activations', { holder: 'seal', caPin: BUNDLE_PIN });
  refused(await leader.post('/api/me/activate', { code: issued.body.code, pin: '13579135' }), 403, 'activation_other_holder');
  assert.is((await clerk.post('/api/me/activate', { code: issued.body.code, pin: '13579135' })).status, 200);
  assert.is((await clerk.get('/api/me/keys')).body.seal.key, true);
  const put = await clerk.request('PUT', '/api/seal/image', sampleSignaturePng(), { 'content-type': 'image/png' });
  assert.is(put.status, 200, JSON.stringify(put.body));
});

function opaquePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return PNG.sync.write(png);
}

test('a signature image that is not a transparent PNG or is too large is refused, and the stored one stays', async () => {
  const good = sampleSignaturePng();
  assert.is((await leader.request('PUT', '/api/me/signature-image', good, { 'content-type': 'image/png' })).status, 200);
  refused(await leader.request('PUT', '/api/me/signature-image', opaquePng(300, 120), { 'content-type': 'image/png' }), 422, 'signature_not_transparent');
  const huge = new PNG({ width: 2400, height: 200 });
  huge.data.fill(0);
  refused(await leader.request('PUT', '/api/me/signature-image', PNG.sync.write(huge), { 'content-type': 'image/png' }), 413, 'signature_image_too_large');
  const back = await fetch(`${ward.url}/api/me/signature-image`, { headers: { cookie: leader.cookie } });
  assert.is(back.status, 200);
  assert.ok(Buffer.from(await back.arrayBuffer()).equals(good), 'the good image is still the one stored');
});

test('a ward with no city CA makes a standalone one after the warning; its root signs the ward CA and is never listed as a key', async () => {
  const alone = await startTestWard();
  try {
    refused(await alone.admin.post('/api/setup/ca/standalone', { pin: '123', confirm: true }), 400, 'weak_pin');
    assert.not.ok(existsSync(join(alone.node.signing.keys.dir, 'ward-ca.p12')), 'a short PIN makes nothing');
    const made = await alone.admin.post('/api/setup/ca/standalone', { pin: 'standalone-pin', confirm: true });
    assert.is(made.status, 201, JSON.stringify(made.body));
    const status = (await alone.admin.get('/api/setup/status')).body;
    assert.is(status.ca.standalone, true);
    assert.match(status.ca.root, /CA tự lập/);
    const holders = (await alone.admin.get('/api/certificates')).body.items.map((c: { holder: string }) => c.holder);
    assert.equal(holders, ['ward-ca']);
    const issued = await alone.admin.post('/api/certificates/activations', { holder: 'seal', caPin: 'standalone-pin' });
    assert.is(issued.status, 201, 'the standalone CA issues keys like a city one');
  } finally { await alone.stop(); }
});

test('an expired activation is refused and its key deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-act-'));
  try {
    let now = Date.now();
    const keys = new Keystore(dir);
    const acts = new Activations(keys, () => now);
    const { code } = await acts.create({ holder: 'user.x', kind: 'leader', user: 'x', issued: issueSigning(ours, 'leader', { commonName: 'X Y' }), createdBy: 'admin', hours: 1 });
    now += 2 * 3_600_000;
    await acts.redeem(code, { username: 'x', role: 'leader' }, '12345678').then(() => assert.unreachable('expired'), (e: { code: string }) => assert.is(e.code, 'activation_expired'));
    assert.is(readdirSync(join(dir, 'pending')).length, 0);
    assert.not.ok(keys.has('user.x'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
