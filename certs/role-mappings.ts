// The admin's role mappings: for a certificate from another CA whose profile
// names no role (issue 14: for example one of the Government's specialised
// CA's), the role the admin gave it at import. Kept beside the keys, in
// `<keys>/role-mappings.json` (certificate SHA-256 fingerprint → role), so
// the node signs with it and its verdicts say "leader (mapped by the admin)"
// rather than "unknown". A mapping only ever fills a role the certificate
// leaves open: one that declares a role keeps it (cert-profile.ts refuses a
// mapping against it). Who mapped what is the caller's audit entry.
import type { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './atomic-file.js';
import { roleOf, type SignerRole } from './roles.js';

export type RoleSource = 'certificate' | 'mapping';

export class RoleMappings {
  private readonly file: string;
  constructor(keysDir: string) { this.file = join(keysDir, 'role-mappings.json'); }

  all(): Map<string, SignerRole> {
    if (!existsSync(this.file)) return new Map();
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      return new Map(Object.entries(raw).flatMap(([fp, role]) => (role === 'leader' || role === 'agency' ? [[fp, role] as const] : [])));
    } catch { return new Map(); }
  }

  set(cert: X509Certificate, role: SignerRole): void {
    const all = this.all();
    all.set(cert.fingerprint256, role);
    writeAtomic(this.file, Buffer.from(JSON.stringify(Object.fromEntries(all), null, 2)));
  }
}

/** The certificate's own role, else the admin's mapping for it, else 'unknown'. */
export function effectiveRole(cert: X509Certificate, mappings: ReadonlyMap<string, SignerRole> | undefined): { role: SignerRole | 'unknown'; from: RoleSource } {
  const declared = roleOf(cert);
  if (declared !== 'unknown') return { role: declared, from: 'certificate' };
  const mapped = mappings?.get(cert.fingerprint256);
  return mapped ? { role: mapped, from: 'mapping' } : { role: 'unknown', from: 'certificate' };
}
