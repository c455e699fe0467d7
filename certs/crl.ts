// Certificate revocation lists (RFC 5280 §5): made by a CA when it revokes,
// read by the verifier. node-forge has no CRL support, so the ASN.1 is built
// and read here with forge's asn1 module; signing and verifying use Node's
// native crypto. (@peculiar/x509 can make CRLs, but see ca.ts for why it is
// not worth a second ASN.1 stack here; openssl reads these lists in tests.)
import { createPublicKey, sign as nativeSign, verify as nativeVerify, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
type Node = forge.asn1.Asn1;
const SHA256_RSA = '1.2.840.113549.1.1.11';
const CRL_NUMBER = '2.5.29.20';
const REASON_CODE = '2.5.29.21';

const der = (n: Node) => Buffer.from(asn1.toDer(n).getBytes(), 'binary');
const parse = (b: Buffer) => asn1.fromDer(forge.util.createBuffer(b.toString('binary')));
const kids = (n: Node | undefined): Node[] => (Array.isArray(n?.value) ? n.value : []);
const seq = (items: Node[]) => asn1.create(U, T.SEQUENCE, true, items);
const intHex = (hex: string) => asn1.create(U, T.INTEGER, false, Buffer.from((/^[89a-f]/i.test(hex) ? '00' : '') + (hex.length % 2 ? `0${hex}` : hex), 'hex').toString('binary'));
const utc = (d: Date) => asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(d));
const readTime = (n: Node) => (n.type === T.UTCTIME ? asn1.utcTimeToDate(n.value as string) : asn1.generalizedTimeToDate(n.value as string));
const normSerial = (hex: string) => hex.toLowerCase().replace(/^(00)+(?=.)/, '');

/** RFC 5280 reason codes. */
export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface Revoked { serial: string; date: Date; reason: RevocationReason }

/** The DER of a certificate's issuer and subject names, and its serial (hex, no leading zeros). */
export function certNames(certDer: Buffer): { issuerDer: Buffer; subjectDer: Buffer; serialHex: string } {
  const tbs = kids(kids(parse(certDer))[0]);
  const v = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { issuerDer: der(tbs[2 + v]!), subjectDer: der(tbs[4 + v]!), serialHex: normSerial(Buffer.from(tbs[v]!.value as string, 'binary').toString('hex')) };
}

export interface CrlInput { issuerCertPem: string; issuerKey: KeyObject; revoked: Revoked[]; crlNumber: number; thisUpdate: Date; nextUpdate: Date }

/** A DER CRL signed by the issuing CA. */
export function createCrl(o: CrlInput): Buffer {
  const issuer = parse(certNames(Buffer.from(new X509Certificate(o.issuerCertPem).raw)).subjectDer);
  const alg = seq([asn1.create(U, T.OID, false, asn1.oidToDer(SHA256_RSA).getBytes()), asn1.create(U, T.NULL, false, '')]);
  const entries = o.revoked.map((r) => seq([
    intHex(normSerial(r.serial)), utc(r.date),
    seq([seq([asn1.create(U, T.OID, false, asn1.oidToDer(REASON_CODE).getBytes()),
      asn1.create(U, T.OCTETSTRING, false, asn1.toDer(asn1.create(U, T.ENUMERATED, false, String.fromCharCode(REVOCATION_REASONS[r.reason]))).getBytes())])]),
  ]));
  const crlNumber = seq([asn1.create(U, T.OID, false, asn1.oidToDer(CRL_NUMBER).getBytes()), asn1.create(U, T.OCTETSTRING, false, asn1.toDer(intHex(o.crlNumber.toString(16))).getBytes())]);
  const tbs = seq([
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(1).getBytes()), alg, issuer, utc(o.thisUpdate), utc(o.nextUpdate),
    ...(entries.length ? [seq(entries)] : []),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [seq([crlNumber])]),
  ]);
  const tbsDer = der(tbs);
  const signature = nativeSign('sha256', tbsDer, o.issuerKey);
  return der(seq([tbs, alg, asn1.create(U, T.BITSTRING, false, `\0${signature.toString('binary')}`)]));
}

export interface ParsedCrl {
  issuerDer: Buffer;
  /** The CRL number extension (0 when absent): later lists have higher numbers. */
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date | null;
  revoked: Map<string, Date>;
  /** True when `issuerPem`'s key signed this CRL. */
  signedBy(issuerPem: string): boolean;
  /**
   * The time this list must be current at, when not the verification's `now`: for a list in a
   * file's DSS under a document timestamp, that timestamp's time (pdf-dss.ts).
   */
  currentAt?: Date;
}

/** Reads a CRL in DER or PEM. Throws on anything that is not one. */
export function readCrl(data: Buffer): ParsedCrl {
  const text = data.toString('latin1');
  const bytes = text.includes('-----BEGIN X509 CRL-----')
    ? Buffer.from(text.replace(/-----(BEGIN|END) X509 CRL-----|\s+/g, ''), 'base64') : data;
  const [tbs, , sig] = kids(parse(bytes));
  const f = kids(tbs);
  let i = f[0]!.type === T.INTEGER ? 1 : 0;
  i += 1; // signature algorithm
  const issuerDer = der(f[i++]!);
  const thisUpdate = readTime(f[i++]!);
  const nextUpdate = f[i] && (f[i]!.type === T.UTCTIME || f[i]!.type === T.GENERALIZEDTIME) ? readTime(f[i++]!) : null;
  const revoked = new Map<string, Date>();
  if (f[i] && f[i]!.tagClass === U && f[i]!.type === T.SEQUENCE) {
    for (const e of kids(f[i])) {
      const [serial, date] = kids(e);
      revoked.set(normSerial(Buffer.from(serial!.value as string, 'binary').toString('hex')), readTime(date!));
    }
  }
  if (f[i] && f[i]!.tagClass === U && f[i]!.type === T.SEQUENCE) i += 1;
  let crlNumber = 0;
  for (const ext of kids(kids(f[i])[0])) {
    const [oid, value] = kids(ext);
    if (asn1.derToOid(oid!.value as string) === CRL_NUMBER) crlNumber = parseInt(Buffer.from(parse(Buffer.from(value!.value as string, 'binary')).value as string, 'binary').toString('hex'), 16);
  }
  const tbsDer = der(tbs!);
  const signature = Buffer.from((sig!.value as string).slice(1), 'binary');
  return {
    issuerDer, crlNumber, thisUpdate, nextUpdate, revoked,
    signedBy: (issuerPem) => nativeVerify('sha256', tbsDer, createPublicKey(issuerPem), signature),
  };
}

export function crlToPem(derBytes: Buffer): string {
  return `-----BEGIN X509 CRL-----\n${derBytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END X509 CRL-----\n`;
}
