// The certificate extensions a chain check needs that Node's
// X509Certificate does not expose: key usage (RFC 5280 §4.2.1.3), the
// basic constraints' path length (§4.2.1.9; Node gives only `ca`) and the
// CRL distribution points (§4.2.1.13). Read with
// node-forge's ASN.1 parser, already a dependency: forge's own certificate
// reader refuses non-RSA keys, and these are two small, fixed structures.
import forge from 'node-forge';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;
const kids = (n: Node | undefined): Node[] => (Array.isArray(n?.value) ? n.value : []);
const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';
const CRL_DISTRIBUTION_POINTS = '2.5.29.31';

export const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface CertExtensions {
  /** null when the certificate has no key usage extension (then any use is allowed). */
  keyUsage: Set<KeyUsage> | null;
  /** The basic constraints' pathLenConstraint, null when absent. */
  pathLen: number | null;
  /** The URIs of the CRL distribution points (RFC 5280 §4.2.1.13), in order; empty when none. */
  crlUrls: string[];
}

/** Every [6] uniformResourceIdentifier below `n`: a distribution point's full names. */
const uris = (n: Node): string[] => (n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 6 && typeof n.value === 'string' ? [n.value] : kids(n).flatMap(uris));

export function readExtensions(certDer: Buffer): CertExtensions {
  const tbs = kids(kids(asn1.fromDer(forge.util.createBuffer(certDer.toString('binary'))))[0]);
  const wrapper = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const out: CertExtensions = { keyUsage: null, pathLen: null, crlUrls: [] };
  for (const ext of kids(kids(wrapper)[0])) {
    const parts = kids(ext);
    const oid = asn1.derToOid(parts[0]!.value as string);
    const value = asn1.fromDer(forge.util.createBuffer(parts[parts.length - 1]!.value as string));
    if (oid === KEY_USAGE) {
      const bytes = Buffer.from(value.value as string, 'binary').subarray(1); // first byte: unused bits
      out.keyUsage = new Set(KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1));
    } else if (oid === CRL_DISTRIBUTION_POINTS) {
      out.crlUrls = uris(value);
    } else if (oid === BASIC_CONSTRAINTS) {
      const len = kids(value).find((n) => n.type === asn1.Type.INTEGER);
      if (len) out.pathLen = parseInt(Buffer.from(len.value as string, 'binary').toString('hex') || '0', 16);
    }
  }
  return out;
}
