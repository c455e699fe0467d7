// Installing the ward CA on the node: the city's bundle (`warddesk ca ward
// install` and the setup screen call the same functions) or, for a ward the
// city has not reached yet, a standalone root + ward CA made here. Every
// check runs before anything is written, so a wrong PIN, a file that is not a
// ward CA bundle, a bundle for another ward or a root that did not issue it
// leaves data/keys as it was.
import { X509Certificate } from 'node:crypto';
import { createRootCa, issueWardCa } from '../certs/ca-issue.js';
import { fromPkcs12, type Pkcs12Contents } from '../certs/ca.js';
import { checkPin, Keystore } from '../certs/keystore.js';
import { RevocationRegister } from '../certs/revocation.js';
import { writeAtomic } from '../certs/atomic-file.js';
import { wardError } from '../sync/errors.js';
import { join } from 'node:path';
import { WARD_CA } from './signing.js';

export interface CheckedBundle { contents: Pkcs12Contents; wardCode: string | null; rootPem: string }

/**
 * Opens and checks a ward CA bundle: the PKCS#12 opens with `pin`; its key's
 * certificate is a CA issued (and signed) by the chain's self-signed root; the
 * ward code the city wrote in it (subject O, certs/ca-issue.ts) is this
 * node's; when a root certificate is given apart (city-root.pem), it is the
 * chain's root.
 */
export function checkWardBundle(p12: Buffer, pin: string, expect: { wardCode: string; rootPem?: string | undefined }): CheckedBundle {
  let contents: Pkcs12Contents;
  try { contents = fromPkcs12(p12, pin); } catch { throw wardError('bundle_wrong_pin'); }
  const certs = contents.chain.map((p) => new X509Certificate(p));
  const [ca, root] = certs;
  if (!ca?.ca || !ca.checkPrivateKey(contents.privateKey) || !root || root === ca || !root.ca || !ca.checkIssued(root) || !ca.verify(root.publicKey)
    || root.subject !== root.issuer || !root.verify(root.publicKey)) throw wardError('bundle_not_ward_ca');
  const wardCode = /^O=(.+)$/m.exec(ca.subject)?.[1] ?? null;
  if (wardCode !== expect.wardCode) throw wardError('bundle_foreign_ward');
  if (expect.rootPem !== undefined) {
    let given: X509Certificate;
    try { given = new X509Certificate(expect.rootPem); } catch { throw wardError('bundle_root_mismatch'); }
    if (given.fingerprint256 !== root.fingerprint256) throw wardError('bundle_root_mismatch');
  }
  return { contents: { privateKey: contents.privateKey, chain: [ca.toString(), root.toString()] }, wardCode, rootPem: root.toString() };
}

/**
 * Writes a checked ward CA into the keystore under `pin`, with the root's CRL
 * when the city sent one, and publishes the ward CA's first CRL. A new CA
 * (another fingerprint) starts its revocation register over.
 */
export function installWardCa(keys: Keystore, contents: Pkcs12Contents, pin: string, rootCrl?: Buffer): void {
  checkPin(pin);
  const register = new RevocationRegister(keys.dir, WARD_CA);
  const previous = keys.has(WARD_CA) ? new X509Certificate(keys.chain(WARD_CA)[0]!) : null;
  keys.save(WARD_CA, contents, pin);
  if (previous && previous.fingerprint256 !== new X509Certificate(contents.chain[0]!).fingerprint256) register.startOver();
  if (rootCrl) writeAtomic(join(keys.dir, 'city-root.crl'), rootCrl, 0o644);
  register.publish(contents);
}

/**
 * A ward with no city PKI yet: a root made on this node and a ward CA under
 * it, both under the admin's PIN. Signatures verify inside the ward only (no
 * one else trusts this root); when the city issues a bundle, its IT staff
 * replace the CA (`warddesk ca ward install`). The root's key is kept in
 * data/keys/standalone/ (apart, so it is never listed as a signing key) for a
 * later re-issue of the ward CA; it is never shown.
 */
export function createStandaloneCa(keys: Keystore, ward: { code: string; agencyName: string }, pin: string): Pkcs12Contents {
  checkPin(pin);
  if (keys.has(WARD_CA)) throw wardError('ca_already_installed');
  const root = createRootCa(`${ward.agencyName} — CA tự lập (standalone)`);
  const ca = issueWardCa(root, { code: ward.code, name: ward.agencyName });
  new Keystore(join(keys.dir, 'standalone')).save('standalone-root', root, pin);
  installWardCa(keys, ca, pin);
  return ca;
}
