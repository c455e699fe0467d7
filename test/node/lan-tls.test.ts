// The node's own LAN certificate (node/lan-tls.ts) on a temp dir: made at
// first start by a bootstrap CA for the machine's names and addresses, kept
// as it is across restarts, re-issued by the ward CA when one is installed
// (and still the ward CA's after a restart), its key only in an encrypted
// PKCS#12 that openssl opens with the node's passphrase and not without.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRootCa, issueWardCa } from '../../certs/ca-issue.js';
import { LanTls, lanNames } from '../../node/lan-tls.js';
import { startTestWard } from '../helpers/ward.js';
import { loadConfig } from '../../node/config.js';
import { startWardNode } from '../../node/ward-node.js';

const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'warddesk-lantls-'));
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

const leafOf = (t: LanTls) => {
  const out = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'tls', 'node.p12'), '-nokeys', '-clcerts', '-passin', `pass:${t.current.passphrase}`], { encoding: 'utf8' });
  assert.is(out.status, 0, out.stderr);
  return new X509Certificate(out.stdout.slice(out.stdout.indexOf('-----BEGIN')));
};

test('the first start makes a bootstrap certificate for localhost, 127.0.0.1 and every LAN address; a restart keeps it', () => {
  const tls = new LanTls(join(dir, 'tls'), '0.0.0.0', log);
  assert.is(tls.current.issuer, 'bootstrap');
  const wanted = lanNames('0.0.0.0');
  for (const name of [...wanted.hosts, ...wanted.ips]) assert.ok(tls.current.names.includes(name), `names ${name}`);
  assert.ok(tls.current.names.includes('localhost') && tls.current.names.includes('127.0.0.1'));
  const leaf = leafOf(tls);
  assert.ok(leaf.verify(new X509Certificate(tls.current.rootPem!).publicKey), 'issued by the bootstrap root /setup offers');
  const again = new LanTls(join(dir, 'tls'), '0.0.0.0', log);
  assert.is(leafOf(again).serialNumber, leaf.serialNumber, 'not re-issued at restart');
  const wrong = spawnSync('openssl', ['pkcs12', '-in', join(dir, 'tls', 'node.p12'), '-nokeys', '-passin', 'pass:wrong'], { encoding: 'utf8' });
  assert.is.not(wrong.status, 0, 'the key file does not open without the passphrase');
});

test('the ward CA re-issues it, listeners hear of it, and it stays the ward CA\'s after a restart', () => {
  const tls = new LanTls(join(dir, 'tls'), '0.0.0.0', log);
  const root = createRootCa('Test City Root');
  const ward = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
  let heard = '';
  tls.onChange((s) => { heard = s.issuer; });
  tls.reissueFromWardCa(ward);
  assert.is(heard, 'ward-ca');
  assert.is(new X509Certificate(tls.current.rootPem!).fingerprint256, new X509Certificate(root.chain[0]!).fingerprint256);
  const again = new LanTls(join(dir, 'tls'), '0.0.0.0', log);
  assert.is(again.current.issuer, 'ward-ca');
  assert.ok(readFileSync(join(dir, 'tls', 'passphrase')).length >= 24);
});

test('a node on plain HTTP refuses the HTTPS re-issue with a clear message', async () => {
  const ward = await startTestWard();
  try {
    const r = await ward.admin.post('/api/setup/tls', { caPin: 'whatever-pin' });
    assert.is(r.status, 409);
    assert.is(r.body.code, 'tls_not_managed');
    assert.ok(r.body.message.vi && r.body.message.en);
  } finally { await ward.stop(); }
});

test('HTTPS and /setup asked on the same port stop the boot with a message naming both settings', async () => {
  const config = loadConfig({}, { dataDir: join(dir, 'same-port'), host: '127.0.0.1', port: 18443, logLevel: 'silent', tls: { setupPort: 18443 } });
  await startWardNode(config, { log }).then(() => assert.unreachable('must not start'), (err: Error) => assert.match(err.message, /WARDDESK_PORT.*WARDDESK_SETUP_PORT/));
});

test.run();
