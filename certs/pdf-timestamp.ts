// PAdES B-T: a signature timestamp (RFC 3161 token over the signature value)
// in the CMS's unsigned attributes (id-aa-signatureTimeStampToken, RFC 3161
// Appendix A). Added after signing, in place: /Contents lies outside the byte
// range and unsigned attributes are outside the signature, so the signature
// stays valid and the file keeps its length.
import forge from 'node-forge';
import { createHash } from 'node:crypto';
import { readCms } from './cms-read.js';
import { CMS_OID } from './cms-sign.js';
import type { Timestamper } from './pdf-ltv.js';
import { locateSignatures } from './pdf-revisions.js';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;
const kids = (n: Node | undefined): Node[] => (Array.isArray(n?.value) ? n.value : []);

/** The last signature of `pdf` with a timestamp from `timestamper` over its value. */
export async function addSignatureTimestamp(pdf: Buffer, timestamper: Timestamper): Promise<Buffer> {
  const located = locateSignatures(pdf.toString('latin1'));
  const last = located[located.length - 1];
  if (!last?.ok) throw new Error('no signature to timestamp');
  const [, b, c] = last.range.byteRange;
  const cms = readCms(last.range.contents);
  const token = await timestamper(createHash('sha256').update(cms.signature).digest());

  const root = asn1.fromDer(forge.util.createBuffer(last.range.contents.toString('binary')), { parseAllBytes: false } as unknown as boolean);
  const signedData = kids(kids(root)[1])[0]!;
  const signerInfo = kids(kids(signedData).at(-1))[0]!;
  const tokenNode = asn1.fromDer(forge.util.createBuffer(token.toString('binary')));
  const attribute = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(CMS_OID.signatureTimeStampToken).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [tokenNode]),
  ]);
  const parts = kids(signerInfo).filter((n) => !(n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 1));
  parts.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [attribute]));
  signerInfo.value = parts;
  const der = Buffer.from(asn1.toDer(root).getBytes(), 'binary');
  const room = (c - b - 2) / 2;
  if (der.length > room) throw new Error(`signature with timestamp of ${der.length} bytes does not fit in ${room}`);
  const out = Buffer.from(pdf);
  out.write(der.toString('hex').padEnd(room * 2, '0'), b + 1, 'latin1');
  return out;
}
