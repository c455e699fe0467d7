// Reading what verification needs from a detached CMS SignedData (the
// counterpart of cms-sign.ts): the certificates, the signer's issuer and
// serial, the signed attributes as signed, the signature, the message digest,
// the signing time of older signatures (B-B has none: /M carries it) and
// a signature timestamp token (B-T). ASN.1 parsing by node-forge; no crypto here.
import forge from 'node-forge';
import { CMS_OID } from './cms-sign.js';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;

export interface CmsParts {
  certificates: Buffer[];
  issuerDer: Buffer;
  serialHex: string;
  /** DER of the signed attributes re-tagged as a SET: the bytes the signature is over. */
  signedAttrsDer: Buffer;
  signature: Buffer;
  digestOid: string;
  messageDigest: Buffer | null;
  signingTime: Date | null;
  signingCertHash: Buffer | null;
  /** DER of the RFC 3161 token in the unsigned attribute id-aa-signatureTimeStampToken (B-T), if any. */
  signatureTimestamp: Buffer | null;
  /** The encapsulated content's type, and the content when it is attached (a timestamp token's TSTInfo). */
  eContentType: string;
  content: Buffer | null;
}

const der = (n: Node) => Buffer.from(asn1.toDer(n).getBytes(), 'binary');
const kids = (n: Node | undefined): Node[] => (Array.isArray(n?.value) ? n.value : []);
const bytesOf = (n: Node | undefined) => Buffer.from(typeof n?.value === 'string' ? n.value : '', 'binary');

export function readCms(bytes: Buffer): CmsParts {
  const root = asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')), { parseAllBytes: false } as unknown as boolean);
  const [type, wrapped] = kids(root);
  if (!type || asn1.derToOid(type.value as string) !== CMS_OID.signedData) throw new Error('not a CMS SignedData');
  const sd = kids(kids(wrapped)[0]);
  const [eType, eWrapped] = kids(sd[2]);
  const eContentType = eType ? asn1.derToOid(eType.value as string) : '';
  const eContent = kids(eWrapped)[0];
  // An OCTET STRING, possibly constructed (BER) from several.
  const octets = (n: Node | undefined): Buffer => (typeof n?.value === 'string' ? bytesOf(n) : Buffer.concat(kids(n).map(octets)));
  const certSet = sd.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  const signerInfos = sd[sd.length - 1];
  const si = kids(kids(signerInfos)[0]);
  const [, sid, digestAlg, ...rest] = si;
  const attrsNode = rest.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  if (!attrsNode) throw new Error('the signature has no signed attributes');
  const unsignedNode = rest.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 1);
  const signatureNode = rest.filter((n) => n.tagClass === asn1.Class.UNIVERSAL && n.type === asn1.Type.OCTETSTRING).at(-1);
  const signature = bytesOf(signatureNode);
  let signatureTimestamp: Buffer | null = null;
  for (const a of kids(unsignedNode)) {
    const [oid, values] = kids(a);
    if (oid && asn1.derToOid(oid.value as string) === CMS_OID.signatureTimeStampToken && kids(values)[0]) signatureTimestamp = der(kids(values)[0]!);
  }
  const attrs = new Map<string, Node>();
  for (const a of kids(attrsNode)) {
    const [oid, values] = kids(a);
    attrs.set(asn1.derToOid(oid!.value as string), kids(values)[0]!);
  }
  const setDer = der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, kids(attrsNode)));
  const timeNode = attrs.get(CMS_OID.signingTime);
  const essNode = attrs.get(CMS_OID.signingCertificateV2);
  const [issuer, serial] = kids(sid);
  return {
    certificates: kids(certSet).map(der),
    issuerDer: issuer ? der(issuer) : Buffer.alloc(0),
    serialHex: bytesOf(serial).toString('hex').replace(/^00(?=[89a-f])/, ''),
    signedAttrsDer: setDer,
    signature,
    digestOid: asn1.derToOid(kids(digestAlg)[0]!.value as string),
    messageDigest: attrs.has(CMS_OID.messageDigest) ? bytesOf(attrs.get(CMS_OID.messageDigest)) : null,
    signingTime: timeNode ? (timeNode.type === asn1.Type.UTCTIME ? asn1.utcTimeToDate(timeNode.value as string) : asn1.generalizedTimeToDate(timeNode.value as string)) : null,
    // SigningCertificateV2 → certs → ESSCertIDv2 → [hashAlgorithm], certHash
    signatureTimestamp,
    eContentType,
    content: eContent ? octets(eContent) : null,
    signingCertHash: essNode ? bytesOf(kids(kids(kids(essNode)[0])[0]).find((n) => n.type === asn1.Type.OCTETSTRING)) : null,
  };
}
