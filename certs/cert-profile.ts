// Certificate profiles: what an official's (leader's) certificate and the
// agency seal's certificate look like, and the one check every key install,
// import or token registration goes through (checkHolderCertificate).
//
// The ward CA issues exactly these (ca.ts reads SIGNING_PROFILES):
//  - leader: keyUsage digitalSignature + nonRepudiation + keyEncipherment
//    (a person's certificate also protects mail to them), extKeyUsage
//    emailProtection + clientAuth + documentSigning; subject CN = the
//    person, O = the agency, OU = "WardDesk Leader".
//  - agency seal: keyUsage digitalSignature + nonRepudiation only, extKeyUsage
//    emailProtection + documentSigning (no clientAuth: a seal never logs in);
//    subject CN = O = the agency's name ("UBND phường …"), OU = "WardDesk
//    Agency Seal".
// emailProtection stays on both: NSS (pdfsig, Firefox, Thunderbird) checks a
// PDF signer as an e-mail signer and refuses a certificate whose EKU lacks it.
// documentSigning is RFC 9336's id-kp-documentSigning.
import { X509Certificate } from 'node:crypto';
import { wardError, type ErrorCode, type WardError } from '../sync/errors.js';
import { readExtensions, type KeyUsage } from './cert-extensions.js';
import { readSubject, sameName, subjectValues } from './cert-subject.js';
import { buildChain } from './chain-verify.js';
import { roleOf, type SignerRole } from './roles.js';

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  documentSigning: '1.3.6.1.5.5.7.3.36',
  any: '2.5.29.37.0',
  /** Adobe Authentic Documents Trust and Microsoft document signing: other CAs' document-signing EKUs. */
  adobeAuthenticDocuments: '1.2.840.113583.1.1.5',
  msDocumentSigning: '1.3.6.1.4.1.311.10.3.12',
} as const;

export interface SigningProfile { keyUsage: readonly KeyUsage[]; extKeyUsage: readonly string[] }

export const SIGNING_PROFILES: Record<SignerRole, SigningProfile> = {
  leader: { keyUsage: ['digitalSignature', 'nonRepudiation', 'keyEncipherment'], extKeyUsage: [EKU.emailProtection, EKU.clientAuth, EKU.documentSigning] },
  agency: { keyUsage: ['digitalSignature', 'nonRepudiation'], extKeyUsage: [EKU.emailProtection, EKU.documentSigning] },
};

/** EKUs that let a certificate sign documents; a certificate with an EKU extension listing none of them cannot. */
const SIGNING_EKUS = new Set<string>([EKU.emailProtection, EKU.documentSigning, EKU.any, EKU.adobeAuthenticDocuments, EKU.msDocumentSigning]);

/** The subject the ward CA writes for a holder: a seal's always names the agency, whatever name was asked for. */
export function signingSubject(role: SignerRole, name: string, agencyName: string): { commonName: string; organization: string } {
  return role === 'agency' ? { commonName: agencyName, organization: agencyName } : { commonName: name, organization: agencyName };
}

/** The agency a certificate names: CN and O values (a seal must name the issuing agency in one of them). */
export function namesAgency(cert: X509Certificate, agencyName: string): boolean {
  const attrs = readSubject(cert);
  return [...subjectValues(attrs, 'CN'), ...subjectValues(attrs, 'O')].some((v) => sameName(v, agencyName));
}

export type HolderProblem = 'certificate_not_for_signing' | 'certificate_expired' | 'certificate_untrusted' | 'certificate_wrong_role' | 'certificate_role_unknown' | 'certificate_wrong_agency';

export type HolderCheck =
  | { ok: true; role: SignerRole; roleFrom: 'certificate' | 'mapping'; chain: X509Certificate[] }
  | { ok: false; code: HolderProblem; error: WardError };

export interface HolderCheckOptions {
  /** Intermediates to build the chain with (a token or a PKCS#12 often carries the leaf alone). */
  intermediates?: readonly (string | X509Certificate)[];
  /**
   * The admin's explicit mapping at import, for a certificate whose profile says no role.
   * It never overrides a role the certificate declares or implies: a personal certificate is never a seal.
   */
  mappedRole?: SignerRole;
  now?: Date;
}

const asCert = (c: string | X509Certificate) => (typeof c === 'string' ? new X509Certificate(c) : c);
const splitPems = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const many = (list: readonly (string | X509Certificate)[]) => list.flatMap((c) => (typeof c === 'string' ? splitPems(c).map((p) => new X509Certificate(p)) : [c]));

/**
 * Does `cert` fit the holder `holderRole` of the agency `agencyName`? Pure: no I/O, the
 * caller passes the roots the ward trusts (the city root plus imported ones). Checked in
 * this order, so the answer names the first thing to fix: a signing certificate at all
 * (not a CA, a signing key usage, a signing EKU when it has one), valid now, chaining
 * to a trusted root, of the holder's role, and, for the seal, naming the agency.
 */
export function checkHolderCertificate(cert: string | X509Certificate, holderRole: SignerRole, agencyName: string, trustedRoots: readonly (string | X509Certificate)[], o: HolderCheckOptions = {}): HolderCheck {
  const fail = (code: HolderProblem, detail?: string): HolderCheck => ({ ok: false, code, error: wardError(code as ErrorCode, detail ? [{ path: 'certificate', vi: detail, en: detail }] : undefined) });
  const leaf = asCert(cert);
  const now = o.now ?? new Date();
  const ext = readExtensions(Buffer.from(leaf.raw));
  const eku = leaf.keyUsage ?? [];
  if (leaf.ca || (ext.keyUsage && !ext.keyUsage.has('digitalSignature') && !ext.keyUsage.has('nonRepudiation'))
    || (eku.length > 0 && !eku.some((u) => SIGNING_EKUS.has(u)))) return fail('certificate_not_for_signing', leaf.subject.replace(/\n/g, ', '));
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) return fail('certificate_expired', `${leaf.validFrom} – ${leaf.validTo}`);
  const roots = many(trustedRoots);
  const chain = buildChain(leaf, many(o.intermediates ?? []), roots);
  if (!chain || chain.some((c) => now < new Date(c.validFrom) || now > new Date(c.validTo))) return fail('certificate_untrusted');
  const declared = roleOf(leaf);
  let role: SignerRole;
  let roleFrom: 'certificate' | 'mapping' = 'certificate';
  if (declared !== 'unknown') {
    if (o.mappedRole && o.mappedRole !== declared) return fail('certificate_wrong_role', `${declared} ≠ ${o.mappedRole}`);
    role = declared;
  } else if (o.mappedRole) {
    role = o.mappedRole;
    roleFrom = 'mapping';
  } else {
    return fail('certificate_role_unknown');
  }
  if (role !== holderRole) return fail('certificate_wrong_role', `${role} ≠ ${holderRole}`);
  if (holderRole === 'agency' && !namesAgency(leaf, agencyName)) return fail('certificate_wrong_agency', `${leaf.subject.replace(/\n/g, ', ')} ≠ ${agencyName}`);
  return { ok: true, role, roleFrom, chain };
}
