// Renders an outgoing document as a Decree 30/2020 PDF with pdfkit: A4, the
// decree's margins and font sizes, national title and motto, agency, number
// and symbol, place and date, type and subject, justified body, signer block
// and recipients, page numbers from page 2, Liberation Serif (Times New
// Roman metrics) embedded. The number and the date are not known when the
// leader signs: they are left blank and their boxes reported (RenderLayout),
// so the clerk's step stamps them over the signed file (certs/pdf-sign.ts).
//   renderDocument({ content, ward, number?, date? }) → { pdf, layout }
import PDFDocument from 'pdfkit';
import { FONTS } from '../certs/fonts.js';
import type { Box, RenderLayout } from '../certs/pdf-boxes.js';
import { DOCUMENT_TYPES } from '../sync/doc-types.js';
import { wardError } from '../sync/errors.js';
import { bodyParagraphs, recipientLines } from '../sync/decree30-text.js';
import { formatSymbol } from '../sync/numbering-format.js';
import type { OutgoingDraft } from '../sync/schema.js';

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM };
const CONTENT_W = PAGE.width - MARGIN.left - MARGIN.right;
// Both header columns stay inside the margins (left 30 mm, right 15 mm): long names wrap in them.
const LEFT_COL = { x: MARGIN.left, width: 63 * MM };
const RIGHT_COL = { x: MARGIN.left + 65 * MM, width: CONTENT_W - 65 * MM };
/** The number's blank: three digits wide, so "Số:", the number and "/symbol" read as one run (pdftotext splits at a wider gap); a longer number is set smaller to fit (certs/pdf-fill.ts). */
const NUMBER_BLANK = 20;
const SIGNATURE_HEIGHT = 30 * MM;

export interface RenderInput {
  content: OutgoingDraft;
  ward: { agencyParent: string; agencyName: string; agencyCode: string; place: string };
  /** Known only for re-renders (paper, copies); blank otherwise. */
  number?: string;
  date?: { day: string; month: string; year: string };
}

/** A box in PDF space from pdfkit's top-down coordinates. */
const box = (page: number, x: number, top: number, width: number, height: number): Box => ({ page, x, y: PAGE.height - top - height, width, height });

