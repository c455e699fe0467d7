// Certificates of the city's PKI: the city root, a ward's intermediate CA,
// the ward node's TLS certificate, officials' signing certificates and the
// agency's seal certificate. Keys come from Node's native generator (forge's
// pure-JS one takes seconds); certificates are built and signed with
// node-forge, already required for PKCS#12 (which @peculiar/x509 does not
// write) and synchronous. @peculiar/x509 was weighed for certificates and
// CRLs: it would add a second ASN.1 stack plus its `reflect-metadata`
// polyfill and make every issuing step async, for what forge already does
// here; the CRL (which forge lacks) is 40 lines in crl.ts, checked by openssl.
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { EKU, SIGNING_PROFILES } from './cert-profile.js';
import { ROLE_OU } from './roles.js';

export type CertKind = 'root' | 'ward-ca' | 'tls' | 'leader' | 'agency' | 'tsa';

export interface Subject {
  commonName: string;
  organization?: string;
  /** Province/city, e.g. "Hà Nội". */
  locality?: string;
}

export interface Issuer { certPem: string; privateKey: KeyObject }

export interface IssueInput {
  kind: CertKind;
  subject: Subject;
  publicKey: KeyObject;
  /** The CA that signs; for the self-signed root, its own private key. */
  issuer: Issuer | { self: KeyObject };
  days: number;
  /** TLS only: host names and IP addresses. */
  hosts?: string[];
  ips?: string[];
  notBefore?: Date;
  /**
   * Where anyone finds the issuer's revocation list and certificate over plain HTTP (RFC 5280
   * §4.2.1.13 CRL distribution points, §4.2.2.1 authority information access caIssuers), so an
   * outside validator (Adobe, pdfsig, a court's tool) can check revocation without WardDesk.
   */
  pki?: { crl: readonly string[]; caIssuers: readonly string[] };
}

export function generateKey(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

const toForgeKey = (k: KeyObject) => forge.pki.privateKeyFromPem(k.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
const toForgePub = (k: KeyObject) => forge.pki.publicKeyFromPem(k.export({ type: 'spki', format: 'pem' }).toString());

function extensions(input: IssueInput): object[] {
  switch (input.kind) {
    case 'root':
      return [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }];
    case 'ward-ca':
      return [{ name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }];
    case 'tls':
      return [
        { name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...(input.hosts ?? []).map((value) => ({ type: 2, value })), ...(input.ips ?? []).map((ip) => ({ type: 7, ip }))] },
      ];
    case 'tsa':
      // RFC 3161 §2.3: the TSA's certificate has exactly one extended key usage, timeStamping, critical.
      return [
        { name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        { name: 'extKeyUsage', timeStamping: true, critical: true },
      ];
    case 'leader':
    case 'agency': {
      // The two roles differ in key usage, extended key usage and subject (cert-profile.ts).
      const p = SIGNING_PROFILES[input.kind];
      return [
        { name: 'basicConstraints', cA: false }, { name: 'keyUsage', ...Object.fromEntries(p.keyUsage.map((k) => [k, true])), critical: true },
        { name: 'extKeyUsage', ...Object.fromEntries(p.extKeyUsage.map((oid) => [oid === EKU.emailProtection ? 'emailProtection' : oid === EKU.clientAuth ? 'clientAuth' : oid, true])) },
      ];
    }
  }
}

/** CRL distribution points and AIA caIssuers; forge writes the first, the second is built as ASN.1 (forge has no encoder for it). */
function publication(pki: NonNullable<IssueInput['pki']>): object[] {
  const { asn1 } = forge;
  const out: object[] = [];
  if (pki.crl.length) out.push({ name: 'cRLDistributionPoints', altNames: pki.crl.map((value) => ({ type: 6, value })) });
  if (pki.caIssuers.length) {
    const CA_ISSUERS = asn1.oidToDer('1.3.6.1.5.5.7.48.2').getBytes();
    out.push({
      id: '1.3.6.1.5.5.7.1.1',
      value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, pki.caIssuers.map((url) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, CA_ISSUERS),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url),
      ]))),
    });
  }
  return out;
}

