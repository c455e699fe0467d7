// The Document Security Store a validator left in the file (ISO 32000-2
// §12.8.4.3; PAdES B-LT): the certificates and CRLs it judged the signatures
// with. A verifier years later uses those CRLs when the issuing CA's own list
// is long gone (a merged ward's CA). Nothing in the DSS is taken on trust: each
// CRL counts only when its issuer's key signed it (chain-verify.ts), and it is
// judged current at the time a document timestamp proves it existed, never at
// a time the file merely claims (pdf-verify.ts).
import { getDict, getObject, streamData, type PdfFile } from './pdf-file.js';
import { Ref } from './pdf-objects.js';

export interface DssContents {
  crls: Buffer[];
  certificates: Buffer[];
  /** The offset of the last of its objects: a document timestamp covering bytes past it covers the whole DSS. */
  lastObjectAt: number;
}

/** More entries and bytes than any ward's chains need: a hostile DSS cannot make verification slow or large. */
const MAX_ENTRIES = 64;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** The DSS the file's catalog names now, or null when it has none; throws on a malformed one. */
export function readDss(pdf: PdfFile): DssContents | null {
  const catalog = getDict(pdf, pdf.trailer.get('Root'));
  const ref = catalog.get('DSS');
  if (ref === undefined) return null;
  const dss = getDict(pdf, ref);
  let lastObjectAt = ref instanceof Ref ? pdf.offsets.get(ref.num) ?? 0 : 0;
  let total = 0;
  const streams = (key: string): Buffer[] => {
    const list = dss.get(key);
    if (list === undefined) return [];
    const refs = list instanceof Ref ? getObject(pdf, list) : list;
    if (!Array.isArray(refs) || refs.length > MAX_ENTRIES || !refs.every((r) => r instanceof Ref)) throw new Error(`DSS /${key}: not a short array of references`);
    return (refs as Ref[]).map((r) => {
      lastObjectAt = Math.max(lastObjectAt, pdf.offsets.get(r.num) ?? 0);
      const data = streamData(pdf, r);
      total += data.length;
      if (total > MAX_TOTAL_BYTES) throw new Error(`DSS larger than ${MAX_TOTAL_BYTES} bytes`);
      return data;
    });
  };
  return { crls: streams('CRLs'), certificates: streams('Certs'), lastObjectAt };
}
