// Installing a signing key for a holder (an official, or the agency seal the
// clerks use), from any path: enrolment by the ward CA, `warddesk ca
// import-p12`, the admin's HTTP import, and (later) a PKCS#11 token's
// certificate. Every path runs the same check (certs/cert-profile.ts) against
// the roots this ward trusts, before anything is written: a TLS server
// certificate or a leader's certificate as the seal, a seal as a leader, a
// seal naming another agency, an expired certificate or one from an untrusted
// CA is refused with a vi+en error and the keystore is left as it was.
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import type { Publication } from '../certs/ca-issue.js';
import { readExtensions } from '../certs/cert-extensions.js';
import type { Pkcs12Contents } from '../certs/ca.js';
import { checkHolderCertificate, namesAgency, type HolderCheck } from '../certs/cert-profile.js';
import type { Keystore } from '../certs/keystore.js';
import { RoleMappings } from '../certs/role-mappings.js';
import type { SignerRole } from '../certs/roles.js';
import { TrustedRoots } from '../certs/trusted-roots.js';
import type { Config } from './config.js';

/** Keystore holders with a fixed name (signing.ts re-exports them): the ward CA's key and the agency seal. */
import { SEAL, WARD_CA } from './key-holders.js';
export { SEAL, WARD_CA };

/** The role a holder's key must have: the seal's is the agency's, every user's is an official's. */
export const holderRole = (holder: string): SignerRole => (holder === SEAL ? 'agency' : 'leader');

/** The city root (top of the installed ward CA's chain) and every root the admin imported. */
export function trustedRootPems(keys: Keystore): string[] {
  const city = keys.has(WARD_CA) ? [keys.chain(WARD_CA).at(-1)!] : [];
  return [...city, ...new TrustedRoots(keys.dir).pems()];
}

export interface InstallInput {
  holder: string;
  contents: Pkcs12Contents;
  agencyName: string;
  pin: string;
  /** The admin's mapping for a certificate whose profile names no role (recorded in the audit log by the caller). */
  mappedRole?: SignerRole;
}

/** Checks the certificate fits the holder, then stores the key under `pin`. Throws the check's WardError, storing nothing. */
export function installHolderKey(keys: Keystore, input: InstallInput): Extract<HolderCheck, { ok: true }> {
  const check = checkHolderCertificate(input.contents.chain[0]!, holderRole(input.holder), input.agencyName, trustedRootPems(keys), {
    intermediates: input.contents.chain.slice(1), ...(input.mappedRole ? { mappedRole: input.mappedRole } : {}),
  });
  if (!check.ok) throw check.error;
  keys.save(input.holder, { privateKey: input.contents.privateKey, chain: check.chain.map((c) => c.toString()) }, input.pin);
  if (check.roleFrom === 'mapping') new RoleMappings(keys.dir).set(check.chain[0]!, check.role);
  return check;
}

/** True when the installed seal certificate no longer names the agency (the ward was renamed): it must be re-issued. */
export function sealIsStale(keys: Keystore, agencyName: string): boolean {
  if (!keys.has(SEAL)) return false;
  return !namesAgency(new X509Certificate(keys.chain(SEAL)[0]!), agencyName);
}

/**
 * Where certificates this ward CA issues say its list and certificate are: the ward node's own
 * plain-HTTP /pki (config `pki.url`, else this host's name on the plain-HTTP port) and the
 * city's (config `pki.cityUrl`, else the base of the ward CA certificate's own CRL distribution
 * point, which the city wrote when it issued the bundle). Both serve `<ward code>.crl` and `.cer`.
 */
export function publicationFor(c: Config, keys: Keystore): Publication {
  const own = c.pki.url ?? `http://${hostname()}:${c.tls.pfxFile ? c.tls.setupPort : c.port}/pki`;
  const cityCdp = keys.has(WARD_CA) ? readExtensions(Buffer.from(new X509Certificate(keys.chain(WARD_CA)[0]!).raw)).crlUrls[0] : undefined;
  const city = c.pki.cityUrl ?? cityCdp?.replace(/\/[^/]*$/, '');
  return { baseUrls: [own, ...(city ? [city] : [])], ca: c.ward.code };
}
