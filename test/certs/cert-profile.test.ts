// Certificate profiles and the holder check the node runs before it stores
// any key (and the token helper runs on a PKCS#11 certificate): a leader's
// and the seal's certificates differ as openssl reads them, and each wrong
// certificate for a holder gets its own typed refusal. Certificates of a
// foreign CA (as the Government's specialised CA issues them, with no
// WardDesk role) are built here with node-forge.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, issueSigning, issueTls, issueWardCa } from '../../certs/ca-issue.js';
import { generateKey, issueCertificate, type Pkcs12Contents } from '../../certs/ca.js';
import { checkHolderCertificate } from '../../certs/cert-profile.js';
import { roleOf } from '../../certs/roles.js';
import { foreignCert as makeForeign, foreignRoot, OID } from '../helpers/foreign-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-cert-profile-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const text = (pem: string) => { const f = join(dir, 'x.pem'); writeFileSync(f, pem); return spawnSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8', '-in', f], { encoding: 'utf8' }).stdout; };

const AGENCY = 'UBND Phường Mẫu';
const root = createRootCa('Thành phố Thử Root CA');
const ward = issueWardCa(root, { code: 'phuong-mau', name: AGENCY });
const leader = issueSigning(ward, 'leader', { commonName: 'Nguyễn Văn An', organization: AGENCY });
const seal = issueSigning(ward, 'agency', { commonName: 'ignored for a seal', organization: AGENCY });
const roots = [root.chain[0]!];
const code = (r: ReturnType<typeof checkHolderCertificate>) => (r.ok ? `ok:${r.role}:${r.roleFrom}` : r.code);

const foreignCa = () => foreignRoot();
const foreignCert = (ca: Pkcs12Contents, subject: { type: string; value: string }[], o: { eku?: string[] } = {}) => makeForeign(ca, subject, o).chain[0]!;
const { CN, O, T, UID, C } = OID;

