// Revocation: a revoked serial appears, with its reason, in a CRL openssl
// parses and enforces; the city root revokes a ward CA the same way; list
// numbers only grow; loadCrls gathers files and replicated documents.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, issueSigning, issueWardCa } from '../../certs/ca-issue.js';
import { crlToPem, readCrl } from '../../certs/crl.js';
import { loadCrls, normalizeSerial, RevocationRegister } from '../../certs/revocation.js';
import { WardError } from '../../sync/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-revocation-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const root = createRootCa();
const ward = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
const leader = issueSigning(ward, 'leader', { commonName: 'Nguyễn Văn An' });
const serialOf = (pem: string) => new X509Certificate(pem).serialNumber.toLowerCase();
const file = (name: string, text: string | Buffer) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const wardCrls = new RevocationRegister(join(dir), 'ward-ca');
const rootCrls = new RevocationRegister(join(dir), 'city-root');

function verify(leafPem: string): string {
  const crls = file('all.crl.pem', [rootCrls.current()!, wardCrls.current()!].map(crlToPem).join(''));
  const r = spawnSync('openssl', ['verify', '-CAfile', file('root.pem', root.chain[0]!), '-untrusted', file('ward.pem', ward.chain[0]!), '-crl_check_all', '-CRLfile', crls, file('leaf.pem', leafPem)], { encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}

test('a revoked serial is listed with its reason in a CRL openssl parses, and openssl then refuses the certificate', () => {
  rootCrls.publish(root);
  wardCrls.publish(ward);
  assert.match(verify(leader.chain[0]!), /: OK$/);
  wardCrls.revoke(ward, serialOf(leader.chain[0]!), 'keyCompromise');
  const text = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', wardCrls.crlFile, '-noout', '-text'], { encoding: 'utf8' });
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`Serial Number: ${serialOf(leader.chain[0]!)}`, 'i'));
  assert.match(text.stdout, /Key Compromise/);
  assert.match(text.stdout, /X509v3 CRL Number:\s+2/);
  assert.match(verify(leader.chain[0]!), /certificate revoked/);
});

test('the city root revokes a ward CA: everything the ward issued stops verifying', () => {
  const other = issueSigning(ward, 'agency', { commonName: 'UBND Phường Mẫu' });
  assert.match(verify(other.chain[0]!), /: OK$/);
  rootCrls.revoke(root, serialOf(ward.chain[0]!), 'cACompromise');
  assert.ok(readCrl(rootCrls.current()!).signedBy(root.chain[0]!));
  assert.match(verify(other.chain[0]!), /certificate revoked/);
});

test('list numbers only grow; revoking twice keeps one entry with the first reason', () => {
  const before = readCrl(wardCrls.current()!).crlNumber;
  wardCrls.revoke(ward, serialOf(leader.chain[0]!), 'superseded');
  wardCrls.publish(ward);
  const after = readCrl(wardCrls.current()!);
  assert.is(after.crlNumber, before + 2);
  assert.equal([...after.revoked.keys()], [normalizeSerial(serialOf(leader.chain[0]!))]);
  assert.equal(wardCrls.entries().map((e) => e.reason), ['keyCompromise']);
  assert.ok(after.nextUpdate!.getTime() - after.thisUpdate.getTime() >= 29 * 86_400_000);
});

test('a serial that is not hex is refused and nothing is rewritten; the temp files are gone', () => {
  const bytes = wardCrls.current()!;
  for (const bad of ['', 'xyz', '12 34', 'a'.repeat(41)]) {
    try { wardCrls.revoke(ward, bad); assert.unreachable(bad); } catch (e) { assert.is((e as WardError).code, 'invalid_serial'); }
  }
  assert.ok(wardCrls.current()!.equals(bytes));
  assert.is(normalizeSerial('serial=00:0A:1B'), '0a1b');
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('loadCrls gathers the lists of a folder and of replicated documents, skipping what is not a CRL', () => {
  file('junk.crl', 'not a list');
  const docs = [{ der: rootCrls.current()!.toString('base64') }, { der: 'bm90IGEgbGlzdA==' }, { other: 1 }];
  const crls = loadCrls({ dir, docs }).map(readCrl);
  assert.is(crls.length, 3);
  assert.is(crls.filter((c) => c.signedBy(root.chain[0]!)).length, 2);
  assert.is(crls.filter((c) => c.signedBy(ward.chain[0]!)).length, 1);
  assert.equal(loadCrls({ dir: join(dir, 'missing') }), []);
});

test('a new CA taking over the register lists none of the old CA\'s entries, and the list number still grows', () => {
  const dir2 = join(dir, 'takeover');
  mkdirSync(dir2);
  const register = new RevocationRegister(dir2, 'ward-ca');
  register.revoke(ward, 'abcd');
  const newWard = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
  register.startOver();
  const crl = readCrl(register.publish(newWard));
  assert.is(crl.revoked.size, 0);
  assert.is(crl.crlNumber, 2);
  assert.ok(crl.signedBy(newWard.chain[0]!));
  assert.ok(readdirSync(dir2).some((f) => /^ward-ca\.revoked\..+\.json$/.test(f)), 'the old entries are kept aside');
});

test.run();
