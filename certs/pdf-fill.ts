// The clerk's step as one incremental update over the leader-signed file:
// fill the declared text fields (number, day, month, year: /V and an
// appearance in the embedded Vietnamese font, at the size of the line each
// sits on) and sign the declared seal field (/V the signature dictionary, the
// red seal as its appearance). Nothing else is written: no page, catalog or
// AcroForm object changes, so the leader's DocMDP/FieldMDP holds and the
// verifier sees only form filling and signing (pdf-changes.ts).
import { wardError } from '../sync/errors.js';
import { FONTS } from './fonts.js';
import { formFields, SEAL_FIELD, SLOT_FIELDS, type FormField, type TextSlot } from './pdf-fields.js';
import { embedFont, type EmbeddedFont } from './pdf-font.js';
import { IncrementalUpdate, readPdf } from './pdf-file.js';
import { dict, name, nameOf, type PdfDict } from './pdf-objects.js';
import { addSignatureDict, fillSignature, type Appearance, type SignatureDictOptions } from './pdf-signature.js';

export interface FillRequest extends SignatureDictOptions {
  values: Record<TextSlot, string>;
  /** The seal's appearance in a box of the declared field's size. */
  seal: (u: IncrementalUpdate, width: number, height: number) => Appearance;
}

const fmt = (n: number) => n.toFixed(2);

export function fillAndSeal(bytes: Buffer, req: FillRequest): Buffer {
  const pdf = readPdf(bytes);
  const fields = new Map(formFields(pdf).map((f) => [f.name, f]));
  const field = (n: string, ft: string): FormField => {
    const f = fields.get(n);
    // A leader-signed file without the declared slots (signed before they existed) cannot be
    // completed without changing what the leader signed.
    if (!f || nameOf(f.dict.get('FT')) !== ft) throw wardError('signature_required');
    return f;
  };
  const seal = field(SEAL_FIELD, 'Sig');
  if (seal.dict.get('V') !== undefined) throw wardError('signature_required');
  const u = new IncrementalUpdate(pdf);
  const slots = (Object.keys(SLOT_FIELDS) as TextSlot[]).map((slot) => ({ slot, f: field(SLOT_FIELDS[slot], 'Tx') }));
  const regular = embedFont(u, FONTS.regular, slots.filter((s) => s.slot === 'number').map((s) => req.values[s.slot]));
  const italic = embedFont(u, FONTS.italic, slots.filter((s) => s.slot !== 'number').map((s) => req.values[s.slot]));
  for (const { slot, f } of slots) {
    const [w, h] = size(f.dict);
    const fontSize = Number(/([\d.]+)\s+Tf/.exec(String(f.dict.get('DA') ?? ''))?.[1] ?? 13);
    const ap = textAppearance(slot === 'number' ? regular : italic, w, h, req.values[slot], fontSize, slot === 'number' ? 'right' : 'center');
    const form = u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, w, h], Resources: ap.resources }), Buffer.from(ap.content, 'latin1'));
    u.put(f.ref, new Map([...f.dict, ['V', req.values[slot]], ['AP', dict({ N: form })]]));
  }
  const sig = addSignatureDict(u, req);
  sig.dict.set('Reference', [dict({ Type: name('SigRef'), TransformMethod: name('FieldMDP'), TransformParams: dict({ Type: name('TransformParams'), Action: name('All'), V: name('1.2') }) })]);
  const [w, h] = size(seal.dict);
  const ap = req.seal(u, w, h);
  const form = u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, w, h], Resources: ap.resources }), Buffer.from(ap.content, 'latin1'));
  u.put(seal.ref, new Map([...seal.dict, ['V', sig.ref], ['AP', dict({ N: form })]]));
  return fillSignature(u.toBuffer(), pdf.bytes.length, req);
}

function size(d: PdfDict): [number, number] {
  const r = d.get('Rect');
  if (!Array.isArray(r) || r.length !== 4 || !r.every((x) => typeof x === 'number')) throw wardError('signature_required');
  const [x1, y1, x2, y2] = r as number[];
  return [Math.abs(x2! - x1!), Math.abs(y2! - y1!)];
}

/** One line of text on the box's baseline (1/5 up, as the renderer reports blanks). */
export function textAppearance(font: EmbeddedFont, width: number, height: number, text: string, fontSize: number, align: 'center' | 'right'): Appearance {
  // Text wider than its slot (a four-digit number) is set smaller rather than clipped by the BBox.
  const natural = font.show(text, fontSize).width;
  const size = natural > width ? Math.floor((fontSize * width * 100) / natural) / 100 : fontSize;
  const { hex, width: tw } = font.show(text, size);
  const x = align === 'center' ? (width - tw) / 2 : width - tw;
  return { content: `BT /F1 ${size} Tf 0 g 1 0 0 1 ${fmt(Math.max(0, x))} ${fmt(height / 5)} Tm <${hex}> Tj ET`, resources: dict({ Font: dict({ F1: font.ref }) }) };
}