test('the ward CA issues a leader and a seal that differ in key usage, extended key usage and subject', () => {
  const l = text(leader.chain[0]!);
  const s = text(seal.chain[0]!);
  assert.match(l, /Digital Signature, Non Repudiation, Key Encipherment/);
  assert.match(s, /X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
  assert.match(l, /TLS Web Client Authentication/);
  assert.not.match(s, /TLS Web Client Authentication/);
  for (const t of [l, s]) { assert.match(t, /E-mail Protection/); assert.match(t, /1\.3\.6\.1\.5\.5\.7\.3\.36|Document Signing/); }
  assert.match(l, /Subject: C ?= ?VN, O ?= ?UBND Phường Mẫu, OU ?= ?WardDesk Leader, CN ?= ?Nguyễn Văn An/);
  // The seal's subject names the agency twice, whatever name was asked for.
  assert.match(s, /Subject: C ?= ?VN, O ?= ?UBND Phường Mẫu, OU ?= ?WardDesk Agency Seal, CN ?= ?UBND Phường Mẫu/);
});

test('a leader certificate and a seal certificate each fit their own holder', () => {
  assert.is(code(checkHolderCertificate(leader.chain[0]!, 'leader', AGENCY, roots, { intermediates: [ward.chain[0]!] })), 'ok:leader:certificate');
  assert.is(code(checkHolderCertificate(seal.chain[0]!, 'agency', 'ubnd  phường mẫu', roots, { intermediates: [ward.chain[0]!] })), 'ok:agency:certificate');
});

test('refuses the leader\'s certificate as the seal and the seal\'s as a leader, with a vi+en message', () => {
  const r = checkHolderCertificate(leader.chain[0]!, 'agency', AGENCY, roots, { intermediates: [ward.chain[0]!] });
  assert.is(code(r), 'certificate_wrong_role');
  assert.ok(!r.ok && r.error.status === 422 && /con dấu/.test(r.error.vi) && /seal/.test(r.error.en));
  assert.is(code(checkHolderCertificate(seal.chain[0]!, 'leader', AGENCY, roots, { intermediates: [ward.chain[0]!] })), 'certificate_wrong_role');
});

test('refuses the ward\'s TLS server certificate and a CA certificate as a signing certificate', () => {
  const tls = issueTls(ward, { hosts: ['warddesk.local'], ips: [] });
  assert.is(code(checkHolderCertificate(tls.chain[0]!, 'agency', AGENCY, roots, { intermediates: [ward.chain[0]!] })), 'certificate_not_for_signing');
  assert.is(code(checkHolderCertificate(ward.chain[0]!, 'agency', AGENCY, roots)), 'certificate_not_for_signing');
});

test('refuses a seal naming another agency', () => {
  const other = issueSigning(ward, 'agency', { commonName: 'Con dấu khác', organization: 'UBND Phường Khác' });
  const r = checkHolderCertificate(other.chain[0]!, 'agency', AGENCY, roots, { intermediates: [ward.chain[0]!] });
  assert.is(code(r), 'certificate_wrong_agency');
  assert.ok(!r.ok && /Phường Khác/.test(r.error.details![0]!.en));
});

test('refuses an expired certificate and one chaining to no trusted root', () => {
  const k = generateKey(2048);
  const old = issueCertificate({ kind: 'agency', subject: { commonName: AGENCY, organization: AGENCY }, publicKey: k.publicKey, issuer: { certPem: ward.chain[0]!, privateKey: ward.privateKey }, days: 1, notBefore: new Date(Date.now() - 3 * 86_400_000) });
  assert.is(code(checkHolderCertificate(old, 'agency', AGENCY, roots, { intermediates: [ward.chain[0]!] })), 'certificate_expired');
  // Without the intermediate, or against another root, there is no path.
  assert.is(code(checkHolderCertificate(seal.chain[0]!, 'agency', AGENCY, roots)), 'certificate_untrusted');
  assert.is(code(checkHolderCertificate(seal.chain[0]!, 'agency', AGENCY, [foreignCa().chain[0]!], { intermediates: [ward.chain[0]!] })), 'certificate_untrusted');
});

test('a foreign CA\'s organisation certificate is a seal and its personal certificate an official, from their profiles', () => {
  const gov = foreignCa();
  const org = foreignCert(gov, [{ type: C, value: 'VN' }, { type: O, value: AGENCY }, { type: UID, value: 'MST:0312345678' }, { type: CN, value: AGENCY }]);
  const person = foreignCert(gov, [{ type: C, value: 'VN' }, { type: O, value: AGENCY }, { type: T, value: 'Chủ tịch' }, { type: UID, value: 'CCCD:079123456789' }, { type: CN, value: 'Lê Văn Cường' }]);
  assert.is(roleOf(new X509Certificate(org)), 'agency');
  assert.is(roleOf(new X509Certificate(person)), 'leader');
  const trusted = [root.chain[0]!, gov.chain[0]!];
  assert.is(code(checkHolderCertificate(org, 'agency', AGENCY, trusted)), 'ok:agency:certificate');
  assert.is(code(checkHolderCertificate(person, 'leader', AGENCY, trusted)), 'ok:leader:certificate');
  assert.is(code(checkHolderCertificate(person, 'agency', AGENCY, trusted)), 'certificate_wrong_role');
  // The organisation must be the issuing agency.
  const otherOrg = foreignCert(gov, [{ type: O, value: 'Sở Tư pháp' }, { type: UID, value: 'MNS:1234567' }, { type: CN, value: 'Sở Tư pháp' }]);
  assert.is(code(checkHolderCertificate(otherOrg, 'agency', AGENCY, trusted)), 'certificate_wrong_agency');
  // Not trusted until the admin imports the foreign root.
  assert.is(code(checkHolderCertificate(org, 'agency', AGENCY, roots)), 'certificate_untrusted');
});

test('a foreign certificate whose profile says neither needs the admin\'s mapping, which never overrides a declared role', () => {
  const gov = foreignCa();
  const vague = foreignCert(gov, [{ type: C, value: 'VN' }, { type: CN, value: AGENCY }], { eku: ['emailProtection', 'clientAuth'] });
  const person = foreignCert(gov, [{ type: T, value: 'Phó Chủ tịch' }, { type: CN, value: 'Phạm Thị Dung' }]);
  const trusted = [gov.chain[0]!];
  assert.is(roleOf(new X509Certificate(vague)), 'unknown');
  const r = checkHolderCertificate(vague, 'agency', AGENCY, trusted);
  assert.is(code(r), 'certificate_role_unknown');
  assert.ok(!r.ok && /--as/.test(r.error.en));
  assert.is(code(checkHolderCertificate(vague, 'agency', AGENCY, trusted, { mappedRole: 'agency' })), 'ok:agency:mapping');
  assert.is(code(checkHolderCertificate(person, 'agency', AGENCY, trusted, { mappedRole: 'agency' })), 'certificate_wrong_role');
  // A server certificate stays unfit whatever the mapping.
  const server = foreignCert(gov, [{ type: CN, value: AGENCY }], { eku: ['serverAuth'] });
  assert.is(code(checkHolderCertificate(server, 'agency', AGENCY, trusted, { mappedRole: 'agency' })), 'certificate_not_for_signing');
});

test('certificates issued with a publication URL carry CRL distribution points and AIA that openssl reads', () => {
  const published = issueSigning(ward, 'agency', { commonName: AGENCY }, 365, { baseUrls: ['http://warddesk.local:8080/pki', 'http://city.example/pki/'], ca: 'phuong-mau' });
  const t = text(published.chain[0]!);
  assert.match(t, /X509v3 CRL Distribution Points:[\s\S]*URI:http:\/\/warddesk\.local:8080\/pki\/phuong-mau\.crl[\s\S]*URI:http:\/\/city\.example\/pki\/phuong-mau\.crl/);
  assert.match(t, /Authority Information Access:[\s\S]*CA Issuers - URI:http:\/\/warddesk\.local:8080\/pki\/phuong-mau\.cer/);
  const f = join(dir, 'cdp.pem');
  writeFileSync(f, published.chain[0]!);
  assert.is(spawnSync('openssl', ['x509', '-noout', '-ext', 'crlDistributionPoints', '-in', f], { encoding: 'utf8' }).status, 0);
});

test.run();
