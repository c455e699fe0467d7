// What an incremental update after a signature may change, per the Decree 30
// workflow: after the leader's signature the clerk adds the number and date
// (stamp annotations with their appearance, fonts and images) and the agency
// signature (widget, signature dictionary, AcroForm). Any other change — new
// page content, an edited object, a replaced page resource — is refused.
import { getObject, readPdf, type PdfFile } from './pdf-file.js';
import { nameOf, parseValue, serialize, type PdfDict, type PdfValue } from './pdf-objects.js';

const NEW_TYPES = new Set(['XObject', 'Font', 'FontDescriptor', 'Sig']);
const NEW_ANNOTS = new Set(['Widget', 'Stamp']);

/** Returns null when every object written after `coversBytes` is allowed, else what is not. */
export function checkChangesAfter(pdf: Buffer, coversBytes: number): string | null {
  let base: PdfFile;
  try { base = readPdf(pdf.subarray(0, coversBytes)); } catch (err) { return `signed revision unreadable: ${(err as Error).message}`; }
  const src = pdf.toString('latin1');
  const objectHead = /(?:^|[\r\n])(\d+)\s+(\d+)\s+obj\b/g;
  objectHead.lastIndex = Math.max(0, coversBytes - 1); // from the newline that ends the signed revision
  for (let m = objectHead.exec(src); m; m = objectHead.exec(src)) {
    const num = Number(m[1]);
    let value: PdfValue;
    let end: number;
    try { ({ value, end } = parseValue(src, m.index + m[0].length)); } catch { return `object ${num} unreadable`; }
    const isStream = /^\s*stream\r?\n/.test(src.slice(end, end + 10));
    const problem = num >= base.size ? checkNew(num, value, isStream) : checkReplaced(base, num, value);
    if (problem) return problem;
  }
  return null;
}

function checkNew(num: number, v: PdfValue, isStream: boolean): string | null {
  if (!(v instanceof Map)) return `new object ${num} is not a dictionary`;
  const type = nameOf(v.get('Type'));
  if (type === 'Annot') return NEW_ANNOTS.has(nameOf(v.get('Subtype')) ?? '') ? null : `new annotation ${num} of type ${nameOf(v.get('Subtype'))}`;
  if (type && NEW_TYPES.has(type)) return null;
  if (!type && isStream) return null; // font files, ToUnicode maps, image and appearance data
  if (!type && v.has('Fields')) return null; // AcroForm
  if (!type && nameOf(v.get('Subtype')) === 'Image') return null;
  return `new object ${num} (${type ?? 'untyped'}) is not allowed`;
}

function checkReplaced(base: PdfFile, num: number, v: PdfValue): string | null {
  let old: PdfValue;
  try { old = getObject(base, num); } catch { return `object ${num} replaced but not found in the signed revision`; }
  if (!(old instanceof Map) || !(v instanceof Map)) return `object ${num} was changed`;
  const type = nameOf(old.get('Type'));
  if (type === 'Catalog') return sameExcept(old, v, ['AcroForm']) ? null : `the document catalog was changed`;
  if (type === 'Page') {
    if (!sameExcept(old, v, ['Annots'])) return `page object ${num} was changed`;
    const before = annots(old);
    const after = annots(v);
    return before.every((a) => after.includes(a)) ? null : `annotations were removed from page object ${num}`;
  }
  if (old.has('Fields')) return sameExcept(old, v, ['Fields', 'SigFlags']) ? null : `the form was changed`;
  return `object ${num} (${type ?? 'untyped'}) was changed`;
}

function sameExcept(a: PdfDict, b: PdfDict, keys: string[]): boolean {
  const strip = (d: PdfDict) => serialize(new Map([...d].filter(([k]) => !keys.includes(k)).sort(([x], [y]) => x.localeCompare(y))));
  return strip(a) === strip(b);
}

const annots = (d: PdfDict): string[] => { const a = d.get('Annots'); return Array.isArray(a) ? a.map(serialize) : []; };