export async function renderDocument(input: RenderInput): Promise<{ pdf: Buffer; layout: RenderLayout }> {
  const c = input.content;
  if (!c.subject.trim()) throw wardError('invalid_input', [{ path: 'subject', vi: 'Thiếu trích yếu.', en: 'The subject is missing.' }]);
  if (!c.signerName.trim() || !c.signerTitle.trim()) {
    throw wardError('invalid_input', [{ path: 'signerName', vi: 'Thiếu chức vụ hoặc họ tên người ký.', en: 'The signer\'s title or name is missing.' }]);
  }
  const doc = new PDFDocument({ size: 'A4', margins: MARGIN, autoFirstPage: true, bufferPages: true, info: { Title: c.subject, Author: input.ward.agencyName, Creator: 'WardDesk' } });
  // Author = the issuing agency printed in the header: the verifier holds the seal's certificate to it (certs/pdf-metadata.ts).
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const ended = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('R', FONTS.regular).registerFont('B', FONTS.bold).registerFont('I', FONTS.italic).registerFont('BI', FONTS.boldItalic);

  const top = MARGIN.top;
  // Left: parent agency (if any), issuing agency (bold, with a short rule), number and symbol.
  // Since 1 July 2025 a UBND phường answers to the province directly: no parent line unless the ward sets one.
  if (input.ward.agencyParent.trim()) doc.font('R').fontSize(13).text(input.ward.agencyParent.toUpperCase(), LEFT_COL.x, top, { width: LEFT_COL.width, align: 'center' });
  doc.font('B').fontSize(13).text(input.ward.agencyName.toUpperCase(), LEFT_COL.x, input.ward.agencyParent.trim() ? doc.y : top, { width: LEFT_COL.width, align: 'center' });
  rule(doc, LEFT_COL.x + LEFT_COL.width / 2, doc.y + 1, Math.min(doc.widthOfString(input.ward.agencyName.toUpperCase()), LEFT_COL.width) * 0.4);
  const symbol = formatSymbol({ docType: c.docType, agencyCode: input.ward.agencyCode, unitCode: c.unitCode });
  const numberTop = doc.y + 10;
  const number = blankLine(doc, 'R', 13, LEFT_COL, numberTop, ['Số: ', { blank: NUMBER_BLANK, text: input.number, align: 'right' }, `/${symbol}`]);
  if (c.docType === 'CV') doc.font('R').fontSize(12).text(`V/v ${c.subject}`, LEFT_COL.x, numberTop + 22, { width: LEFT_COL.width, align: 'center' });
  const leftBottom = doc.y;

  // Right: national title, motto with a rule as wide as it, place and date in italics.
  doc.font('B').fontSize(12.5).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', RIGHT_COL.x, top, { width: RIGHT_COL.width, align: 'center' });
  doc.font('B').fontSize(13.5).text('Độc lập - Tự do - Hạnh phúc', { width: RIGHT_COL.width, align: 'center' });
  rule(doc, RIGHT_COL.x + RIGHT_COL.width / 2, doc.y + 1, doc.widthOfString('Độc lập - Tự do - Hạnh phúc'));
  const d = input.date;
  const dateLine: Piece[] = [' tháng ', { blank: 20, text: d?.month }, ' năm ', { blank: 32, text: d?.year }];
  const oneLine: Piece[] = [`${input.ward.place}, ngày `, { blank: 20, text: d?.day }, ...dateLine];
  doc.font('I').fontSize(13.5);
  // A place name too long for one line goes on its own line(s), the date under it.
  const fits = widthOf(doc, oneLine) <= RIGHT_COL.width;
  let dateTop = numberTop;
  if (!fits) {
    doc.text(`${input.ward.place},`, RIGHT_COL.x, numberTop, { width: RIGHT_COL.width, align: 'center' });
    dateTop = doc.y;
  }
  const [day, month, year] = blankLine(doc, 'I', 13.5, RIGHT_COL, dateTop, fits ? oneLine : ['ngày ', { blank: 20, text: d?.day }, ...dateLine]) as [Box, Box, Box];
  const rightBottom = doc.y;

  // Type name and subject, centred.
  doc.x = MARGIN.left;
  doc.y = Math.max(leftBottom, rightBottom, numberTop + 30) + 18;
  if (c.docType !== 'CV') {
    doc.font('B').fontSize(14).text(DOCUMENT_TYPES[c.docType].toUpperCase(), MARGIN.left, doc.y, { width: CONTENT_W, align: 'center' });
    doc.font('B').fontSize(14).text(c.subject, { width: CONTENT_W, align: 'center' });
    // Below the subject's last line, clear of its descenders and of the dots under ạ, ộ, ụ.
    rule(doc, MARGIN.left + CONTENT_W / 2, doc.y + 3, 45 * MM);
    doc.moveDown(1);
  } else {
    doc.moveDown(0.5);
  }

  // Body: 14 pt, justified, first-line indent 1 cm, 6 pt between paragraphs.
  const body = { width: CONTENT_W, align: 'justify', indent: 10 * MM, paragraphGap: 6, lineGap: 1.5 } as const;
  for (const p of bodyParagraphs(c.body)) {
    if (p.kind === 'operative') {
      doc.font('B').fontSize(14).text(p.text, MARGIN.left, doc.y + 3, { width: CONTENT_W, align: 'center', paragraphGap: 9 });
    } else if (p.kind === 'article') {
      doc.font('B').fontSize(14).text(`${p.label} `, MARGIN.left, doc.y, { ...body, continued: true });
      doc.font('R').text(p.text, body);
    } else {
      doc.font(p.kind === 'basis' ? 'I' : 'R').fontSize(14).text(p.text, MARGIN.left, doc.y, body);
    }
  }

  // Signer block (right) and recipients (left) side by side; never split across pages.
  const blockHeight = 14 * 2 * 1.3 + SIGNATURE_HEIGHT + 20 + 16;
  if (doc.y + 14 + blockHeight > PAGE.height - MARGIN.bottom) doc.addPage();
  const blockTop = doc.y + 14;
  const authority = c.signerAuthority ? `${c.signerAuthority} ${authorityBody(input.ward.agencyName)}` : '';
  doc.font('B').fontSize(14);
  if (authority) doc.text(authority.toUpperCase(), RIGHT_COL.x, blockTop, { width: RIGHT_COL.width, align: 'center' });
  doc.text(c.signerTitle.toUpperCase(), RIGHT_COL.x, authority ? doc.y : blockTop, { width: RIGHT_COL.width, align: 'center' });
  const signatureTop = doc.y + 4;
  const page = pageIndex(doc);
  const signature = box(page, RIGHT_COL.x + 10, signatureTop, RIGHT_COL.width - 20, SIGNATURE_HEIGHT);
  doc.font('B').fontSize(14).text(c.signerName, RIGHT_COL.x, signatureTop + SIGNATURE_HEIGHT + 4, { width: RIGHT_COL.width, align: 'center' });

  doc.font('BI').fontSize(12).text('Nơi nhận:', MARGIN.left, blockTop + 6, { width: 70 * MM });
  doc.font('R').fontSize(11);
  for (const line of recipientLines(c.recipients.map((r) => r.name))) doc.text(line, MARGIN.left, doc.y, { width: 70 * MM });

  // Page numbers, centred in the top margin, from page 2.
  const range = doc.bufferedPageRange();
  for (let i = 1; i < range.count; i += 1) {
    doc.switchToPage(i);
    doc.font('R').fontSize(13).text(String(i + 1), MARGIN.left, MARGIN.top / 2 - 6, { width: CONTENT_W, align: 'center', lineBreak: false });
  }
  const pageCount = range.count;
  doc.end();
  const pdf = await ended;
  return {
    pdf,
    layout: { pageCount, signature, number: number[0]!, day, month, year, attachmentStamp: box(0, PAGE.width - MARGIN.right - 62 * MM, 6 * MM, 62 * MM, 14 * MM) },
  };
}

