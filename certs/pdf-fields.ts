// The slots the clerk fills after the leader signed, declared in the revision
// the leader signs, as any PAdES validator understands them (ISO 32000-1
// §12.7, §12.8.2): AcroForm text fields for the number and the day, month and
// year of issue, and an empty signature field for the agency's seal over the
// left third of the leader's signature image. The leader's signature is a
// certification signature (DocMDP P=2: form fill-in and signing allowed) with
// a FieldMDP transform that locks every field except those slots, so a
// validator with modification analysis calls the clerk's step "form filling"
// instead of unrecognised annotations. The verifier (pdf-changes.ts) reads the
// same declarations back: nothing else may change.
import type { Box } from './pdf-boxes.js';
import { getDict, getObject, type PdfFile } from './pdf-file.js';
import { dict, HexString, name, nameOf, Ref, type PdfDict, type PdfValue } from './pdf-objects.js';
import type { Declaration } from './pdf-signature.js';
import type { IncrementalUpdate } from './pdf-file.js';

/** Field names (ASCII: any reader shows them) of the clerk's slots. */
export const SLOT_FIELDS = { number: 'SoVanBan', day: 'NgayBanHanh', month: 'ThangBanHanh', year: 'NamBanHanh' } as const;
export const SEAL_FIELD = 'CoQuanKy';
export type TextSlot = keyof typeof SLOT_FIELDS;

export interface SlotDeclaration {
  /** Each text slot's box; its `size` is the font size of the line it sits on. */
  text: Record<TextSlot, Box>;
  seal: { page: number; rect: [number, number, number, number] };
}

const READ_ONLY = 1;
const PRINT = 4;

/** The leader's revision: the slots as fields, the signature locking everything else. */
export function declareSlots(slots: SlotDeclaration): (u: IncrementalUpdate, pages: Ref[], sig: { ref: Ref; dict: PdfDict }) => Declaration {
  return (u, pages, sig) => {
    const page = (i: number) => { const p = pages[i]; if (!p) throw new Error(`page ${i + 1} does not exist`); return p; };
    const empty = (w: number, h: number) => u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, w, h], Resources: dict({}) }), Buffer.alloc(0));
    const fields: { page: number; ref: Ref }[] = [];
    for (const [slot, field] of Object.entries(SLOT_FIELDS) as [TextSlot, string][]) {
      const b = slots.text[slot];
      fields.push({ page: b.page, ref: u.add(dict({
        Type: name('Annot'), Subtype: name('Widget'), FT: name('Tx'), T: field, Ff: READ_ONLY, F: PRINT, P: page(b.page),
        Rect: [b.x, b.y, b.x + b.width, b.y + b.height], DA: `/Helv ${b.size ?? 13} Tf 0 g`, Q: slot === 'number' ? 2 : 1,
        AP: dict({ N: empty(b.width, b.height) }),
      })) });
    }
    const r = slots.seal.rect;
    fields.push({ page: slots.seal.page, ref: u.add(dict({
      Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: SEAL_FIELD, F: PRINT, P: page(slots.seal.page), Rect: r,
      // Once the seal signs, nothing more may change (PDF 2.0 /P 1 in the lock).
      Lock: dict({ Type: name('SigFieldLock'), Action: name('All'), P: 1 }),
      AP: dict({ N: empty(r[2] - r[0], r[3] - r[1]) }),
    })) });
    const open = [...Object.values(SLOT_FIELDS), SEAL_FIELD];
    const fieldMdp = dict({ Type: name('TransformParams'), Action: name('Exclude'), Fields: open, V: name('1.2') });
    sig.dict.set('Reference', [
      dict({ Type: name('SigRef'), TransformMethod: name('DocMDP'), TransformParams: dict({ Type: name('TransformParams'), P: 2, V: name('1.2') }) }),
      dict({ Type: name('SigRef'), TransformMethod: name('FieldMDP'), TransformParams: fieldMdp }),
    ]);
    return {
      fields,
      sigField: { Lock: dict({ Type: name('SigFieldLock'), Action: name('Exclude'), Fields: open }) },
      catalog: { Perms: dict({ DocMDP: sig.ref }) },
      acroForm: {
        DA: '/Helv 13 Tf 0 g',
        DR: dict({ Font: dict({ Helv: dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica'), Encoding: name('WinAnsiEncoding') }) }) }),
      },
    };
  };
}

/** A terminal field of the AcroForm, by its full name: the merged field/widget object and its dictionary. */
export interface FormField { name: string; ref: Ref; dict: PdfDict }

/** Every terminal field, depth-first; cycles and absurd depth are hostile input and end the walk. */
export function formFields(pdf: PdfFile): FormField[] {
  const catalog = getDict(pdf, pdf.trailer.get('Root'));
  const acro = catalog.get('AcroForm');
  if (acro === undefined) return [];
  const fieldsValue = getDict(pdf, acro).get('Fields');
  const top = fieldsValue instanceof Ref ? getObject(pdf, fieldsValue) : fieldsValue;
  const out: FormField[] = [];
  const seen = new Set<number>();
  const walk = (refs: PdfValue, prefix: string, depth: number) => {
    if (!Array.isArray(refs) || depth > 16) return;
    for (const r of refs) {
      if (!(r instanceof Ref) || seen.has(r.num)) continue;
      seen.add(r.num);
      const d = getDict(pdf, r);
      const t = d.get('T');
      const part = t === undefined ? '' : fieldValue(t);
      const full = prefix && part ? `${prefix}.${part}` : prefix || part;
      const kids = d.get('Kids');
      if (Array.isArray(kids) && kids.some((k) => k instanceof Ref && getDict(pdf, k).has('T'))) walk(kids, full, depth + 1);
      else out.push({ name: full, ref: r, dict: d });
    }
  };
  walk(top ?? [], '', 0);
  return out;
}

/** A PDF text string's bytes as text: UTF-16BE with a BOM, else PDFDocEncoding (≈ latin1). */
export function decodeText(b: Buffer): string {
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
  return b.toString('latin1');
}

/** The value a field shows, as text ('' when empty). */
export function fieldValue(v: PdfValue | undefined): string {
  if (Buffer.isBuffer(v)) return decodeText(v);
  // A literal string read back is written as hex (serialize): the same text.
  if (v instanceof HexString) return decodeText(v.bytes);
  if (typeof v === 'string') return v;
  if (v instanceof Ref) return v.toString();
  return v === undefined || v === null ? '' : String(nameOf(v) ?? '');
}
