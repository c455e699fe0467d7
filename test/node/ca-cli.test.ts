// `warddesk ca …` as a city IT engineer and a ward admin run it: root → ward
// bundle → install → a TLS certificate a real node serves → enrol → revoke →
// CRL; the root revokes a ward CA; an external PKCS#12 is imported only with
// its chain. Runs the command in-process (one spawn checks the real entry).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createRootCa, issueSigning, issueWardCa } from '../../certs/ca-issue.js';
import { toPkcs12 } from '../../certs/ca.js';
import { readCrl } from '../../certs/crl.js';
import { caCommand } from '../../node/ca-cli.js';
import { loadConfig } from '../../node/config.js';
import { startWardNode } from '../../node/ward-node.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-ca-cli-'));
const data = join(dir, 'data');
const keys = join(data, 'keys');
const city = join(dir, 'city');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const PINS = { WARDDESK_CA_PIN: 'city-root-pin-1', WARDDESK_WARD_CA_PIN: 'ward-ca-pin-12', WARDDESK_TLS_PIN: 'tls-pin-1234', WARDDESK_PIN: '246810' };
async function ca(args: string[], env: Record<string, string> = PINS) {
  const lines: string[] = [];
  const code = await caCommand(args, { WARDDESK_DATA_DIR: data, ...env }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}
const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });
const serialIn = (out: string) => /serial ([0-9a-f]+)/.exec(out)![1]!;

test('the real entry point asks for the PIN in the environment and never takes it from the command line', () => {
  const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'ca', 'root', 'create', '--out', join(dir, 'x')], { encoding: 'utf8', env: { ...process.env, WARDDESK_CA_PIN: '' } });
  assert.is(r.status, 1);
  assert.match(r.stderr, /PIN/);
  assert.not.ok(existsSync(join(dir, 'x', 'city-root.p12')), 'nothing written');
});

test('the city creates a root (never overwritten) and a ward bundle; the ward installs it, a wrong PIN installs nothing', async () => {
  assert.is((await ca(['root', 'create', '--out', city])).code, 0);
  const again = await ca(['root', 'create', '--out', city]);
  assert.is(again.code, 1);
  assert.match(again.out, /already holds a root/);
  const issued = await ca(['ward', 'issue', '--root', city, '--ward', 'phuong-mau', '--name', 'UBND Phường Mẫu', '--out', join(dir, 'bundle')]);
  assert.is(issued.code, 0, issued.out);
  assert.is((await ca(['ward', 'issue', '--root', city, '--ward', 'Phường Mẫu', '--name', 'x y', '--out', join(dir, 'b2')])).code, 1, 'bad ward code');
  const wrong = await ca(['ward', 'install', join(dir, 'bundle')], { ...PINS, WARDDESK_WARD_CA_PIN: 'not-the-pin' });
  assert.is(wrong.code, 1);
  assert.not.ok(existsSync(join(keys, 'ward-ca.p12')));
  assert.is((await ca(['ward', 'install', join(dir, 'bundle')])).code, 0);
  assert.ok(readCrl(readFileSync(join(keys, 'ward-ca.crl'))).crlNumber >= 1);
  assert.ok(existsSync(join(keys, 'city-root.crl')));
});

test('the TLS certificate openssl verifies (SANs for hosts and IPs) is the one a ward node serves over HTTPS', async () => {
  const tls = join(dir, 'tls.p12');
  assert.is((await ca(['tls', '--host', 'localhost', '--ip', '127.0.0.1', '--ip', '192.168.1.10', '--out', tls])).code, 0);
  assert.is((await ca(['tls', '--ip', '999.1.1.1', '--out', join(dir, 'bad.p12')])).code, 1);
  assert.not.ok(existsSync(join(dir, 'bad.p12')));
  const chain = openssl('pkcs12', '-in', tls, '-nokeys', '-passin', `pass:${PINS.WARDDESK_TLS_PIN}`).stdout;
  writeFileSync(join(dir, 'chain.pem'), chain);
  const verified = openssl('verify', '-CAfile', join(city, 'city-root.pem'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'chain.pem'));
  assert.match(verified.stdout, /OK/, verified.stderr);
  const text = openssl('x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'chain.pem')).stdout;
  assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:192\.168\.1\.10/);
  assert.not.ok(openssl('pkcs12', '-in', tls, '-nokeys', '-passin', 'pass:wrong-pin').status === 0, 'a wrong PIN does not open it');

  process.env['WARDDESK_TLS_PIN'] = PINS.WARDDESK_TLS_PIN;
  const config = loadConfig({}, { dataDir: join(dir, 'node-data'), host: '127.0.0.1', port: 0, logLevel: 'silent', tls: { pfxFile: tls, setupPort: 0 } });
  const node = await startWardNode(config, { log: pino({ level: 'silent' }) });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      request(`${node.url.replace('127.0.0.1', 'localhost')}/api/health`, { ca: readFileSync(join(city, 'city-root.pem')) }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    assert.is(status, 200);
  } finally {
    await node.close();
    delete process.env['WARDDESK_TLS_PIN'];
  }
});

