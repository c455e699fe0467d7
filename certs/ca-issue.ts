// The PKI's issuing steps, each returning a key with its chain (leaf first)
// ready for a PKCS#12 (toPkcs12) or the keystore (Keystore.save). Inputs are
// checked before any key is made, so a bad host name or ward code costs
// nothing and writes nothing. Keys: Node's native RSA (3072 for the root,
// 2048 below it). Certificates: certs/ca.ts (node-forge).
import { isIP } from 'node:net';
import { wardError, type FieldProblem } from '../sync/errors.js';
import { generateKey, issueCertificate, type IssueInput, type Pkcs12Contents } from './ca.js';
import { signingSubject } from './cert-profile.js';

/** Where a CA's list and certificate are published (ca.ts `pki`): base URLs ending in /pki, and the CA's file name there. */
export interface Publication { baseUrls: readonly string[]; ca: string }
/** The CRL distribution points and caIssuers URLs for certificates issued by the CA published at `p`. */
export function publicationOf(p: Publication | undefined): IssueInput['pki'] | undefined {
  if (!p || p.baseUrls.length === 0) return undefined;
  const base = p.baseUrls.map((u) => u.replace(/\/+$/, ''));
  return { crl: base.map((b) => `${b}/${p.ca}.crl`), caIssuers: base.map((b) => `${b}/${p.ca}.cer`) };
}

const YEAR = 365;
const WARD_CODE = /^[a-z0-9-]{2,40}$/;
const HOST = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function refuse(path: string, vi: string, en: string): never {
  throw wardError('invalid_input', [{ path, vi, en } satisfies FieldProblem]);
}
function named(name: string, path: string): string {
  const n = name.trim();
  if (n.length < 2 || n.length > 128) refuse(path, 'Tên phải có từ 2 đến 128 ký tự.', 'The name must be 2 to 128 characters.');
  return n;
}

/** The city root CA: self-signed, 20 years, key 3072 bits. */
export function createRootCa(name = 'WardDesk City Root CA', days = 20 * YEAR): Pkcs12Contents {
  const key = generateKey(3072);
  const pem = issueCertificate({ kind: 'root', subject: { commonName: named(name, 'name') }, publicKey: key.publicKey, issuer: { self: key.privateKey }, days });
  return { privateKey: key.privateKey, chain: [pem] };
}

/** A ward's intermediate CA (path length 0: it issues only end certificates), chain [ward CA, root]. */
export function issueWardCa(root: Pkcs12Contents, ward: { code: string; name: string }, days = 5 * YEAR, published?: Publication): Pkcs12Contents {
  if (!WARD_CODE.test(ward.code)) refuse('ward', 'Mã phường: chữ thường không dấu, số và gạch nối (2–40 ký tự).', 'Ward code: lower-case letters, digits and hyphens (2–40).');
  const key = generateKey(2048);
  const pem = issueCertificate({ kind: 'ward-ca', subject: { commonName: `${named(ward.name, 'name')} CA`, organization: ward.code }, publicKey: key.publicKey, issuer: { certPem: root.chain[0]!, privateKey: root.privateKey }, days, pki: publicationOf(published) });
  return { privateKey: key.privateKey, chain: [pem, root.chain[0]!] };
}

/** The ward node's HTTPS certificate: SANs for every host name and IP address given (at least one). */
export function issueTls(ca: Pkcs12Contents, names: { hosts: string[]; ips: string[] }, days = 2 * YEAR, published?: Publication): Pkcs12Contents {
  if (names.hosts.length + names.ips.length === 0) refuse('host', 'Cần ít nhất một tên máy (--host) hoặc địa chỉ IP (--ip).', 'Give at least one host name (--host) or IP address (--ip).');
  for (const h of names.hosts) if (!HOST.test(h)) refuse('host', `Tên máy không hợp lệ: ${h}`, `Not a valid host name: ${h}`);
  for (const ip of names.ips) if (isIP(ip) === 0) refuse('ip', `Địa chỉ IP không hợp lệ: ${ip}`, `Not a valid IP address: ${ip}`);
  const key = generateKey(2048);
  const commonName = names.hosts[0] ?? names.ips[0]!;
  const pem = issueCertificate({ kind: 'tls', subject: { commonName }, publicKey: key.publicKey, issuer: { certPem: ca.chain[0]!, privateKey: ca.privateKey }, days, hosts: names.hosts, ips: names.ips, pki: publicationOf(published) });
  return { privateKey: key.privateKey, chain: [pem, ...ca.chain] };
}

/**
 * An official's signing key ('leader') or the agency's seal ('agency'), each
 * with its own profile (cert-profile.ts): key usage, extended key usage and
 * subject differ; a seal's subject is always CN = O = the agency's name. The
 * role is also the subject OU (certs/roles.ts), which verifiers read back.
 */
export function issueSigning(ca: Pkcs12Contents, kind: 'leader' | 'agency', subject: { commonName: string; organization?: string }, days = 3 * YEAR, published?: Publication): Pkcs12Contents {
  const name = named(subject.commonName, 'name');
  // A seal with no organisation given names the agency in its common name: that is the agency.
  const agency = subject.organization ? named(subject.organization, 'organization') : kind === 'agency' ? name : undefined;
  const key = generateKey(2048);
  const fullSubject = agency ? signingSubject(kind, name, agency) : { commonName: name };
  const pem = issueCertificate({ kind, subject: fullSubject, publicKey: key.publicKey, issuer: { certPem: ca.chain[0]!, privateKey: ca.privateKey }, days, pki: publicationOf(published) });
  return { privateKey: key.privateKey, chain: [pem, ...ca.chain] };
}