type Piece = string | { blank: number; text?: string | undefined; align?: 'center' | 'right' };

function widthOf(doc: PDFKit.PDFDocument, pieces: Piece[]): number {
  return pieces.reduce((w, p) => w + (typeof p === 'string' ? doc.widthOfString(p) : Math.max(p.blank, p.text ? doc.widthOfString(p.text) : 0)), 0);
}

/** Writes a centred line of text with blanks; returns the boxes of the blanks (filled when text is given). */
function blankLine(doc: PDFKit.PDFDocument, font: string, size: number, col: { x: number; width: number }, top: number, pieces: Piece[]): Box[] {
  doc.font(font).fontSize(size);
  const widths = pieces.map((p) => (typeof p === 'string' ? doc.widthOfString(p) : Math.max(p.blank, p.text ? doc.widthOfString(p.text) : 0)));
  let x = col.x + (col.width - widths.reduce((a, b) => a + b, 0)) / 2;
  const boxes: Box[] = [];
  const height = size * 1.25;
  pieces.forEach((p, i) => {
    if (typeof p === 'string') doc.text(p, x, top, { lineBreak: false });
    else {
      // The blank's box: its baseline sits 1/5 up from the bottom (0.25 × size), where the stamp writes.
      const baseline = top + 0.891 * size; // Liberation Serif's ascender
      // The box carries the line's size: the clerk's text is stamped at the same size.
      boxes.push({ ...box(pageIndex(doc), x, baseline - size, widths[i]!, height), size });
      if (p.text) doc.text(p.text, x, top, { width: widths[i]!, align: p.align ?? 'center', lineBreak: false });
    }
    x += widths[i]!;
  });
  doc.y = top + height;
  return boxes;
}

function rule(doc: PDFKit.PDFDocument, centreX: number, y: number, width: number): void {
  doc.save().lineWidth(0.6).moveTo(centreX - width / 2, y + 2).lineTo(centreX + width / 2, y + 2).stroke().restore();
  doc.y = y + 6;
}

/** "UBND PHƯỜNG MẪU" → "ỦY BAN NHÂN DÂN" as the collective the leader signs for. */
function authorityBody(agencyName: string): string {
  return /^UBND\b/i.test(agencyName) ? 'Ủy ban nhân dân' : agencyName;
}

function pageIndex(doc: PDFKit.PDFDocument): number {
  return doc.bufferedPageRange().start + doc.bufferedPageRange().count - 1;
}
