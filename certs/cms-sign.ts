// A CMS SignedData with CAdES-BES signed attributes (ETSI EN 319 122):
// contentType, messageDigest and ESS signingCertificateV2. No signingTime:
// PAdES baseline B-B forbids it (ETSI EN 319 142-1 §5.3); the claimed time is
// the signature dictionary's /M, and a proven one a timestamp (B-T).
// Detached for a PDF signature; with the content encapsulated for an RFC 3161
// timestamp token (certs/tsa.ts), whose content type is id-ct-TSTInfo.
// The ASN.1 is built with node-forge's asn1 module; hashing and RSA run in
// Node's native crypto (forge's pure-JS RSA is ~30x slower). forge's own
// pkcs7 signer cannot add signingCertificateV2 nor sign with a native key,
// hence this small builder.
import { createHash, sign as nativeSign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const T = asn1.Type;
const C = asn1.Class;

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;
export { OID as CMS_OID };

const seq = (items: forge.asn1.Asn1[]) => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(C.UNIVERSAL, T.SET, true, items);
const oid = (o: string) => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(o).getBytes());
const int = (n: number) => asn1.create(C.UNIVERSAL, T.INTEGER, false, asn1.integerToDer(n).getBytes());
const octets = (b: Buffer) => asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, b.toString('binary'));
const nul = () => asn1.create(C.UNIVERSAL, T.NULL, false, '');
const explicit = (tag: number, inner: forge.asn1.Asn1) => asn1.create(C.CONTEXT_SPECIFIC, tag, true, [inner]);
const der = (a: forge.asn1.Asn1) => Buffer.from(asn1.toDer(a).getBytes(), 'binary');
const fromDer = (b: Buffer) => asn1.fromDer(forge.util.createBuffer(b.toString('binary')));
const algorithm = (o: string, withNull = true) => seq(withNull ? [oid(o), nul()] : [oid(o)]);
const attribute = (type: string, value: forge.asn1.Asn1) => seq([oid(type), set([value])]);

/**
 * A key this process does not hold (a PKCS#11 token, an official's token
 * behind `warddesk signer`): it gets the DER of the signed attributes and
 * answers their signature (SHA-256 with RSA PKCS#1 v1.5, or ECDSA in DER).
 */
export interface ExternalSignature {
  algorithm: 'rsa' | 'ecdsa';
  sign(signedAttributesDer: Buffer): Buffer;
}

export interface CmsSignInput {
  /** The bytes the signature covers (a PDF's two byte ranges, concatenated). */
  content: Buffer | Buffer[];
  /** Exactly one of `privateKey` and `external`. */
  privateKey?: KeyObject;
  external?: ExternalSignature;
  /** DER certificates, signer first, then its issuers. */
  chainDer: Buffer[];
  /** The encapsulated content's type (default id-data) and, for an attached SignedData, the content itself. */
  eContentType?: string;
  encapsulate?: boolean;
  /** Certificates to carry (default: the whole chain); a timestamp token carries its signer's. */
  certificatesDer?: Buffer[];
}

/** DER of a ContentInfo wrapping a SignedData (detached unless `encapsulate`). */
export function cmsSignDetached(input: CmsSignInput): Buffer {
  const eContentType = input.eContentType ?? OID.data;
  const hash = createHash('sha256');
  for (const part of Array.isArray(input.content) ? input.content : [input.content]) hash.update(part);
  const digest = hash.digest();
  const leaf = fromDer(input.chainDer[0]!);
  // Certificate → TBSCertificate → [version], serialNumber, signature, issuer …
  const tbs = (leaf.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  const hasVersion = tbs[0]!.tagClass === C.CONTEXT_SPECIFIC;
  const serial = tbs[hasVersion ? 1 : 0]!;
  const issuer = tbs[hasVersion ? 3 : 2]!;
  const issuerSerial = seq([seq([explicit(4, issuer)]), serial]);
  const certHash = createHash('sha256').update(input.chainDer[0]!).digest();

  const signedAttrs = [
    attribute(OID.contentType, oid(eContentType)),
    attribute(OID.messageDigest, octets(digest)),
    // ESS signingCertificateV2: binds the signer's certificate (SHA-256 is the default hash, so omitted).
    attribute(OID.signingCertificateV2, seq([seq([seq([octets(certHash), issuerSerial])])])),
  ];
  // The signature is over the DER of the attributes as a SET (RFC 5652 §5.4).
  const toSign = der(set(signedAttrs));
  const signature = input.external ? input.external.sign(toSign) : nativeSign('sha256', toSign, input.privateKey!);
  const ecdsa = input.external ? input.external.algorithm === 'ecdsa' : input.privateKey!.asymmetricKeyType === 'ec';

  const signerInfo = seq([
    int(1),
    seq([issuer, serial]),
    algorithm(OID.sha256),
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, signedAttrs),
    ecdsa ? algorithm(OID.ecdsaWithSha256, false) : algorithm(OID.rsaEncryption),
    octets(signature),
  ]);
  const content = Buffer.concat(Array.isArray(input.content) ? input.content : [input.content]);
  const signedData = seq([
    // Version 3 when the encapsulated content is not id-data (RFC 5652 §5.1).
    int(eContentType === OID.data ? 1 : 3),
    set([algorithm(OID.sha256)]),
    seq(input.encapsulate ? [oid(eContentType), explicit(0, octets(content))] : [oid(eContentType)]),
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, (input.certificatesDer ?? input.chainDer).map(fromDer)),
    set([signerInfo]),
  ]);
  return der(seq([oid(OID.signedData), explicit(0, signedData)]));
}
