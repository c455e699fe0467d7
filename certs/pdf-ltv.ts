// Long-term validation material the city adds to a signed PDF (PAdES B-LT
// and B-LTA, ETSI EN 319 142-1 §5.4-5.5), as one incremental update after the
// last signature, so every signature stays valid:
//   - a DSS in the catalog: the certificates of the chains and the CRLs the
//     city used to judge the signatures (ISO 32000-2 §12.8.4.3);
//   - a document timestamp: an invisible signature field whose /V is a
//     /Type /DocTimeStamp dictionary, /SubFilter /ETSI.RFC3161, its /Contents
//     an RFC 3161 token from the city TSA over the file's byte ranges, DSS
//     included.
// The verifier accepts exactly these after the last signature (pdf-changes.ts:
// a DSS in the catalog, invisible signature fields) and checks the token
// (tsa-verify.ts).
import { createHash, X509Certificate } from 'node:crypto';
import { getDict, IncrementalUpdate, pageRefs, readPdf } from './pdf-file.js';
import { dict, name, Raw, Ref } from './pdf-objects.js';
import { existingArray } from './pdf-signature.js';
import { readCms } from './cms-read.js';
import { locateSignatures } from './pdf-revisions.js';

/** Asks a TSA for a token over a SHA-256 (certs/tsa-client.ts over HTTP, or a TSA in process). */
export type Timestamper = (imprint: Buffer) => Promise<Buffer>;

const TOKEN_BYTES = 8 * 1024;
const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';
export const DOC_TIMESTAMP_FIELD = 'ThanhPhoDauThoiGian';

export interface LtvInput {
  /** PEM or DER certificates: every chain the signatures use, and the TSA's. */
  certificates: (string | Buffer)[];
  /** DER CRLs the city used. */
  crls: Buffer[];
  timestamper: Timestamper;
}

export async function appendLtv(bytes: Buffer, o: LtvInput): Promise<Buffer> {
  const pdf = readPdf(bytes);
  const u = new IncrementalUpdate(pdf);
  const seen = new Set<string>();
  const certs: Ref[] = [];
  for (const c of o.certificates) {
    const der = Buffer.from(new X509Certificate(c).raw);
    const key = der.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    certs.push(u.add(dict({}), der));
  }
  const crls = [...new Map(o.crls.map(toDer).map((c) => [c.toString('base64'), c])).values()].map((c) => u.add(dict({}), c));
  const dss = u.add(dict({ Type: name('DSS'), Certs: certs, CRLs: crls }));
  const rootRef = pdf.trailer.get('Root') as Ref;
  const catalog = new Map(getDict(pdf, rootRef));
  catalog.set('DSS', dss);

  const sig = u.add(dict({
    Type: name('DocTimeStamp'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.RFC3161'),
    ByteRange: new Raw(BYTE_RANGE_PLACEHOLDER), Contents: new Raw(`<${'0'.repeat(TOKEN_BYTES * 2)}>`),
  }));
  const page = pageRefs(pdf)[0]!;
  // Invisible: a zero rectangle, hidden and printable flags as the other signatures.
  const widget = u.add(dict({ Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: DOC_TIMESTAMP_FIELD, V: sig, P: page, Rect: [0, 0, 0, 0], F: 132 }));
  const pageDict = new Map(getDict(pdf, page));
  pageDict.set('Annots', [...existingArray(pdf, pageDict.get('Annots')), widget]);
  u.put(page, pageDict);
  const current = catalog.get('AcroForm');
  const form = current === undefined ? dict({}) : new Map(getDict(pdf, current));
  form.set('Fields', [...existingArray(pdf, form.get('Fields')), widget]);
  form.set('SigFlags', 3);
  if (current instanceof Ref) u.put(current, form); else catalog.set('AcroForm', u.add(form));
  u.put(rootRef, catalog);

  const out = u.toBuffer();
  const brAt = out.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, bytes.length, 'latin1') + '/ByteRange '.length;
  const contentsAt = out.indexOf('/Contents <', brAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsAt + TOKEN_BYTES * 2 + 2;
  const range = `[0 ${contentsAt} ${contentsEnd} ${out.length - contentsEnd}]`;
  out.write(range.slice(0, -1).padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']', brAt, 'latin1');
  const imprint = createHash('sha256').update(out.subarray(0, contentsAt)).update(out.subarray(contentsEnd)).digest();
  const token = await o.timestamper(imprint);
  if (token.length > TOKEN_BYTES) throw new Error(`timestamp token of ${token.length} bytes does not fit`);
  out.write(token.toString('hex').padEnd(TOKEN_BYTES * 2, '0'), contentsAt + 1, 'latin1');
  return out;
}

/** Every certificate the file's signatures carry (DER): what the DSS needs besides the roots and the TSA's. */
export function signatureCertificates(pdf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const l of locateSignatures(pdf.toString('latin1'))) {
    if (!l.ok) continue;
    try { out.push(...readCms(l.range.contents).certificates); } catch { /* an unreadable CMS adds nothing */ }
  }
  return out;
}

/** A CRL as DER (the DSS holds DER streams); PEM input is decoded. */
function toDer(crl: Buffer): Buffer {
  const text = crl.subarray(0, 40).toString('latin1');
  if (!text.startsWith('-----BEGIN')) return crl;
  return Buffer.from(crl.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
