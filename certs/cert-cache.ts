// Verifying a PDF parses the same few certificates (the city root, the ward
// CAs, the TSA) and checks the same issuer links in every file: parsing a
// certificate, reading its extensions and checking an RSA signature cost more
// than the rest of a verification. They are kept here by content, so a cache
// hit can only ever return what parsing those very bytes would. Only what
// repeats across files is kept; nothing about one file's signatures is.
// Bounded: past the limit each map starts again.
import { X509Certificate } from 'node:crypto';
import { readExtensions, type CertExtensions } from './cert-extensions.js';
import { certNames } from './crl.js';

const LIMIT = 2000;
const byContent = new Map<string, unknown>();

/** `make()` once per content key (a DER buffer or a string such as a PEM). */
export function byContentKey<T>(key: Buffer | string, make: () => T): T {
  const k = typeof key === 'string' ? key : `der:${key.toString('base64')}`;
  if (byContent.has(k)) return byContent.get(k) as T;
  if (byContent.size >= LIMIT) byContent.clear();
  const v = make();
  byContent.set(k, v);
  return v;
}

/** A certificate from DER or PEM, one object per content, so the per-object caches below hit. */
export function certificate(raw: Buffer | string): X509Certificate {
  return byContentKey(raw, () => new X509Certificate(raw));
}

const extensions = new WeakMap<X509Certificate, CertExtensions>();
export function extensionsOf(cert: X509Certificate): CertExtensions {
  let e = extensions.get(cert);
  if (!e) extensions.set(cert, e = readExtensions(Buffer.from(cert.raw)));
  return e;
}

export type CertNames = ReturnType<typeof certNames>;
const names = new WeakMap<X509Certificate, CertNames>();
export function namesOf(cert: X509Certificate): CertNames {
  let n = names.get(cert);
  if (!n) names.set(cert, n = certNames(Buffer.from(cert.raw)));
  return n;
}

const pems = new WeakMap<X509Certificate, string>();
export function pemOf(cert: X509Certificate): string {
  let p = pems.get(cert);
  if (!p) pems.set(cert, p = cert.toString());
  return p;
}

const links = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();
/** `issuer` issued `cert`: names match and `cert`'s signature checks with `issuer`'s key. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  let known = links.get(cert);
  if (!known) links.set(cert, known = new WeakMap());
  let ok = known.get(issuer);
  if (ok === undefined) {
    try { ok = cert.checkIssued(issuer) && cert.verify(issuer.publicKey); } catch { ok = false; }
    known.set(issuer, ok);
  }
  return ok;
}

/** The certificate in `certs` that CMS names as its signer (issuer and serial). */
export function signerOf(certs: X509Certificate[], serialHex: string, issuerDer: Buffer): X509Certificate | undefined {
  return certs.find((x) => { const n = namesOf(x); return n.serialHex === serialHex && n.issuerDer.equals(issuerDer); });
}
