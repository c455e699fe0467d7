// Checking an RFC 3161 timestamp token, as a signature timestamp (B-T: over
// the signature value) or a document timestamp (B-LTA: over a PDF's byte
// ranges): the TSTInfo's imprint against the data, the token's own CMS
// signature and ESS certificate hash, the signer's extended key usage (only
// timeStamping, critical: RFC 3161 §2.3), its chain to a trusted root at the
// token's time, and revocation from the CRLs given. The time it proves is
// `genTime`; a token that fails any check proves nothing.
import { createHash, verify as nativeVerify, type X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildChain, checkChain, checkRevocation, worst } from './chain-verify.js';
import { readCms } from './cms-read.js';
import { CMS_OID } from './cms-sign.js';
import { certificate, signerOf } from './cert-cache.js';
import type { ParsedCrl } from './crl.js';
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
  let tst: TstFields;
  try {
    cms = readCms(token);
    if (cms.eContentType !== CMS_OID.tstInfo || !cms.content) return bad('not a TSTInfo');
    tst = readTstInfo(cms.content);
  } catch (err) { return bad(`unreadable: ${(err as Error).message}`); }
  if (tst.imprintAlgorithm !== SHA256_OID) return bad(`imprint hash ${tst.imprintAlgorithm}`);
  if (!tst.imprint.equals(imprint)) return bad('the imprint does not match the data');
  if (cms.digestOid !== SHA256_OID || !cms.messageDigest?.equals(createHash('sha256').update(cms.content).digest())) return bad('message digest');
  const certs = cms.certificates.map((raw) => certificate(raw));
  const leaf = signerOf(certs, cms.serialHex, cms.issuerDer);
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

interface TstFields { imprintAlgorithm: string; imprint: Buffer; genTime: Date }

/**
 * The TSTInfo fields a check needs, which RFC 3161 §2.4.2 fixes as its first five: version,
 * policy, messageImprint, serialNumber, genTime. Read by position with asn1js rather than
 * pkijs's TSTInfo, whose schema matching cost about a tenth of a whole verification; anything
 * not shaped so throws, and the token is refused as unreadable.
 */
function readTstInfo(der: Buffer): TstFields {
  const root = asn1js.fromBER(new Uint8Array(der));
  if (root.offset === -1 || !(root.result instanceof asn1js.Sequence)) throw new Error('TSTInfo is not a SEQUENCE');
  const [version, policy, messageImprint, serial, genTime] = root.result.valueBlock.value;
  if (!(version instanceof asn1js.Integer) || !(policy instanceof asn1js.ObjectIdentifier) || !(serial instanceof asn1js.Integer)) throw new Error('TSTInfo header');
  if (!(messageImprint instanceof asn1js.Sequence) || !(genTime instanceof asn1js.GeneralizedTime)) throw new Error('TSTInfo imprint or time');
  const [algorithm, hashed] = messageImprint.valueBlock.value;
  const oid = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  if (!(oid instanceof asn1js.ObjectIdentifier) || !(hashed instanceof asn1js.OctetString)) throw new Error('TSTInfo messageImprint');
  return { imprintAlgorithm: oid.valueBlock.toString(), imprint: Buffer.from(hashed.valueBlock.valueHexView), genTime: genTime.toDate() };
}

const tsaCerts = new WeakMap<X509Certificate, boolean>();

/** Extended key usage exactly timeStamping, marked critical. */
function isTsaCertificate(cert: X509Certificate): boolean {
  const known = tsaCerts.get(cert);
  if (known !== undefined) return known;
  let ok = false;
  try {
    const parsed = new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(cert.raw)).result });
    const eku = parsed.extensions?.find((e) => e.extnID === EKU);
    const usages = cert.keyUsage ?? [];
    ok = !!eku?.critical && usages.length === 1 && usages[0] === TIME_STAMPING_EKU;
  } catch { ok = false; }
  tsaCerts.set(cert, ok);
  return ok;
}
