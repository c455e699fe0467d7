// What an incremental update after a signature may change, per the Decree 30
// workflow: after the leader's signature the clerk adds the number and date
// (stamp annotations with their appearance, fonts and images) and the agency
// signature (widget, signature dictionary, AcroForm). Any other change — new
// page content, an edited object, a replaced page resource, a removed object —
// is refused.
//
// The objects compared are those a PDF reader sees: the signed revision's
// cross-reference view against the whole file's (pdf-revisions.ts), not a scan
// of the bytes for "n 0 obj", which an object written after other whitespace
// or placed inside a stream would escape.
import { getObject, type PdfFile } from './pdf-file.js';
import { nameOf, serialize, type PdfDict, type PdfValue } from './pdf-objects.js';
import { compareRevisions, readObject } from './pdf-revisions.js';

const NEW_TYPES = new Set(['XObject', 'Font', 'FontDescriptor', 'Sig']);
const NEW_ANNOTS = new Set(['Widget', 'Stamp']);
/** A new annotation may cover at most this share of its page: the seal is ~2 %, a stamp less. An
 * annotation as large as the page could paint over the signed content (an "evil annotation"). */
const MAX_ANNOT_SHARE = 1 / 8;

/** Returns null when every object changed after `coversBytes` is allowed, else what is not. */
export function checkChangesAfter(pdf: Buffer, coversBytes: number): string | null {
  const cmp = compareRevisions(pdf, coversBytes);
  if (typeof cmp === 'string') return cmp;
  const { before, after, changed } = cmp;
  for (const num of changed) {
    if (!after.offsets.has(num)) return `object ${num} was removed`;
    let obj: { value: PdfValue; isStream: boolean };
    try { obj = readObject(after, num); } catch (err) { return `object ${num} unreadable: ${(err as Error).message}`; }
    const problem = before.offsets.has(num) ? checkReplaced(before, num, obj.value) : checkNew(num, obj.value, obj.isStream);
    if (problem) return problem;
  }
  return null;
}

function checkNew(num: number, v: PdfValue, isStream: boolean): string | null {
  if (!(v instanceof Map)) return `new object ${num} is not a dictionary`;
  const type = nameOf(v.get('Type'));
  if (type === 'Annot') {
    const subtype = nameOf(v.get('Subtype')) ?? '';
    if (!NEW_ANNOTS.has(subtype)) return `new annotation ${num} of type ${subtype}`;
    return annotTooLarge(num, v);
  }
  if (type && NEW_TYPES.has(type)) return null;
  if (!type && isStream) return null; // font files, ToUnicode maps, image and appearance data
  if (!type && v.has('Fields')) return null; // AcroForm
  if (!type && nameOf(v.get('Subtype')) === 'Image') return null;
  return `new object ${num} (${type ?? 'untyped'}) is not allowed`;
}

function annotTooLarge(num: number, annot: PdfDict): string | null {
  const rect = annot.get('Rect');
  if (!Array.isArray(rect) || rect.length !== 4 || !rect.every((x) => typeof x === 'number')) return `new annotation ${num} has no rectangle`;
  const [x1, y1, x2, y2] = rect as number[];
  const area = Math.abs((x2! - x1!) * (y2! - y1!));
  const page = 595.28 * 841.89; // A4: a larger MediaBox does not make a larger stamp acceptable
  return area <= page * MAX_ANNOT_SHARE ? null : `new annotation ${num} covers ${Math.round((100 * area) / page)} % of a page`;
}

function checkReplaced(before: PdfFile, num: number, v: PdfValue): string | null {
  let old: PdfValue;
  try { old = getObject(before, num); } catch { return `object ${num} replaced but not found in the signed revision`; }
  if (!(old instanceof Map) || !(v instanceof Map)) return `object ${num} was changed`;
  const type = nameOf(old.get('Type'));
  if (type === 'Catalog') return sameExcept(old, v, ['AcroForm']) ? null : `the document catalog was changed`;
  if (type === 'Page') {
    if (!sameExcept(old, v, ['Annots'])) return `page object ${num} was changed`;
    const beforeAnnots = annots(old);
    const afterAnnots = annots(v);
    return beforeAnnots.every((a) => afterAnnots.includes(a)) ? null : `annotations were removed from page object ${num}`;
  }
  if (old.has('Fields')) return sameExcept(old, v, ['Fields', 'SigFlags']) ? null : `the form was changed`;
  return `object ${num} (${type ?? 'untyped'}) was changed`;
}

function sameExcept(a: PdfDict, b: PdfDict, keys: string[]): boolean {
  const strip = (d: PdfDict) => serialize(new Map([...d].filter(([k]) => !keys.includes(k)).sort(([x], [y]) => x.localeCompare(y))));
  return strip(a) === strip(b);
}

const annots = (d: PdfDict): string[] => { const a = d.get('Annots'); return Array.isArray(a) ? a.map(serialize) : []; };
