// A signing certificate's chain to a trusted root (each link's signature, CA
// basic constraints and path length, key usage), its validity at signing time,
// and revocation from CRLs. No CRL from an issuer, or only an out-of-date one,
// makes revocation 'unknown', never 'valid'.
import type { X509Certificate } from 'node:crypto';
import { extensionsOf, issuedBy, namesOf, pemOf } from './cert-cache.js';
import type { ParsedCrl } from './crl.js';
import type { Reason, Validity } from './verdict.js';
import { reason } from './verify-reasons.js';

export const worst = (...v: Validity[]): Validity => (v.includes('invalid') ? 'invalid' : v.includes('unknown') ? 'unknown' : 'valid');
const cn = (c: X509Certificate) => c.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? c.subject.replace(/\n/g, ', ');

/** leaf → … → a trusted root, each link's signature checked; null when no path exists. */
export function buildChain(leaf: X509Certificate, pool: X509Certificate[], roots: X509Certificate[]): X509Certificate[] | null {
  const chain = [leaf];
  for (let cur = leaf; chain.length < 8;) {
    const root = roots.find((r) => issuedBy(cur, r));
    if (root) return cur.fingerprint256 === root.fingerprint256 ? chain : [...chain, root];
    const next = pool.find((p) => p !== cur && !chain.includes(p) && issuedBy(cur, p));
    if (!next) return null;
    chain.push(next);
    cur = next;
  }
  return null;
}

/** CA flags, path lengths, key usage and validity at `at` (the claimed signing time) of every link. */
export function checkChain(chain: X509Certificate[], at: Date | null, reasons: Reason[]): Validity {
  let ok: Validity = 'valid';
  const fail = (r: Reason) => { reasons.push(r); ok = 'invalid'; };
  for (const [i, cert] of chain.entries()) {
    const ext = extensionsOf(cert);
    if (i === 0) {
      if (ext.keyUsage && !ext.keyUsage.has('digitalSignature') && !ext.keyUsage.has('nonRepudiation')) fail(reason('wrong_key_usage', cn(cert)));
    } else {
      if (!cert.ca) fail(reason('not_a_ca', cn(cert)));
      if (ext.keyUsage && !ext.keyUsage.has('keyCertSign')) fail(reason('wrong_key_usage', cn(cert)));
      // Intermediate CAs below this one (the leaf does not count).
      if (ext.pathLen !== null && i - 1 > ext.pathLen) fail(reason('path_too_long', cn(cert)));
    }
    if (at && (at < new Date(cert.validFrom) || at > new Date(cert.validTo))) fail(reason('expired_at_signing', cn(cert)));
  }
  return ok;
}

/**
 * Every certificate below the root needs a current CRL, signed by its issuer, that does not list it.
 * The signing time the signer claims proves nothing, so a revoked certificate counts as revoked
 * whatever date its revocation carries, unless `provenAt` (a timestamp's time) is before that date.
 */
export function checkRevocation(chain: X509Certificate[], crls: ParsedCrl[], now: Date, reasons: Reason[], provenAt: Date | null = null): Validity {
  let result: Validity = 'valid';
  for (let i = 0; i < chain.length - 1; i += 1) {
    const cert = chain[i]!;
    const issuer = chain[i + 1]!;
    const names = namesOf(cert);
    const usage = extensionsOf(issuer).keyUsage;
    const issuerPem = pemOf(issuer);
    // The newest genuine list of this issuer: an older one must not hide a later revocation.
    const newest = usage && !usage.has('cRLSign') ? undefined
      : crls.filter((c) => c.issuerDer.equals(names.issuerDer) && c.signedBy(issuerPem))
        .sort((x, y) => y.crlNumber - x.crlNumber || y.thisUpdate.getTime() - x.thisUpdate.getTime())[0];
    const crl = newest && (!newest.nextUpdate || newest.nextUpdate >= (newest.currentAt ?? now)) ? newest : undefined;
    if (!crl) { result = worst(result, 'unknown'); reasons.push(reason('revocation_unknown', cn(cert))); continue; }
    const revokedAt = crl.revoked.get(names.serialHex);
    if (revokedAt && !(provenAt && provenAt < revokedAt)) { result = 'invalid'; reasons.push(reason('revoked', `${cn(cert)}, ${names.serialHex} @ ${revokedAt.toISOString()}`)); }
  }
  return result;
}
