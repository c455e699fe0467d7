// Whether a certificate may be a holder's signing certificate: it can sign
// (not a CA, in date, digital-signature usage), says the holder's role and
// chains through genuine signatures to a root the ward trusts. One small
// function over certs/cert-profile.ts's `checkHolderCertificate` (several
// roots, role from the certificate profile, the seal's organisation = the
// agency), answering in the token paths' error codes.
import type { ErrorCode } from '../sync/errors.js';
import { checkHolderCertificate } from './cert-profile.js';

export type HolderRole = 'leader' | 'agency';

const splitPems = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

export type CertificateCheck =
  | { ok: true; chain: string[] }
  | { ok: false; code: Extract<ErrorCode, 'certificate_untrusted' | 'certificate_unsuitable' | 'certificate_wrong_role' | 'certificate_wrong_agency'> };

/**
 * `certificates`: the leaf first, then any intermediates it came with (PEM). The chain
 * returned runs from the leaf to the trusted root. The profile rules (role from the
 * certificate's profile, the seal naming the agency) are certs/cert-profile.ts's.
 */
export function checkTokenCertificate(certificates: readonly string[], role: HolderRole, agencyName: string, trustedRoots: readonly string[], now = new Date()): CertificateCheck {
  const [leaf, ...intermediates] = certificates.flatMap(splitPems);
  if (!leaf) return { ok: false, code: 'certificate_unsuitable' };
  const check = checkHolderCertificate(leaf, role, agencyName, trustedRoots, { intermediates, now });
  if (check.ok) return { ok: true, chain: check.chain.map((c) => c.toString()) };
  switch (check.code) {
    case 'certificate_untrusted': return { ok: false, code: 'certificate_untrusted' };
    case 'certificate_wrong_agency': return { ok: false, code: 'certificate_wrong_agency' };
    case 'certificate_wrong_role': case 'certificate_role_unknown': return { ok: false, code: 'certificate_wrong_role' };
    default: return { ok: false, code: 'certificate_unsuitable' };
  }
}
