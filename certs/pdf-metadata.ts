// What a signed PDF says about itself in its document information: the title
// WardDesk writes at render time (node/pdf-render.ts sets it to the subject),
// read from the revision the first signature covers, so only what the signer
// signed counts. The city hub compares it with the replicated record: a record
// rewritten after signing no longer matches the PDF it points to.
import { getDict, getObject, readPdf } from './pdf-file.js';
import { HexString, Ref, type PdfValue } from './pdf-objects.js';
import { locateSignatures } from './pdf-revisions.js';

/** The /Title of the first signed revision; null when there is no signature, no title or the file cannot be read. */
export function signedTitle(pdf: Buffer): string | null { return signedInfo(pdf, 'Title'); }

/**
 * The issuing agency of a WardDesk document: node/pdf-render.ts writes the agency name it prints
 * in the header as /Author. Read from the leader-signed revision, so a later update cannot change it.
 */
export function signedAgency(pdf: Buffer): string | null { return signedInfo(pdf, 'Author'); }

/** An entry of the document information as the first signature covers it. */
export function signedInfo(pdf: Buffer, key: 'Title' | 'Author'): string | null {
  try {
    const first = locateSignatures(pdf.toString('latin1')).find((l) => l.ok);
    if (!first?.ok) return null;
    const revision = readPdf(pdf.subarray(0, first.range.coversBytes));
    const info = revision.trailer.get('Info');
    if (!(info instanceof Ref)) return null;
    const value = getDict(revision, info).get(key);
    // pdfkit writes each entry as an indirect string object.
    return textString(value instanceof Ref ? getObject(revision, value) : value);
  } catch {
    return null;
  }
}

/** A PDF text string (ISO 32000-1 §7.9.2.2): UTF-16BE with a byte-order mark, else PDFDocEncoding (latin1 for what we write). */
export function textString(v: PdfValue | undefined): string | null {
  const bytes = v instanceof HexString ? v.bytes : Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, 'latin1') : null;
  if (!bytes) return null;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('latin1');
}
