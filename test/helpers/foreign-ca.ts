// Another CA than WardDesk's, built in code: a root and end certificates with
// the subject attributes a Vietnamese government or commercial CA writes
// (title, UID "CCCD:…" or "MST:…"), and no WardDesk role OU.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { createRootCa } from '../../certs/ca-issue.js';
import { generateKey, type Pkcs12Contents } from '../../certs/ca.js';

export const OID = { CN: '2.5.4.3', O: '2.5.4.10', T: '2.5.4.12', UID: '0.9.2342.19200300.100.1.1', C: '2.5.4.6' } as const;

export function foreignRoot(name = 'Cục Chứng thực số Thử (foreign) Root'): Pkcs12Contents { return createRootCa(name); }

/** An end certificate from `ca` with `subject` (OIDs), key usage digitalSignature + nonRepudiation and the given EKUs (forge names). */
export function foreignCert(ca: Pkcs12Contents, subject: { type: string; value: string }[], o: { eku?: string[]; days?: number; from?: Date } = {}): Pkcs12Contents {
  const key = generateKey(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `4${randomBytes(15).toString('hex')}`;
  const from = o.from ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + (o.days ?? 365) * 86_400_000);
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  cert.setSubject(subject.map((a) => ({ type: a.type, value: a.value, valueTagClass: utf8 })));
  // forge reads UTF8String names back as raw bytes but would encode them again: decode first (as certs/ca.ts does).
  cert.setIssuer(forge.pki.certificateFromPem(ca.chain[0]!).subject.attributes.map((a) => (a.valueTagClass === utf8 ? { ...a, value: forge.util.decodeUtf8(String(a.value)) } : a)));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', ...Object.fromEntries((o.eku ?? ['emailProtection']).map((k) => [k, true])) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return { privateKey: key.privateKey, chain: [forge.pki.certificateToPem(cert), ca.chain[0]!] };
}
