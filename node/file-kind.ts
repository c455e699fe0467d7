// Is a file what it claims to be? The magic number only says how a file
// starts: "%PDF-" followed by an HTML page, or the 8 bytes of a PNG signature
// alone, pass it. So a declared PDF must open in a real PDF reader (Mozilla's
// pdf.js: its cross-reference table or stream, trailer and page tree, at least
// one page) and an image must decode (pngjs, which checks every chunk's CRC
// and inflates the pixels; jpeg-js). Well-kept libraries rather than our own
// parser: certs/pdf-file.ts reads only the classic cross-reference tables
// pdfkit writes, and real scanners write streams. pdf.js runs in a worker
// thread (node/pdf-check.ts).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { wardError } from '../sync/errors.js';
import { pdfPages } from './pdf-check.js';

export type FileType = 'application/pdf' | 'image/png' | 'image/jpeg';

/** What is wrong with a file that claims `type`, or null when it is one. */
export type FileProblem = 'wrong-magic' | 'unreadable' | 'too-many-pixels';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A scan of an A4 page at 600 dpi is ~35 megapixels; past this a decode would hold hundreds of MB. */
const MAX_PIXELS = 80_000_000;

/** The first bytes alone: a renamed .exe is not a PDF. */
export function hasMagic(bytes: Buffer, type: FileType): boolean {
  if (type === 'application/pdf') return bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  if (type === 'image/png') return bytes.subarray(0, 8).equals(PNG_MAGIC);
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** The type a file's first bytes claim, or null. */
export function sniff(bytes: Buffer): FileType | null {
  return (['application/pdf', 'image/png', 'image/jpeg'] as const).find((t) => hasMagic(bytes, t)) ?? null;
}

/** Checks a file against its declared type, beyond the magic number. */
export async function checkFile(bytes: Buffer, type: FileType): Promise<FileProblem | null> {
  if (bytes.length === 0 || !hasMagic(bytes, type)) return 'wrong-magic';
  if (type === 'application/pdf') return (await pdfPages(bytes)) > 0 ? null : 'unreadable';
  if (type === 'image/png') return checkPng(bytes);
  return checkJpeg(bytes);
}

/** PNG: the signature alone (or any broken chunk, CRC or compressed data) does not decode. */
export function checkPng(bytes: Buffer): FileProblem | null {
  // IHDR first: width and height at 16 and 20, checked before anything is inflated.
  if (bytes.length < 33 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return 'unreadable';
  if (bytes.readUInt32BE(16) * bytes.readUInt32BE(20) > MAX_PIXELS) return 'too-many-pixels';
  try {
    const png = PNG.sync.read(bytes, { checkCRC: true });
    return png.width > 0 && png.height > 0 ? null : 'unreadable';
  } catch { return 'unreadable'; }
}

function checkJpeg(bytes: Buffer): FileProblem | null {
  try {
    const image = jpeg.decode(bytes, { useTArray: true, maxResolutionInMP: MAX_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 });
    return image.width > 0 && image.height > 0 ? null : 'unreadable';
  } catch (err) {
    return /maxResolutionInMP|maxMemoryUsageInMB/.test(String((err as Error).message)) ? 'too-many-pixels' : 'unreadable';
  }
}

/** Refuses a file that is not what it claims (node/file-kind.ts): a wrong start as before, and now one that does not open or decode. */
export async function refuseUnlessGenuine(bytes: Buffer, type: FileType, name?: string): Promise<void> {
  const problem = await checkFile(bytes, type);
  if (problem === null) return;
  if (problem === 'wrong-magic') throw wardError('bad_attachment');
  const kind = type === 'application/pdf' ? 'PDF' : type === 'image/png' ? 'PNG' : 'JPEG';
  const label = name ? `"${name}"` : '';
  throw wardError(problem === 'too-many-pixels' ? 'image_too_large' : 'file_unreadable', [{
    path: name ? `attachments.${name}` : 'file',
    vi: problem === 'too-many-pixels' ? `Ảnh ${label} quá nhiều điểm ảnh (tối đa 80 triệu).` : `Tệp ${label} khai báo là ${kind} nhưng không mở được như một tệp ${kind}.`,
    en: problem === 'too-many-pixels' ? `Image ${label} has too many pixels (80 million at most).` : `File ${label} claims to be a ${kind} but does not open as one.`,
  }]);
}