export function issueCertificate(input: IssueInput): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = toForgePub(input.publicKey);
  // Positive 16-byte serial (RFC 5280: ≤ 20 octets, unpredictable).
  cert.serialNumber = `4${randomBytes(15).toString('hex')}`;
  const from = input.notBefore ?? new Date(Date.now() - 5 * 60_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + input.days * 86_400_000);
  // UTF8String for names with Vietnamese letters (forge encodes the value itself).
  const attrs: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'VN' }];
  if (input.subject.locality) attrs.push({ shortName: 'L', value: input.subject.locality, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  if (input.subject.organization) attrs.push({ shortName: 'O', value: input.subject.organization, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  if (input.kind === 'leader' || input.kind === 'agency') attrs.push({ shortName: 'OU', value: ROLE_OU[input.kind] });
  attrs.push({ shortName: 'CN', value: input.subject.commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class });
  cert.setSubject(attrs);
  const issuerCert = 'certPem' in input.issuer ? forge.pki.certificateFromPem(input.issuer.certPem) : null;
  // forge reads UTF8String names back as raw bytes but would encode them again: decode first.
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes.map((a) => (a.valueTagClass === (forge.asn1.Type.UTF8 as unknown) ? { ...a, value: forge.util.decodeUtf8(String(a.value)) } : a)) : cert.subject.attributes);
  const ext = extensions(input);
  if (issuerCert) ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() });
  if (issuerCert && input.pki) ext.push(...publication(input.pki));
  cert.setExtensions(ext);
  cert.sign(toForgeKey('self' in input.issuer ? input.issuer.self : input.issuer.privateKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export interface Pkcs12Contents { privateKey: KeyObject; chain: string[] }

/**
 * A PKCS#12 whose key bag is encrypted with a key derived from the PIN:
 * PBES2, PBKDF2 (HMAC-SHA1, forge's PRF) with `iterations`, AES-256-CBC.
 * 20,000 iterations cost ~8 ms per unlock through OpenSSL (test/bench/pki.ts:
 * unlock_p50_ms), well inside the 150 ms render+sign budget. A stronger or
 * slower KDF would not help: a 6-digit PIN has 10^6 values, so an attacker
 * holding the file tries them all offline in hours even at 100 ms each. The
 * real defences are that the file never leaves the ward node (data/keys is
 * never replicated) and that the node locks a key after five wrong PINs.
 */
export function toPkcs12(contents: Pkcs12Contents, pin: string, iterations = 20_000, friendlyName = 'warddesk'): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(toForgeKey(contents.privateKey), contents.chain.map((p) => forge.pki.certificateFromPem(p)), pin,
    { algorithm: 'aes256', count: iterations, friendlyName, generateLocalKeyId: true });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * Opens only the private key of a PKCS#12 with Node's native crypto: the
 * shrouded key bag is a PBES2 EncryptedPrivateKeyInfo that OpenSSL decrypts
 * ~10x faster than forge's JavaScript PBKDF2 (signing must stay under 150 ms).
 * Returns null when the file holds no such bag (then use fromPkcs12). The
 * PKCS#12 MAC is not checked here: a wrong PIN or a changed bag fails the
 * AES-CBC padding or the key's own structure.
 */
export function unlockKeyNative(p12: Buffer, pin: string): KeyObject | null {
  const { asn1 } = forge;
  const kids = (n: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] => (Array.isArray(n?.value) ? n.value : []);
  const octets = (n: forge.asn1.Asn1 | undefined): string => {
    // An OCTET STRING, possibly constructed (BER) from several.
    if (!n) return '';
    return typeof n.value === 'string' ? n.value : kids(n).map(octets).join('');
  };
  const parse = (bytes: string) => asn1.fromDer(forge.util.createBuffer(bytes), { parseAllBytes: false } as unknown as boolean);
  let encrypted: string | null = null;
  try {
    const pfx = parse(p12.toString('binary'));
    // PFX { version, authSafe ContentInfo { data, [0] OCTET STRING }, macData }
    const authSafe = parse(octets(kids(kids(kids(pfx)[1])[1])[0]));
    for (const contentInfo of kids(authSafe)) {
      const [type, content] = kids(contentInfo);
      if (asn1.derToOid(type!.value as string) !== forge.pki.oids.data) continue;
      for (const bag of kids(parse(octets(kids(content)[0])))) {
        const [bagId, bagValue] = kids(bag);
        if (asn1.derToOid(bagId!.value as string) === forge.pki.oids.pkcs8ShroudedKeyBag) encrypted = asn1.toDer(kids(bagValue)[0]!).getBytes();
      }
    }
  } catch {
    return null;
  }
  if (!encrypted) return null;
  try {
    return createPrivateKey({ key: Buffer.from(encrypted, 'binary'), format: 'der', type: 'pkcs8', passphrase: pin });
  } catch {
    throw new WrongPin('wrong PIN or damaged key');
  }
}

/** Opens a PKCS#12; throws `WrongPin` when the PIN does not decrypt it. */
export class WrongPin extends Error {}

export function fromPkcs12(p12: Buffer, pin: string): Pkcs12Contents {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary'))), true, pin);
  } catch {
    throw new WrongPin('wrong PIN or damaged PKCS#12');
  }
  const keyBag = [...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag!] ?? [])][0];
  if (!keyBag?.key) throw new WrongPin('no private key in the PKCS#12');
  const certs = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag!] ?? []).flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert)] : []));
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
  return { privateKey, chain: orderChain(certs, privateKey) };
}

/** Leaf (the key's certificate) first, then each issuer. */
function orderChain(pems: string[], key: KeyObject): string[] {
  const certs = pems.map((p) => new X509Certificate(p));
  const leaf = certs.find((c) => c.checkPrivateKey(key));
  if (!leaf) return pems;
  const out = [leaf];
  for (let cur = leaf; ;) {
    const next = certs.find((c) => !out.includes(c) && cur.checkIssued(c));
    if (!next) break;
    out.push(next);
    cur = next;
  }
  return out.map((c) => c.toString());
}
