// A register book as the văn thư prints it (A4 landscape, the columns of
// Decree 30's Appendix IV) and as a spreadsheet (CSV with a byte-order mark,
// which Excel needs to read Vietnamese; csv-stringify does the quoting).
import PDFDocument from 'pdfkit';
import { stringify } from 'csv-stringify/sync';
import { FONTS } from '../certs/fonts.js';
import type { IncomingRow, OutgoingRow } from './register-book.js';

interface Column<R> { title: string; width: number; value: (row: R) => string }

const OUT_COLUMNS: Column<OutgoingRow>[] = [
  { title: 'Số, ký hiệu văn bản', width: 95, value: (r) => r.numberAndSymbol },
  { title: 'Ngày, tháng văn bản', width: 70, value: (r) => r.date },
  { title: 'Tên loại và trích yếu nội dung', width: 250, value: (r) => r.typeAndSubject },
  { title: 'Người ký', width: 110, value: (r) => r.signer },
  { title: 'Nơi nhận văn bản', width: 140, value: (r) => r.recipients },
  { title: 'Ghi chú', width: 65, value: (r) => (r.medium === 'paper' ? 'Bản giấy' : 'Điện tử') },
];

const IN_COLUMNS: Column<IncomingRow>[] = [
  { title: 'Ngày đến', width: 62, value: (r) => r.arrivalDate },
  { title: 'Số đến', width: 45, value: (r) => String(r.number).padStart(2, '0') },
  { title: 'Tác giả', width: 120, value: (r) => r.sender },
  { title: 'Số, ký hiệu', width: 85, value: (r) => r.originalSymbol },
  { title: 'Ngày tháng', width: 62, value: (r) => r.originalDate },
  { title: 'Tên loại và trích yếu nội dung', width: 225, value: (r) => r.typeAndSubject },
  { title: 'Đơn vị hoặc người nhận', width: 90, value: (r) => r.handler },
  { title: 'Ghi chú', width: 41, value: (r) => (r.medium === 'paper' ? 'Bản giấy' : 'Điện tử') },
];

export type Book = { direction: 'out'; rows: OutgoingRow[] } | { direction: 'in'; rows: IncomingRow[] };

export function bookCsv(book: Book): Buffer {
  const [columns, rows] = book.direction === 'out' ? [OUT_COLUMNS, book.rows] as const : [IN_COLUMNS, book.rows] as const;
  const table = [columns.map((c) => c.title), ...(rows as never[]).map((r) => (columns as Column<never>[]).map((c) => c.value(r)))];
  return Buffer.concat([Buffer.from('\ufeff'), Buffer.from(stringify(table, { record_delimiter: '\r\n' }))]);
}

export function bookPdf(book: Book, heading: { agencyName: string; title: string; year: number }): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margins: { top: 40, bottom: 40, left: 40, right: 40 }, info: { Title: heading.title, Creator: 'WardDesk' } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const ended = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('R', FONTS.regular).registerFont('B', FONTS.bold);
  const columns = (book.direction === 'out' ? OUT_COLUMNS : IN_COLUMNS) as Column<never>[];
  const rows = book.rows as never[];

  doc.font('B').fontSize(12).text(heading.agencyName.toUpperCase(), { align: 'left' });
  doc.moveDown(0.5).fontSize(15).text(heading.title, { align: 'center' });
  doc.font('R').fontSize(12).text(`Năm ${heading.year}`, { align: 'center' }).moveDown(0.8);

  const left = doc.page.margins.left;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const row = (cells: string[], font: 'R' | 'B') => {
    doc.font(font).fontSize(9.5);
    const heights = cells.map((text, i) => doc.heightOfString(text, { width: columns[i]!.width - 6 }));
    const height = Math.max(...heights, 12) + 6;
    if (doc.y + height > bottom()) { doc.addPage(); if (font === 'R') row(columns.map((c) => c.title), 'B'); }
    const top = doc.y;
    let x = left;
    cells.forEach((text, i) => {
      const w = columns[i]!.width;
      doc.rect(x, top, w, height).stroke();
      doc.font(font).fontSize(9.5).text(text, x + 3, top + 3, { width: w - 6, align: font === 'B' ? 'center' : 'left' });
      x += w;
    });
    doc.x = left;
    doc.y = top + height;
  };
  row(columns.map((c) => c.title), 'B');
  for (const r of rows) row(columns.map((c) => c.value(r)), 'R');
  if (rows.length === 0) doc.moveDown().font('R').fontSize(11).text('Chưa có văn bản nào trong sổ.', left);
  doc.end();
  return ended;
}
