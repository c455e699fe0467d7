// A signature's integrity: the digest of its two byte ranges against the CMS
// messageDigest, the ESS signing-certificate hash against the certificate
// that signed, and the RSA/ECDSA signature over the signed attributes, with
// Node's native crypto (node-forge's JavaScript RSA is ~30× slower).
import { createHash, verify as nativeVerify, type X509Certificate } from 'node:crypto';
import type { CmsParts } from './cms-read.js';
import { CMS_OID } from './cms-sign.js';
import type { ByteRange } from './pdf-revisions.js';
import type { Reason, Validity } from './verdict.js';
import { reason } from './verify-reasons.js';

const DIGESTS: Record<string, string> = { [CMS_OID.sha256]: 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };

export function checkIntegrity(pdf: Buffer, [, b, c, d]: ByteRange, cms: CmsParts, signer: X509Certificate, reasons: Reason[]): Validity {
  const alg = DIGESTS[cms.digestOid];
  if (!alg) { reasons.push(reason('unsupported_algorithm', cms.digestOid)); return 'invalid'; }
  const digest = createHash(alg).update(pdf.subarray(0, b)).update(pdf.subarray(c, c + d)).digest();
  if (!cms.messageDigest || !digest.equals(cms.messageDigest)) { reasons.push(reason('digest_mismatch')); return 'invalid'; }
  if (cms.signingCertHash && !createHash('sha256').update(signer.raw).digest().equals(cms.signingCertHash)) { reasons.push(reason('cert_mismatch')); return 'invalid'; }
  let ok = false;
  try { ok = nativeVerify(alg, cms.signedAttrsDer, signer.publicKey, cms.signature); } catch { ok = false; }
  if (!ok) { reasons.push(reason('signature_mismatch')); return 'invalid'; }
  return 'valid';
}
