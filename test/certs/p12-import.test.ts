// Import of a PKCS#12 issued outside the ward (a "government CA" built here):
// refused unless its chain, supplied with the file or beside it, leads to a
// trusted root; refused when the certificate cannot sign; once accepted, the
// key is stored under the holder's PIN, which openssl accepts and no other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, issueCertificate, toPkcs12 } from '../../certs/ca.js';
import { createRootCa, issueSigning, issueWardCa } from '../../certs/ca-issue.js';
import { Keystore } from '../../certs/keystore.js';
import { importPkcs12 } from '../../certs/p12-import.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-p12-import-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const city = createRootCa('City Root');
const govRoot = createRootCa('Government Root');
const govCa = issueWardCa(govRoot, { code: 'gov-ca', name: 'Government Issuing' });
const official = issueSigning(govCa, 'leader', { commonName: 'Lê Văn Cường' });
const PASSWORD = 'issuer-password';
const leafOnly = toPkcs12({ privateKey: official.privateKey, chain: [official.chain[0]!] }, PASSWORD);
const withChain = toPkcs12(official, PASSWORD);

test('a key from another CA is refused while its chain does not reach a trusted root', () => {
  assert.equal(importPkcs12({ p12: withChain, password: PASSWORD, trustedRoots: [city.chain[0]!] }), { ok: false, reason: 'certificate_untrusted' });
  assert.equal(importPkcs12({ p12: leafOnly, password: PASSWORD, trustedRoots: [city.chain[0]!, govRoot.chain[0]!] }), { ok: false, reason: 'certificate_untrusted' }, 'root trusted but intermediate missing');
});

test('it is accepted once the intermediate is supplied (beside the file or inside it), chain leaf first up to the root', () => {
  const beside = importPkcs12({ p12: leafOnly, password: PASSWORD, trustedRoots: [city.chain[0]!, govRoot.chain[0]!], extraCerts: [govCa.chain[0]!] });
  assert.ok(beside.ok);
  const fp = (pems: string[]) => pems.map((p) => new X509Certificate(p).fingerprint256);
  if (beside.ok) assert.equal(fp(beside.contents.chain), fp([official.chain[0]!, govCa.chain[0]!, govRoot.chain[0]!]));
  const inside = importPkcs12({ p12: withChain, password: PASSWORD, trustedRoots: [govRoot.chain[0]!] });
  assert.ok(inside.ok);
});

test('a wrong password, a CA certificate or an expired certificate is refused', () => {
  assert.equal(importPkcs12({ p12: leafOnly, password: 'nope-nope', trustedRoots: [govRoot.chain[0]!] }), { ok: false, reason: 'wrong_pin' });
  assert.equal(importPkcs12({ p12: toPkcs12(govCa, PASSWORD), password: PASSWORD, trustedRoots: [govRoot.chain[0]!] }), { ok: false, reason: 'certificate_unsuitable' });
  const k = generateKey();
  const expired = issueCertificate({ kind: 'leader', subject: { commonName: 'Hết Hạn' }, publicKey: k.publicKey, issuer: { certPem: govCa.chain[0]!, privateKey: govCa.privateKey }, days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
  assert.equal(importPkcs12({ p12: toPkcs12({ privateKey: k.privateKey, chain: [expired, ...govCa.chain] }, PASSWORD), password: PASSWORD, trustedRoots: [govRoot.chain[0]!] }), { ok: false, reason: 'certificate_unsuitable' });
});

test('an accepted key is re-encrypted under the holder\'s PIN: openssl opens it with that PIN and refuses another', async () => {
  const verdict = importPkcs12({ p12: leafOnly, password: PASSWORD, trustedRoots: [govRoot.chain[0]!], extraCerts: [govCa.chain[0]!] });
  assert.ok(verdict.ok);
  if (!verdict.ok) return;
  const ks = new Keystore(join(dir, 'keys'));
  ks.save('user.cuong', verdict.contents, '482913');
  const p12 = join(ks.dir, 'user.cuong.p12');
  const good = spawnSync('openssl', ['pkcs12', '-in', p12, '-nodes', '-passin', 'pass:482913'], { encoding: 'utf8' });
  assert.is(good.status, 0, good.stderr);
  assert.match(good.stdout, /BEGIN PRIVATE KEY/);
  assert.is((good.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
  assert.is.not(spawnSync('openssl', ['pkcs12', '-in', p12, '-nodes', '-passin', `pass:${PASSWORD}`]).status, 0);
  assert.is((await ks.unlock('user.cuong', '482913')).chain.length, 3);
});

test.run();
