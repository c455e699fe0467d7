// How a certificate says what it signs for. WardDesk's ward CA writes the
// role into the subject's organizational unit; the verifier reads it back to
// tell the leader's signature from the agency's seal. (A certificate policy
// OID would be the formal way, but needs a registered arc the city does not
// have; OU is what Vietnamese government CAs also vary per holder type.)
import type { X509Certificate } from 'node:crypto';

export const ROLE_OU = { leader: 'WardDesk Leader', agency: 'WardDesk Agency Seal' } as const;

export function roleOf(cert: X509Certificate): 'leader' | 'agency' | 'unknown' {
  const ous = cert.subject.split('\n').filter((l) => l.startsWith('OU=')).map((l) => l.slice(3));
  if (ous.includes(ROLE_OU.leader)) return 'leader';
  if (ous.includes(ROLE_OU.agency)) return 'agency';
  return 'unknown';
}
