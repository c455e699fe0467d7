// The city's time-stamping authority (RFC 3161): its certificate, issued
// under the city root with the one extended key usage RFC 3161 §2.3 allows
// (timeStamping, critical), and the tokens it issues: a SignedData whose
// encapsulated content is a TSTInfo (the hash it was given, the time, a
// serial, the nonce), signed by the TSA's key with ESS signingCertificateV2
// (RFC 5816). The TSP structures (TimeStampReq, TSTInfo, TimeStampResp) are
// pkijs's; the SignedData is the same builder as a PDF signature's
// (cms-sign.ts), so both go through Node's native RSA.
//
// A TSA whose certificate is not valid now issues nothing: `tsa_certificate_expired`.
import { randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { wardError } from '../sync/errors.js';
import { generateKey, issueCertificate, type Pkcs12Contents } from './ca.js';
import { cmsSignDetached, CMS_OID } from './cms-sign.js';

/** WardDesk's TSA policy: an OID under 2.25 (a UUID, ITU-T X.667), no registration needed. */
export const TSA_POLICY = '2.25.127646831104494739048651951438249339615';
export const SHA256_OID = '2.16.840.1.101.3.4.2.1';
export const TIME_STAMPING_EKU = '1.3.6.1.5.5.7.3.8';
export const TIMESTAMP_QUERY = 'application/timestamp-query';
export const TIMESTAMP_REPLY = 'application/timestamp-reply';

/** The TSA's key and certificate, chain [TSA, city root]; 5 years unless `days` says otherwise. */
export function issueTsa(root: Pkcs12Contents, o: { name?: string; days?: number; notBefore?: Date } = {}): Pkcs12Contents {
  const name = (o.name ?? 'WardDesk City TSA').trim();
  if (name.length < 2 || name.length > 128) throw wardError('invalid_input', [{ path: 'name', vi: 'Tên phải có từ 2 đến 128 ký tự.', en: 'The name must be 2 to 128 characters.' }]);
  const key = generateKey(2048);
  const pem = issueCertificate({
    kind: 'tsa', subject: { commonName: name }, publicKey: key.publicKey,
    issuer: { certPem: root.chain[0]!, privateKey: root.privateKey }, days: o.days ?? 5 * 365, ...(o.notBefore ? { notBefore: o.notBefore } : {}),
  });
  return { privateKey: key.privateKey, chain: [pem, root.chain[0]!] };
}

export interface TimestampRequest {
  /** The SHA-256 the token will bind. */
  imprint: Buffer;
  nonce?: Buffer;
}

/** DER of a TimeStampReq for a SHA-256 `imprint`, with a nonce and certReq (a client's side). */
export function timestampRequest(imprint: Buffer, nonce: Buffer = positive(randomBytes(8))): Buffer {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: imprintOf(imprint),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return Buffer.from(req.toSchema().toBER(false));
}

/** Reads a TimeStampReq; `tsa_bad_request` unless it is one, over SHA-256. */
export function parseTimestampRequest(der: Buffer): TimestampRequest {
  let req: pkijs.TimeStampReq;
  try {
    const asn = asn1js.fromBER(new Uint8Array(der));
    if (asn.offset === -1 || asn.offset !== der.length) throw new Error('not DER');
    req = new pkijs.TimeStampReq({ schema: asn.result });
  } catch { throw wardError('tsa_bad_request'); }
  const hashed = Buffer.from(req.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (req.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID || hashed.length !== 32) throw wardError('tsa_bad_request');
  return { imprint: hashed, ...(req.nonce ? { nonce: Buffer.from(req.nonce.valueBlock.valueHexView) } : {}) };
}

/** A token (DER ContentInfo) over `req.imprint` at `now`; `tsa_certificate_expired` when the TSA's chain is not valid then. */
export function issueToken(tsa: Pkcs12Contents, req: TimestampRequest, now = new Date()): Buffer {
  const certs = tsa.chain.map((p) => new X509Certificate(p));
  if (certs.some((c) => now < new Date(c.validFrom) || now > new Date(c.validTo))) throw wardError('tsa_certificate_expired');
  // Whole seconds: GeneralizedTime without a fraction, as every client reads it.
  const genTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const tst = new pkijs.TSTInfo({
    version: 1, policy: TSA_POLICY, messageImprint: imprintOf(req.imprint),
    serialNumber: new asn1js.Integer({ valueHex: positive(randomBytes(16)) }),
    genTime, accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(req.nonce ? { nonce: new asn1js.Integer({ valueHex: req.nonce }) } : {}),
  });
  const tstDer = Buffer.from(tst.toSchema().toBER(false));
  const leafDer = Buffer.from(certs[0]!.raw);
  return cmsSignDetached({ content: tstDer, privateKey: tsa.privateKey, chainDer: [leafDer], eContentType: CMS_OID.tstInfo, encapsulate: true });
}

/**
 * The responder: a TimeStampResp (DER) for a request body. A bad request or an expired TSA
 * certificate gets a 'rejection' status with the reason in Vietnamese and English, and no token.
 */
export function timestampResponse(tsa: Pkcs12Contents, body: Buffer, now = new Date()): { granted: boolean; code?: 'tsa_bad_request' | 'tsa_certificate_expired'; der: Buffer } {
  try {
    const token = issueToken(tsa, parseTimestampRequest(body), now);
    const resp = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
      timeStampToken: new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(token)).result }),
    });
    return { granted: true, der: Buffer.from(resp.toSchema().toBER(false)) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'tsa_bad_request' && code !== 'tsa_certificate_expired') throw err;
    const e = wardError(code);
    const resp = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection, statusStrings: [new asn1js.Utf8String({ value: e.vi }), new asn1js.Utf8String({ value: e.en })] }),
    });
    return { granted: false, code, der: Buffer.from(resp.toSchema().toBER(false)) };
  }
}

/** The token in a TimeStampResp; `tsa_unavailable` (with the TSA's own words) when it was refused or is unreadable. */
export function tokenFromResponse(der: Buffer): Buffer {
  let resp: pkijs.TimeStampResp;
  try { resp = new pkijs.TimeStampResp({ schema: asn1js.fromBER(new Uint8Array(der)).result }); } catch { throw wardError('tsa_unavailable'); }
  const granted = resp.status.status === pkijs.PKIStatus.granted || resp.status.status === pkijs.PKIStatus.grantedWithMods;
  if (!granted || !resp.timeStampToken) {
    const said = (resp.status.statusStrings ?? []).map((s) => s.valueBlock.value).join(' / ');
    throw wardError('tsa_unavailable', said ? [{ path: 'tsa', vi: said, en: said }] : undefined);
  }
  return Buffer.from(resp.timeStampToken.toSchema().toBER(false));
}

function imprintOf(hash: Buffer): pkijs.MessageImprint {
  return new pkijs.MessageImprint({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID, algorithmParams: new asn1js.Null() }),
    hashedMessage: new asn1js.OctetString({ valueHex: hash }),
  });
}

/** An INTEGER's bytes that read as positive (top bit clear) and not zero. */
function positive(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out[0] = (out[0]! & 0x7f) | 0x40;
  return out;
}
