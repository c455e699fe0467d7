// The PKI from the command line, as a city IT engineer and a ward admin run
// it: root → ward bundle → install → TLS certificate the node serves →
// enrol → revoke; then the demo, checked by `warddesk verify`'s exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCrl } from '../../certs/crl.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
const demo = fileURLToPath(new URL('../../node/demo.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'warddesk-ca-cli-'));
const data = join(dir, 'data');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const PINS = { WARDDESK_CA_PIN: 'city-root-pin-1', WARDDESK_WARD_CA_PIN: 'ward-ca-pin-12', WARDDESK_TLS_PIN: 'tls-pin-1234', WARDDESK_PIN: '246810' };
function warddesk(args: string[], env: Record<string, string> = PINS, script = cli) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, WARDDESK_DATA_DIR: data, WARDDESK_LOG_LEVEL: 'silent', ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the city creates a root and a ward bundle; the ward installs it and issues a TLS certificate openssl accepts', () => {
  assert.is(warddesk(['ca', 'root', 'create', '--out', join(dir, 'city')]).code, 0);
  const noPin = warddesk(['ca', 'root', 'create', '--out', join(dir, 'x')], {});
  assert.is(noPin.code, 1);
  assert.match(noPin.out, /WARDDESK_CA_PIN/);
  assert.is(warddesk(['ca', 'ward', 'issue', '--root', join(dir, 'city'), '--ward', 'phuong-mau', '--name', 'UBND Phường Mẫu', '--out', join(dir, 'bundle')]).code, 0);
  const wrongPin = warddesk(['ca', 'ward', 'install', join(dir, 'bundle')], { ...PINS, WARDDESK_WARD_CA_PIN: 'not-the-pin' });
  assert.is(wrongPin.code, 1);
  assert.is(warddesk(['ca', 'ward', 'install', join(dir, 'bundle')]).code, 0);
  const tls = join(dir, 'tls.p12');
  assert.is(warddesk(['ca', 'tls', '--host', 'warddesk.local', '--ip', '192.168.1.10', '--out', tls]).code, 0);
  const pem = spawnSync('openssl', ['pkcs12', '-in', tls, '-nokeys', '-passin', `pass:${PINS.WARDDESK_TLS_PIN}`], { encoding: 'utf8' }).stdout;
  const leaf = new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
  assert.match(leaf.subjectAltName ?? '', /DNS:warddesk\.local/);
  assert.match(leaf.subjectAltName ?? '', /IP Address:192\.168\.1\.10/);
  const chainFile = join(dir, 'chain.pem');
  spawnSync('sh', ['-c', `openssl pkcs12 -in ${tls} -nokeys -passin pass:${PINS.WARDDESK_TLS_PIN} > ${chainFile}`]);
  const verified = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'city', 'city-root.pem'), '-untrusted', chainFile, chainFile], { encoding: 'utf8' });
  assert.match(verified.stdout, /OK/);
});

test('enrol a leader and the seal, revoke the leader: the CRL lists exactly that serial', () => {
  const enrolled = warddesk(['ca', 'enrol', 'chutich', '--name', 'Nguyễn Văn An']);
  assert.is(enrolled.code, 0, enrolled.out);
  assert.is(warddesk(['ca', 'enrol', 'seal', '--name', 'UBND Phường Mẫu']).code, 0);
  const serial = /serial ([0-9a-f]+)/.exec(enrolled.out)![1]!;
  const listed = warddesk(['ca', 'list']).out;
  assert.match(listed, /user\.chutich/);
  assert.match(listed, /seal/);
  assert.is(warddesk(['ca', 'revoke', serial, '--reason', 'keyCompromise']).code, 0);
  const crl = readCrl(readFileSync(join(data, 'keys', 'ward-ca.crl')));
  assert.equal([...crl.revoked.keys()], [serial.replace(/^(00)+/, '')]);
  const openssl = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(data, 'keys', 'ward-ca.crl'), '-noout', '-text'], { encoding: 'utf8' });
  assert.is(openssl.status, 0, openssl.stderr);
  assert.match(openssl.stdout, /Key Compromise/);
});

test('an external PKCS#12 is imported only when its chain leads to a trusted root, then re-encrypted under the holder\'s PIN', () => {
  const other = join(dir, 'other');
  const env = { ...PINS, WARDDESK_CA_PIN: 'other-root-pin', WARDDESK_DATA_DIR: join(dir, 'other-data') };
  assert.is(spawnSync(process.execPath, ['--import', 'tsx', cli, 'ca', 'root', 'create', '--out', other, '--name', 'Government CA'], { env: { ...process.env, ...env } }).status, 0);
  assert.is(spawnSync(process.execPath, ['--import', 'tsx', cli, 'ca', 'ward', 'issue', '--root', other, '--ward', 'gov', '--name', 'Gov', '--out', join(dir, 'gov')], { env: { ...process.env, ...env } }).status, 0);
  const p12 = join(dir, 'gov', 'ward-ca.p12');
  const refused = warddesk(['ca', 'import-p12', p12, '--holder', 'chutich2'], { ...PINS, WARDDESK_P12_PIN: PINS.WARDDESK_WARD_CA_PIN });
  assert.is(refused.code, 1);
  assert.match(refused.out, /trusted root/);
  const ok = warddesk(['ca', 'import-p12', p12, '--holder', 'chutich2', '--root', join(other, 'city-root.pem')], { ...PINS, WARDDESK_P12_PIN: PINS.WARDDESK_WARD_CA_PIN });
  assert.is(ok.code, 0, ok.out);
  assert.is(spawnSync('openssl', ['pkcs12', '-in', join(data, 'keys', 'user.chutich2.p12'), '-nokeys', '-passin', `pass:${PINS.WARDDESK_PIN}`]).status, 0);
});

test('the demo issues a document that verifies (exit 0), is unknown without CRLs (2) and invalid once tampered (1)', () => {
  const out = join(dir, 'demo');
  const run = warddesk(['--out', out], {}, demo);
  assert.is(run.code, 0, run.out);
  const pdf = join(out, 'issued.pdf');
  const full = ['verify', pdf, '--root', join(out, 'city-root.pem'), '--crl', join(out, 'ward-ca.crl'), '--crl', join(out, 'city-root.crl')];
  const ok = warddesk(full, {});
  assert.is(ok.code, 0, ok.out);
  assert.match(ok.out, /HỢP LỆ \/ VALID/);
  assert.is(warddesk(['verify', pdf, '--root', join(out, 'city-root.pem')], {}).code, 2);
  const other = warddesk(['verify', pdf, '--root', join(dir, 'city', 'city-root.pem')], {});
  assert.is(other.code, 1, 'a file from another city root is invalid');
  const tampered = join(out, 'tampered.pdf');
  copyFileSync(pdf, tampered);
  appendFileSync(tampered, '\n% appended\n');
  const bad = warddesk(full.map((a) => (a === pdf ? tampered : a)), {});
  assert.is(bad.code, 1);
  assert.match(bad.out, /appended after the last signature/);
});

test.run();
