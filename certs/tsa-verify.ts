// Checking an RFC 3161 timestamp token, as a signature timestamp (B-T: over
// the signature value) or a document timestamp (B-LTA: over a PDF's byte
// ranges): the TSTInfo's imprint against the data, the token's own CMS
// signature and ESS certificate hash, the signer's extended key usage (only
// timeStamping, critical: RFC 3161 §2.3), its chain to a trusted root at the
// token's time, and revocation from the CRLs given. The time it proves is
// `genTime`; a token that fails any check proves nothing.
import { createHash, verify as nativeVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildChain, checkChain, checkRevocation, worst } from './chain-verify.js';
import { readCms } from './cms-read.js';
import { CMS_OID } from './cms-sign.js';
import { certNames, type ParsedCrl } from './crl.js';
import { SHA256_OID, TIME_STAMPING_EKU } from './tsa.js';
import type { Reason, Validity } from './verdict.js';
import { reason } from './verify-reasons.js';

export interface TimestampCheck {
  status: Validity;
  /** The time the token proves, when its integrity holds (even if its chain does not). */
  genTime: Date | null;
  tsaName: string;
  reasons: Reason[];
}

const EKU = '2.5.29.37';

/** `imprint`: SHA-256 of the data the token must cover. */
export function verifyTimestamp(token: Buffer, imprint: Buffer, roots: X509Certificate[], crls: ParsedCrl[], now: Date): TimestampCheck {
  const out: TimestampCheck = { status: 'invalid', genTime: null, tsaName: '', reasons: [] };
  const bad = (detail: string): TimestampCheck => { out.reasons.push(reason('bad_timestamp', detail)); return out; };
  let cms: ReturnType<typeof readCms>;
  let tst: pkijs.TSTInfo;
  try {
    cms = readCms(token);
    if (cms.eContentType !== CMS_OID.tstInfo || !cms.content) return bad('not a TSTInfo');
    const asn = asn1js.fromBER(new Uint8Array(cms.content));
    tst = new pkijs.TSTInfo({ schema: asn.result });
  } catch (err) { return bad(`unreadable: ${(err as Error).message}`); }
  if (tst.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID) return bad(`imprint hash ${tst.messageImprint.hashAlgorithm.algorithmId}`);
  if (!Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint)) return bad('the imprint does not match the data');
  if (cms.digestOid !== SHA256_OID || !cms.messageDigest?.equals(createHash('sha256').update(cms.content).digest())) return bad('message digest');
  const certs = cms.certificates.map((raw) => new X509Certificate(raw));
  const leaf = certs.find((x) => { const n = certNames(Buffer.from(x.raw)); return n.serialHex === cms.serialHex && n.issuerDer.equals(cms.issuerDer); });
  if (!leaf) return bad('the TSA certificate is not in the token');
  out.tsaName = /CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? leaf.subject;
  if (cms.signingCertHash && !createHash('sha256').update(leaf.raw).digest().equals(cms.signingCertHash)) return bad('ESS certificate hash');
  let ok = false;
  try { ok = nativeVerify('sha256', cms.signedAttrsDer, leaf.publicKey, cms.signature); } catch { ok = false; }
  if (!ok) return bad('signature');
  out.genTime = tst.genTime;
  if (!isTsaCertificate(leaf)) { out.reasons.push(reason('timestamp_not_tsa', out.tsaName)); return out; }
  const chain = buildChain(leaf, certs, roots);
  if (!chain) { out.reasons.push(reason('untrusted_chain', out.tsaName)); return out; }
  out.status = worst(checkChain(chain, tst.genTime, out.reasons), checkRevocation(chain, crls, now, out.reasons));
  return out;
}

const tsaCerts = new Map<string, boolean>();

/** Extended key usage exactly timeStamping, marked critical. */
function isTsaCertificate(cert: X509Certificate): boolean {
  const known = tsaCerts.get(cert.fingerprint256);
  if (known !== undefined) return known;
  let ok = false;
  try {
    const parsed = new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(cert.raw)).result });
    const eku = parsed.extensions?.find((e) => e.extnID === EKU);
    const usages = cert.keyUsage ?? [];
    ok = !!eku?.critical && usages.length === 1 && usages[0] === TIME_STAMPING_EKU;
  } catch { ok = false; }
  if (tsaCerts.size > 1000) tsaCerts.clear();
  tsaCerts.set(cert.fingerprint256, ok);
  return ok;
}
