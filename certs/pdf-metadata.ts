// What a signed PDF says about itself in its document information: the title
// WardDesk writes at render time (node/pdf-render.ts sets it to the subject),
// read from the revision the first signature covers, so only what the signer
// signed counts. The city hub compares it with the replicated record: a record
// rewritten after signing no longer matches the PDF it points to.
import { getDict, getObject, readPdf } from './pdf-file.js';
import { HexString, Ref, type PdfValue } from './pdf-objects.js';
import { locateSignatures } from './pdf-revisions.js';

/** The /Title of the first signed revision; null when there is no signature, no title or the file cannot be read. */
export function signedTitle(pdf: Buffer): string | null {
  try {
    const first = locateSignatures(pdf.toString('latin1')).find((l) => l.ok);
    if (!first?.ok) return null;
    const revision = readPdf(pdf.subarray(0, first.range.coversBytes));
    const info = revision.trailer.get('Info');
    if (!(info instanceof Ref)) return null;
    const title = getDict(revision, info).get('Title');
    // pdfkit writes the title as an indirect string object.
    return textString(title instanceof Ref ? getObject(revision, title) : title);
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