test('enrol a leader and the seal, revoke the leader: the CRL openssl reads lists that serial, and list marks it', async () => {
  const enrolled = await ca(['enrol', 'chutich', '--name', 'Nguyễn Văn An']);
  assert.is(enrolled.code, 0, enrolled.out);
  assert.is((await ca(['enrol', 'seal', '--name', 'UBND Phường Mẫu'])).code, 0);
  assert.is((await ca(['enrol', 'phochutich', '--name', 'Lê B'], { ...PINS, WARDDESK_PIN: '123' })).code, 1, 'weak PIN');
  assert.not.ok(existsSync(join(keys, 'user.phochutich.p12')));
  const serial = serialIn(enrolled.out);
  const before = readCrl(readFileSync(join(keys, 'ward-ca.crl'))).crlNumber;
  assert.is((await ca(['revoke', serial, '--reason', 'keyCompromise'])).code, 0);
  const crl = readCrl(readFileSync(join(keys, 'ward-ca.crl')));
  assert.equal([...crl.revoked.keys()], [serial.replace(/^(00)+/, '')]);
  assert.is(crl.crlNumber, before + 1);
  const text = openssl('crl', '-inform', 'DER', '-in', join(keys, 'ward-ca.crl'), '-noout', '-text');
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /Key Compromise/);
  const listed = (await ca(['list'])).out;
  assert.match(listed, new RegExp(`user\\.chutich\\t${serial}\\tleader\\t.*\\tREVOKED`));
  assert.match(listed, /seal\t[0-9a-f]+\tagency/);
  const bad = await ca(['revoke', 'not-hex']);
  assert.is(bad.code, 1);
  assert.match(bad.out, /hexadecimal/);
  assert.is((await ca(['crl'])).code, 0);
  assert.is(readCrl(readFileSync(join(keys, 'ward-ca.crl'))).crlNumber, before + 2);
});

test('the city root revokes the ward CA: openssl then refuses what the ward issued', async () => {
  const wardSerial = serialIn((await ca(['ward', 'issue', '--root', city, '--ward', 'phuong-hai', '--name', 'UBND Phường Hai', '--out', join(dir, 'bundle2')])).out);
  assert.is((await ca(['root', 'revoke', wardSerial, '--root', city, '--reason', 'cACompromise'])).code, 0);
  assert.ok(readCrl(readFileSync(join(city, 'city-root.crl'))).revoked.has(wardSerial.replace(/^(00)+/, '')));
  assert.is((await ca(['root', 'revoke', wardSerial, '--root', city], { ...PINS, WARDDESK_CA_PIN: 'wrong-pin-1' })).code, 1);
});

test('an external PKCS#12 is imported only with its chain to a trusted root, then opens with the holder\'s PIN alone', async () => {
  const govRoot = createRootCa('Government Root');
  const govCa = issueWardCa(govRoot, { code: 'gov-ca', name: 'Government Issuing' });
  const official = issueSigning(govCa, 'leader', { commonName: 'Lê Văn Cường' });
  writeFileSync(join(dir, 'gov.p12'), toPkcs12({ privateKey: official.privateKey, chain: [official.chain[0]!] }, 'issuer-pass'));
  writeFileSync(join(dir, 'gov-root.pem'), govRoot.chain[0]!);
  writeFileSync(join(dir, 'gov-ca.pem'), govCa.chain[0]!);
  const env = { ...PINS, WARDDESK_P12_PIN: 'issuer-pass', WARDDESK_PIN: '975310' };
  // A root on the command line is no trust: the ward's list is (audited, `ca trust add`).
  const adHoc = await ca(['import-p12', join(dir, 'gov.p12'), '--holder', 'cuong', '--root', join(dir, 'gov-root.pem'), '--chain', join(dir, 'gov-ca.pem')], env);
  assert.is(adHoc.code, 1);
  assert.match(adHoc.out, /ca trust add/);
  const untrusted = await ca(['import-p12', join(dir, 'gov.p12'), '--holder', 'cuong', '--chain', join(dir, 'gov-ca.pem')], env);
  assert.is(untrusted.code, 1);
  assert.match(untrusted.out, /trusted root/);
  assert.is((await ca(['trust', 'add', join(dir, 'gov-root.pem')])).code, 0);
  const refused = await ca(['import-p12', join(dir, 'gov.p12'), '--holder', 'cuong'], env);
  assert.is(refused.code, 1);
  assert.match(refused.out, /trusted root/);
  assert.not.ok(existsSync(join(keys, 'user.cuong.p12')));
  const ok = await ca(['import-p12', join(dir, 'gov.p12'), '--holder', 'cuong', '--chain', join(dir, 'gov-ca.pem')], env);
  assert.is(ok.code, 0, ok.out);
  assert.is(openssl('pkcs12', '-in', join(keys, 'user.cuong.p12'), '-nodes', '-passin', 'pass:975310').status, 0);
  assert.is.not(openssl('pkcs12', '-in', join(keys, 'user.cuong.p12'), '-nodes', '-passin', 'pass:issuer-pass').status, 0);
});

test('ward install shares the setup screen\'s checks: a bundle issued to another ward is refused and the installed CA stays', async () => {
  const before = readFileSync(join(keys, 'ward-ca.pem'), 'utf8');
  const issued = await ca(['ward', 'issue', '--root', city, '--ward', 'phuong-khac', '--name', 'UBND Phường Khác', '--out', join(dir, 'foreign')]);
  assert.is(issued.code, 0, issued.out);
  const r = await ca(['ward', 'install', join(dir, 'foreign')]);
  assert.is(r.code, 1);
  assert.match(r.out, /phường khác.*another ward/s);
  assert.is(readFileSync(join(keys, 'ward-ca.pem'), 'utf8'), before);
});

test.run();
