// How a certificate says what it signs for. WardDesk's ward CA writes the
// role into the subject's organizational unit (and issues each role with its
// own key usage, extended key usage and subject: cert-profile.ts); the
// verifier reads it back to tell the leader's signature from the agency's
// seal. (A certificate policy OID would be the formal way, but needs a
// registered arc the city does not have.) A certificate from another CA with
// no WardDesk OU gets its role from its profile: personal → leader,
// organisation → agency (cert-subject.ts says how the two are told apart).
import type { X509Certificate } from 'node:crypto';
import { profileKind, readSubject } from './cert-subject.js';

export const ROLE_OU = { leader: 'WardDesk Leader', agency: 'WardDesk Agency Seal' } as const;

export type SignerRole = 'leader' | 'agency';

/** The role the certificate itself declares (WardDesk OU), else the one its subject's profile implies. */
export function roleOf(cert: X509Certificate): SignerRole | 'unknown' {
  const attrs = readSubject(cert);
  const ous = attrs.filter((a) => a.short === 'OU').map((a) => a.value);
  if (ous.includes(ROLE_OU.leader)) return 'leader';
  if (ous.includes(ROLE_OU.agency)) return 'agency';
  const kind = profileKind(attrs);
  return kind === 'personal' ? 'leader' : kind === 'organisation' ? 'agency' : 'unknown';
}
