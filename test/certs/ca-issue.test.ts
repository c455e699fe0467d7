// The issuing steps checked by openssl: a root, a ward CA, a TLS certificate
// and signing certificates that `openssl verify -crl_check_all` accepts
// through the ward CA, with the SANs, key usages and role the PKI promises.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, issueSigning, issueTls, issueWardCa } from '../../certs/ca-issue.js';
import { crlToPem } from '../../certs/crl.js';
import { RevocationRegister } from '../../certs/revocation.js';
import { roleOf } from '../../certs/roles.js';
import { WardError } from '../../sync/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-ca-issue-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const root = createRootCa('Thành phố Thử Root CA');
const ward = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const rootFile = file('root.pem', root.chain[0]!);
const wardFile = file('ward.pem', ward.chain[0]!);

function opensslVerify(leafPem: string, crls: Buffer[]): { ok: boolean; out: string } {
  const crlFile = file('crls.pem', crls.map(crlToPem).join(''));
  const r = spawnSync('openssl', ['verify', '-CAfile', rootFile, '-untrusted', wardFile, '-crl_check_all', '-CRLfile', crlFile, file('leaf.pem', leafPem)], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

test('a leader, the seal and the TLS certificate verify with openssl through the ward CA to the root, CRLs checked', () => {
  const crls = [new RevocationRegister(dir, 'city-root').publish(root), new RevocationRegister(dir, 'ward-ca').publish(ward)];
  const leader = issueSigning(ward, 'leader', { commonName: 'Nguyễn Văn An', organization: 'UBND Phường Mẫu' });
  const seal = issueSigning(ward, 'agency', { commonName: 'UBND Phường Mẫu' });
  const tls = issueTls(ward, { hosts: ['warddesk.local'], ips: ['192.168.1.10'] });
  for (const c of [leader, seal, tls]) {
    assert.is(c.chain.length, 3);
    const r = opensslVerify(c.chain[0]!, crls);
    assert.ok(r.ok, r.out);
  }
  assert.ok(new X509Certificate(ward.chain[0]!).ca);
  assert.is(roleOf(new X509Certificate(leader.chain[0]!)), 'leader');
  assert.is(roleOf(new X509Certificate(seal.chain[0]!)), 'agency');
  assert.match(new X509Certificate(leader.chain[0]!).subject, /CN=Nguyễn Văn An/);
});

test('signing certificates carry digitalSignature and nonRepudiation, CAs only certificate and CRL signing', () => {
  const leader = issueSigning(ward, 'leader', { commonName: 'Trần Thị Bình' });
  const text = (pem: string) => spawnSync('openssl', ['x509', '-noout', '-text', '-in', file('x.pem', pem)], { encoding: 'utf8' }).stdout;
  const leaf = text(leader.chain[0]!);
  assert.match(leaf, /Digital Signature, Non Repudiation/);
  assert.match(leaf, /CA:FALSE/);
  assert.match(leaf, /OU\s*=\s*WardDesk Leader/);
  const ca = text(ward.chain[0]!);
  assert.match(ca, /Certificate Sign, CRL Sign/);
  assert.match(ca, /CA:TRUE, pathlen:0/);
});

test('the TLS certificate names every host and IP address as a SAN, for server authentication', () => {
  const tls = new X509Certificate(issueTls(ward, { hosts: ['warddesk.local', 'ubnd-phuongmau'], ips: ['192.168.1.10', '10.0.0.2', 'fe80::1'] }).chain[0]!);
  assert.is(tls.subjectAltName, 'DNS:warddesk.local, DNS:ubnd-phuongmau, IP Address:192.168.1.10, IP Address:10.0.0.2, IP Address:FE80:0:0:0:0:0:0:1');
  assert.ok(tls.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');
  assert.ok(tls.checkIP('192.168.1.10'));
  assert.ok(tls.checkHost('warddesk.local'));
});

test('bad host names, IP addresses, ward codes and empty names are refused before any key is made', () => {
  const code = (fn: () => unknown) => { try { fn(); return 'none'; } catch (e) { return e instanceof WardError ? `${e.code}:${e.details?.[0]?.path}` : String(e); } };
  assert.is(code(() => issueTls(ward, { hosts: [], ips: [] })), 'invalid_input:host');
  assert.is(code(() => issueTls(ward, { hosts: ['bad host'], ips: [] })), 'invalid_input:host');
  assert.is(code(() => issueTls(ward, { hosts: [], ips: ['192.168.1.300'] })), 'invalid_input:ip');
  assert.is(code(() => issueWardCa(root, { code: 'Phường Mẫu', name: 'x y' })), 'invalid_input:ward');
  assert.is(code(() => issueSigning(ward, 'leader', { commonName: ' ' })), 'invalid_input:name');
});

test.run();
