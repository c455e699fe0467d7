// The ward PKI, as the signer, the verifier, the node and the CLI use it.
// Stable API (add to it; do not change these signatures):
//
// Keys at rest — certs/keystore.ts
//   new Keystore(dir, { maxFailures?: 5, lockMinutes?: 15, now? })   dir = <dataDir>/keys (never replicated)
//   keystore.unlock(holder, pin): Promise<{ privateKey: KeyObject; chain: string[] /* PEM, leaf first */ }>
//       throws WardError 'wrong_pin' (401), 'key_locked' (429: five wrong PINs, 15 min, counted on disk,
//       one attempt at a time per holder), 'certificate_missing' (409)
//   keystore.save(holder, { privateKey, chain }, pin)   PKCS#12, PBES2 (PBKDF2 + AES-256-CBC, ~8 ms to open); 'weak_pin' unless 6–32 chars
//   keystore.changePin(holder, oldPin, newPin) · has(holder) · holders() · chain(holder)
//   Holders: 'ward-ca', 'seal', 'user.<username>' (node/signing.ts: holderOf).
//
// Issuing — certs/ca-issue.ts (all return { privateKey, chain } leaf first; bad input → 'invalid_input')
//   createRootCa(name?) · issueWardCa(root, { code, name }) · issueTls(ca, { hosts, ips })
//   issueSigning(ca, 'leader' | 'agency', { commonName, organization? })
//   Lower level (certs/ca.ts): generateKey, issueCertificate, toPkcs12, fromPkcs12, unlockKeyNative.
//   Role of a signing certificate: subject OU 'WardDesk Leader' | 'WardDesk Agency Seal', else the
//   personal/organisation profile of its subject → roleOf(cert) (roles.ts, cert-subject.ts).
//
// Holder check — certs/cert-profile.ts (every key install, import, PKCS#11 token registration)
//   checkHolderCertificate(cert, 'leader' | 'agency', agencyName, trustedRoots, { intermediates?, mappedRole?, now? }):
//     { ok: true, role, roleFrom: 'certificate' | 'mapping', chain } | { ok: false, code, error: WardError }
//   SIGNING_PROFILES (key usage, EKU per role) · signingSubject · namesAgency
// Trusted roots — certs/trusted-roots.ts: new TrustedRoots(keysDir).add(pem) | remove(sha256) | list() | pems()
//
// Import — certs/p12-import.ts
//   importPkcs12({ p12, password, trustedRoots, extraCerts?, now? }):
//     { ok: true, contents } | { ok: false, reason: 'wrong_pin' | 'certificate_untrusted' | 'certificate_unsuitable' }
//
// Revocation — certs/revocation.ts, certs/crl.ts
//   new RevocationRegister(dir, 'ward-ca' | 'city-root')  → <dir>/<name>.crl (DER) + <name>.revoked.json
//   register.revoke(ca, serialHex, reason?) / register.publish(ca) → new CRL (next number, current CRL_DAYS)
//   loadCrls({ dir?, docs? }): Buffer[]   every parseable list from *.crl files and replicated crl:* docs
//   readCrl(der|pem): ParsedCrl · createCrl(...) · normalizeSerial(hex)
//   Replicated as crl:<issuer>:<000n> (sync/city-contract.ts), written once per CRL number.
export { generateKey, issueCertificate, toPkcs12, fromPkcs12, unlockKeyNative, WrongPin, type CertKind, type Pkcs12Contents } from './ca.js';
export { createRootCa, issueWardCa, issueTls, issueSigning } from './ca-issue.js';
export { Keystore, checkPin, type KeystoreOptions } from './keystore.js';
export { importPkcs12, type ImportInput, type ImportVerdict } from './p12-import.js';
export { RevocationRegister, loadCrls, normalizeSerial, CRL_DAYS, type RevokedEntry } from './revocation.js';
export { createCrl, readCrl, crlToPem, REVOCATION_REASONS, type RevocationReason, type ParsedCrl } from './crl.js';
export { roleOf, ROLE_OU, type SignerRole } from './roles.js';
export { checkHolderCertificate, namesAgency, signingSubject, SIGNING_PROFILES, EKU, type HolderCheck, type HolderProblem } from './cert-profile.js';
export { TrustedRoots, type TrustedRoot } from './trusted-roots.js';
