// One PDF signature as an incremental update: a signature field with its
// widget (visible or not), extra annotations that belong to the same
// revision, then the CMS over the file's two byte ranges. Used by the
// leader's, the agency's and the attachment's signatures (pdf-sign.ts).
import { X509Certificate, type KeyObject } from 'node:crypto';
import { cmsSignDetached } from './cms-sign.js';
import { getDict, getObject, IncrementalUpdate, pageRefs, readPdf, type PdfFile } from './pdf-file.js';
import { dict, name, Raw, Ref, type PdfDict, type PdfValue } from './pdf-objects.js';

/** Room for the CMS: a 3-certificate chain and a 3072-bit signature fit with margin. */
const CONTENTS_BYTES = 12 * 1024;
const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

export interface Signer {
  privateKey: KeyObject;
  /** PEM certificates, signer first. */
  chain: string[];
}

export interface Appearance {
  /** The form XObject's content stream and resources, in a box of `width` × `height` points. */
  content: string;
  resources: PdfDict;
}

export interface SignatureRequest {
  signer: Signer;
  fieldName: string;
  signingTime: Date;
  reason: string;
  location?: string;
  /** 0-based page and rectangle [x1 y1 x2 y2] of the widget; omit for an invisible signature. */
  widget?: { page: number; rect: [number, number, number, number]; appearance: (update: IncrementalUpdate) => Appearance };
  /** Other annotations of the same revision (the clerk's number and date), per page. */
  annotations?: (update: IncrementalUpdate, pages: Ref[]) => { page: number; ref: Ref }[];
}

/** PDF date string in Vietnam time, e.g. D:20260302091500+07'00'. */
export function pdfDate(d: Date): string {
  const vn = new Date(d.getTime() + 7 * 3600_000).toISOString();
  return `D:${vn.slice(0, 4)}${vn.slice(5, 7)}${vn.slice(8, 10)}${vn.slice(11, 13)}${vn.slice(14, 16)}${vn.slice(17, 19)}+07'00'`;
}

export function appendSignature(bytes: Buffer, req: SignatureRequest): Buffer {
  const pdf = readPdf(bytes);
  const pages = pageRefs(pdf);
  const update = new IncrementalUpdate(pdf);
  const signerName = new X509Certificate(req.signer.chain[0]!).subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';

  const sigRef = update.add(dict({
    Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: new Raw(BYTE_RANGE_PLACEHOLDER), Contents: new Raw(`<${'0'.repeat(CONTENTS_BYTES * 2)}>`),
    M: pdfDate(req.signingTime), Name: signerName, Reason: req.reason, ...(req.location ? { Location: req.location } : {}),
  }));
  const pageIndex = req.widget?.page ?? 0;
  const pageRef = pages[pageIndex];
  if (!pageRef) throw new Error(`page ${pageIndex + 1} does not exist`);
  const rect = req.widget?.rect ?? [0, 0, 0, 0];
  const ap = req.widget ? req.widget.appearance(update) : { content: '', resources: dict({}) };
  const apRef = update.add(dict({
    Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, rect[2] - rect[0], rect[3] - rect[1]], Resources: ap.resources,
  }), Buffer.from(ap.content, 'latin1'));
  const widgetRef = update.add(dict({
    Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: req.fieldName, V: sigRef, P: pageRef,
    Rect: rect, F: 132, AP: dict({ N: apRef }),
  }));

  const added = [{ page: pageIndex, ref: widgetRef }, ...(req.annotations?.(update, pages) ?? [])];
  for (const [i, ref] of pages.entries()) {
    const mine = added.filter((a) => a.page === i).map((a) => a.ref);
    if (mine.length === 0) continue;
    const page = new Map(getDict(pdf, ref));
    page.set('Annots', [...existingArray(pdf, page.get('Annots')), ...mine]);
    update.put(ref, page);
  }
  addField(pdf, update, widgetRef);

  const out = update.toBuffer();
  return fillSignature(out, pdf.bytes.length, req);
}

function existingArray(pdf: PdfFile, v: PdfValue | undefined): PdfValue[] {
  const resolved = v instanceof Ref ? getObject(pdf, v) : v;
  return Array.isArray(resolved) ? resolved : [];
}

/** Adds the field to the catalog's AcroForm (replacing the AcroForm object when it is indirect). */
function addField(pdf: PdfFile, update: IncrementalUpdate, field: Ref): void {
  const rootRef = pdf.trailer.get('Root') as Ref;
  const catalog = new Map(getDict(pdf, rootRef));
  const current = catalog.get('AcroForm');
  const form = current === undefined ? dict({}) : new Map(getDict(pdf, current));
  form.set('Fields', [...existingArray(pdf, form.get('Fields')), field]);
  form.set('SigFlags', 3);
  if (current instanceof Ref) {
    update.put(current, form);
  } else {
    catalog.set('AcroForm', update.add(form));
    update.put(rootRef, catalog);
  }
}

/** Writes the byte range, signs both ranges and writes the CMS into /Contents. */
function fillSignature(out: Buffer, searchFrom: number, req: SignatureRequest): Buffer {
  const brAt = out.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, searchFrom, 'latin1') + '/ByteRange '.length;
  const contentsAt = out.indexOf('/Contents <', brAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsAt + CONTENTS_BYTES * 2 + 2;
  const range = `[0 ${contentsAt} ${contentsEnd} ${out.length - contentsEnd}]`;
  if (range.length > BYTE_RANGE_PLACEHOLDER.length) throw new Error('file too large for the byte range placeholder');
  out.write(range.slice(0, -1).padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']', brAt, 'latin1');
  const cms = cmsSignDetached({
    content: [out.subarray(0, contentsAt), out.subarray(contentsEnd)],
    privateKey: req.signer.privateKey,
    chainDer: req.signer.chain.map((pem) => Buffer.from(new X509Certificate(pem).raw)),
    signingTime: req.signingTime,
  });
  if (cms.length > CONTENTS_BYTES) throw new Error(`signature of ${cms.length} bytes does not fit`);
  out.write(cms.toString('hex').padEnd(CONTENTS_BYTES * 2, '0'), contentsAt + 1, 'latin1');
  return out;
}
