// One PDF signature as an incremental update: a signature field with its
// widget (visible or not), the fields the same revision declares for later
// steps, then the CMS over the file's two byte ranges. Used by the leader's
// and the attachment's signatures (pdf-sign.ts); the agency signs a field the
// leader's revision declared (pdf-fields.ts), with the same dictionary and CMS.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { cmsSignDetached, type ExternalSignature } from './cms-sign.js';
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

/** A key this process does not hold (a token): it signs the CMS attributes itself. */
export interface ExternalSigner {
  external: ExternalSignature;
  /** PEM certificates, signer first. */
  chain: string[];
}

/** What a signing step accepts: a key in hand, or a token. */
export type AnySigner = Signer | ExternalSigner;

export interface Appearance {
  /** The form XObject's content stream and resources, in a box of `width` × `height` points. */
  content: string;
  resources: PdfDict;
}

export interface SignatureRequest {
  signer: AnySigner;
  fieldName: string;
  signingTime: Date;
  reason: string;
  location?: string;
  /** 0-based page and rectangle [x1 y1 x2 y2] of the widget; omit for an invisible signature. */
  widget?: { page: number; rect: [number, number, number, number]; appearance: (update: IncrementalUpdate) => Appearance };
  /**
   * Fields this revision declares for later steps (the clerk's number, date and seal), and the
   * entries they need in the signature dictionary (/Reference: DocMDP, FieldMDP), the signature
   * field (/Lock), the catalog (/Perms) and the AcroForm (/DA, /DR). pdf-fields.ts builds them.
   */
  declare?: (update: IncrementalUpdate, pages: Ref[], sig: { ref: Ref; dict: PdfDict }) => Declaration;
}

export interface Declaration {
  fields: { page: number; ref: Ref }[];
  sigField?: Record<string, PdfValue>;
  catalog?: Record<string, PdfValue>;
  acroForm?: Record<string, PdfValue>;
}

/** PDF date string in Vietnam time, e.g. D:20260302091500+07'00'. */
export function pdfDate(d: Date): string {
  const vn = new Date(d.getTime() + 7 * 3600_000).toISOString();
  return `D:${vn.slice(0, 4)}${vn.slice(5, 7)}${vn.slice(8, 10)}${vn.slice(11, 13)}${vn.slice(14, 16)}${vn.slice(17, 19)}+07'00'`;
}

export type SignatureDictOptions = Pick<SignatureRequest, 'signer' | 'signingTime' | 'reason' | 'location'>;

/** The signature dictionary with room for the byte range and the CMS, filled by `fillSignature`. */
export function addSignatureDict(update: IncrementalUpdate, req: SignatureDictOptions): { ref: Ref; dict: PdfDict } {
  const signerName = new X509Certificate(req.signer.chain[0]!).subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  const sig = dict({
    Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: new Raw(BYTE_RANGE_PLACEHOLDER), Contents: new Raw(`<${'0'.repeat(CONTENTS_BYTES * 2)}>`),
    M: pdfDate(req.signingTime), Name: signerName, Reason: req.reason, ...(req.location ? { Location: req.location } : {}),
  });
  return { ref: update.add(sig), dict: sig };
}

/** A new signature field with its widget, and whatever the revision declares with it. */
export function appendSignature(bytes: Buffer, req: SignatureRequest): Buffer {
  const pdf = readPdf(bytes);
  const pages = pageRefs(pdf);
  const update = new IncrementalUpdate(pdf);
  const sig = addSignatureDict(update, req);
  const pageIndex = req.widget?.page ?? 0;
  const pageRef = pages[pageIndex];
  if (!pageRef) throw new Error(`page ${pageIndex + 1} does not exist`);
  const rect = req.widget?.rect ?? [0, 0, 0, 0];
  const ap = req.widget ? req.widget.appearance(update) : { content: '', resources: dict({}) };
  const apRef = update.add(dict({
    Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, rect[2] - rect[0], rect[3] - rect[1]], Resources: ap.resources,
  }), Buffer.from(ap.content, 'latin1'));
  const widget = dict({
    Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: req.fieldName, V: sig.ref, P: pageRef,
    Rect: rect, F: 132, AP: dict({ N: apRef }),
  });
  const widgetRef = update.add(widget);
  const declared = req.declare?.(update, pages, sig) ?? { fields: [] };
  for (const [k, v] of Object.entries(declared.sigField ?? {})) widget.set(k, v);

  const added = [{ page: pageIndex, ref: widgetRef }, ...declared.fields];
  for (const [i, ref] of pages.entries()) {
    const mine = added.filter((a) => a.page === i).map((a) => a.ref);
    if (mine.length === 0) continue;
    const page = new Map(getDict(pdf, ref));
    page.set('Annots', [...existingArray(pdf, page.get('Annots')), ...mine]);
    update.put(ref, page);
  }
  addFields(pdf, update, added.map((a) => a.ref), declared);

  const out = update.toBuffer();
  return fillSignature(out, pdf.bytes.length, req);
}

export function existingArray(pdf: PdfFile, v: PdfValue | undefined): PdfValue[] {
  const resolved = v instanceof Ref ? getObject(pdf, v) : v;
  return Array.isArray(resolved) ? resolved : [];
}

/** Adds the fields to the catalog's AcroForm (replacing the AcroForm object when it is indirect). */
function addFields(pdf: PdfFile, update: IncrementalUpdate, fields: Ref[], extra: Declaration): void {
  const rootRef = pdf.trailer.get('Root') as Ref;
  const catalog = new Map(getDict(pdf, rootRef));
  const current = catalog.get('AcroForm');
  const form = current === undefined ? dict({}) : new Map(getDict(pdf, current));
  form.set('Fields', [...existingArray(pdf, form.get('Fields')), ...fields]);
  form.set('SigFlags', 3);
  for (const [k, v] of Object.entries(extra.acroForm ?? {})) form.set(k, v);
  for (const [k, v] of Object.entries(extra.catalog ?? {})) catalog.set(k, v);
  if (current instanceof Ref) update.put(current, form); else catalog.set('AcroForm', update.add(form));
  if (!(current instanceof Ref) || extra.catalog) update.put(rootRef, catalog);
}

/** Writes the byte range, signs both ranges and writes the CMS into /Contents. */
export function fillSignature(out: Buffer, searchFrom: number, req: SignatureDictOptions): Buffer {
  const brAt = out.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, searchFrom, 'latin1') + '/ByteRange '.length;
  const contentsAt = out.indexOf('/Contents <', brAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsAt + CONTENTS_BYTES * 2 + 2;
  const range = `[0 ${contentsAt} ${contentsEnd} ${out.length - contentsEnd}]`;
  if (range.length > BYTE_RANGE_PLACEHOLDER.length) throw new Error('file too large for the byte range placeholder');
  out.write(range.slice(0, -1).padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']', brAt, 'latin1');
  const cms = cmsSignDetached({
    content: [out.subarray(0, contentsAt), out.subarray(contentsEnd)],
    ...('external' in req.signer ? { external: req.signer.external } : { privateKey: req.signer.privateKey }),
    chainDer: req.signer.chain.map((pem) => Buffer.from(new X509Certificate(pem).raw)),
  });
  if (cms.length > CONTENTS_BYTES) throw new Error(`signature of ${cms.length} bytes does not fit`);
  out.write(cms.toString('hex').padEnd(CONTENTS_BYTES * 2, '0'), contentsAt + 1, 'latin1');
  return out;
}
