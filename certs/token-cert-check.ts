// Whether a certificate may be a holder's signing certificate: it can sign
// (not a CA, in date, digital-signature usage), says the holder's role and
// chains through genuine signatures to a root the ward trusts. One small
// function so that the role work of issue 17 item 3 (certs/cert-profile.ts,
// `checkHolderCertificate`: several roots, role from the certificate profile,
// the seal's organisation = the agency) can replace its body when it merges.
import { X509Certificate } from 'node:crypto';
import type { ErrorCode } from '../sync/errors.js';
import { readExtensions } from './cert-extensions.js';
import { buildChain } from './chain-verify.js';
import { roleOf } from './roles.js';

export type HolderRole = 'leader' | 'agency';

export type CertificateCheck =
  | { ok: true; chain: string[] }
  | { ok: false; code: Extract<ErrorCode, 'certificate_untrusted' | 'certificate_unsuitable' | 'certificate_wrong_role'> };

const splitPems = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/**
 * `certificates`: the leaf first, then any intermediates it came with (PEM). `agencyName` is
 * kept for the item-3 check (the seal's organisation must be the agency) and not enforced here.
 * The chain returned runs from the leaf to the trusted root.
 */
export function checkTokenCertificate(certificates: readonly string[], role: HolderRole, _agencyName: string, trustedRoots: readonly string[], now = new Date()): CertificateCheck {
  const all = certificates.flatMap(splitPems).map((p) => new X509Certificate(p));
  const leaf = all[0];
  if (!leaf) return { ok: false, code: 'certificate_unsuitable' };
  const usage = readExtensions(Buffer.from(leaf.raw)).keyUsage;
  const inDate = new Date(leaf.validFrom) <= now && now <= new Date(leaf.validTo);
  if (leaf.ca || !inDate || (usage !== null && !usage.has('digitalSignature') && !usage.has('nonRepudiation'))) return { ok: false, code: 'certificate_unsuitable' };
  const roots = trustedRoots.flatMap(splitPems).map((p) => new X509Certificate(p));
  const chain = buildChain(leaf, all.slice(1), roots);
  if (!chain) return { ok: false, code: 'certificate_untrusted' };
  if (roleOf(leaf) !== role) return { ok: false, code: 'certificate_wrong_role' };
  return { ok: true, chain: chain.map((c) => c.toString()) };
}
