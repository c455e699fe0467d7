// Keys at rest: PIN-encrypted PKCS#12 that openssl reads with the PIN and
// refuses without it; wrong PINs count on disk; five lock the key, also for
// the right PIN, also after a restart, also when guessed in parallel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keystore } from '../../certs/keystore.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-keys-'));
const pki = makeTestPki();
test.after(() => rmSync(dir, { recursive: true, force: true }));

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code ?? String(e));

test('a saved key opens with its PIN only, and openssl reads the PKCS#12 with that PIN', async () => {
  const ks = new Keystore(join(dir, 'a'));
  ks.save('user.lanhdao', pki.leader, '246810');
  const opened = await ks.unlock('user.lanhdao', '246810');
  assert.is(opened.chain.length, 3);
  assert.ok(opened.privateKey.asymmetricKeyType === 'rsa');
  const file = join(dir, 'a', 'user.lanhdao.p12');
  const good = spawnSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'pass:246810'], { encoding: 'utf8' });
  assert.is(good.status, 0, good.stderr);
  assert.match(good.stdout, /BEGIN CERTIFICATE/);
  assert.is(spawnSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'pass:000000']).status, 1);
  assert.not.ok(readFileSync(file).includes(Buffer.from('246810')), 'the PIN is not in the file');
  assert.ok(readdirSync(join(dir, 'a')).every((f) => !f.endsWith('.tmp')));
});

test('five wrong PINs lock the key, even for the right PIN and across a restart, until the lock expires', async () => {
  let clock = 1_000_000;
  const path = join(dir, 'b');
  let ks = new Keystore(path, { now: () => clock });
  ks.save('seal', pki.agency, '135790');
  for (let i = 0; i < 4; i += 1) assert.is(await code(ks.unlock('seal', `99999${i}`)), 'wrong_pin');
  assert.is(await code(ks.unlock('seal', '000000')), 'key_locked');
  ks = new Keystore(path, { now: () => clock }); // restart
  assert.is(await code(ks.unlock('seal', '135790')), 'key_locked');
  clock += 16 * 60_000;
  assert.is(await code(ks.unlock('seal', '135790')), 'ok');
});

test('parallel guesses cannot slip past the limit', async () => {
  const ks = new Keystore(join(dir, 'c'));
  ks.save('user.vanthu', pki.agency, '112233');
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => code(ks.unlock('user.vanthu', `00000${i % 10}`))));
  assert.is(results.filter((r) => r === 'wrong_pin').length, 4);
  assert.is(results.filter((r) => r === 'key_locked').length, 8);
});

test('changing the PIN re-encrypts the key; the old PIN no longer opens it', async () => {
  const ks = new Keystore(join(dir, 'd'));
  ks.save('user.a', pki.leader, '111111');
  await ks.changePin('user.a', '111111', '222222');
  assert.is(await code(ks.unlock('user.a', '111111')), 'wrong_pin');
  assert.is(await code(ks.unlock('user.a', '222222')), 'ok');
  assert.is(await code(ks.unlock('nobody', '222222')), 'certificate_missing');
  assert.is(await code(ks.unlock('../etc/passwd', '1')), 'invalid_input');
});

test('a wrong PIN leaves nothing behind but the counter: the key file is unchanged and no other file appears', async () => {
  const path = join(dir, 'e');
  const ks = new Keystore(path);
  ks.save('user.b', pki.leader, '314159');
  const before = { files: readdirSync(path).sort(), p12: readFileSync(join(path, 'user.b.p12')), pem: readFileSync(join(path, 'user.b.pem')) };
  assert.is(await code(ks.unlock('user.b', '271828')), 'wrong_pin');
  assert.equal(readdirSync(path).sort(), before.files);
  assert.ok(readFileSync(join(path, 'user.b.p12')).equals(before.p12));
  assert.ok(readFileSync(join(path, 'user.b.pem')).equals(before.pem));
  assert.equal(JSON.parse(readFileSync(join(path, 'user.b.attempts.json'), 'utf8')), { failures: 1, lockedUntil: 0 });
});

test('a weak PIN is refused before anything is written, at save and at PIN change', async () => {
  const path = join(dir, 'f');
  const ks = new Keystore(path);
  assert.throws(() => ks.save('user.c', pki.leader, '12345'), (e: { code?: string }) => e.code === 'weak_pin');
  assert.equal(readdirSync(path), []);
  ks.save('user.c', pki.leader, '123456');
  assert.is(await code(ks.changePin('user.c', '123456', 'abc')), 'weak_pin');
  assert.is(await code(ks.unlock('user.c', '123456')), 'ok');
});

test.run();
