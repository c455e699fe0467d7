// Small files that are what they claim to be, for tests that upload scans:
// the node opens every PDF and decodes every image (node/file-kind.ts), so a
// magic number followed by anything no longer passes.
import { randomBytes } from 'node:crypto';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** One indirect object of a PDF: its dictionary, and its stream when it has one. */
export interface PdfObject { body: string; stream?: Buffer }

/** Writes objects 1…n (1 the catalog) after `header`, with a classic cross-reference table and trailer. */
export function writePdf(header: string, objects: readonly PdfObject[]): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const put = (b: Buffer | string) => { const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b; parts.push(buf); length += buf.length; };
  put(header);
  objects.forEach(({ body, stream }, i) => {
    offsets.push(length);
    put(`${i + 1} 0 obj\n${body}\n`);
    if (stream) { put('stream\n'); put(stream); put('\nendstream\n'); }
    put('endobj\n');
  });
  const xref = length;
  put(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  put(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/**
 * A one-page PDF that pdf.js opens; `note` goes in a comment (distinct bytes,
 * distinct sha-256), `padTo` pads its content stream with random hex to about that size.
 */
export function onePagePdf(note = 'WardDesk test file', padTo = 0): Buffer {
  const content = Buffer.concat([Buffer.from('q Q\n', 'latin1'), padTo > 600 ? Buffer.from(randomBytes(Math.floor((padTo - 600) / 2)).toString('hex'), 'latin1') : Buffer.alloc(0)]);
  return writePdf(`%PDF-1.4\n% ${note.replace(/[\r\n]/g, ' ')}\n`, [
    { body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>' },
    { body: `<< /Length ${content.length} >>`, stream: content },
  ]);
}

/** A small PNG that decodes (`seed` changes its pixels). */
export function smallPng(seed = 1, size = 8): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < png.data.length; i += 1) png.data[i] = (i * 31 + seed * 17) & 0xff;
  return PNG.sync.write(png);
}

/** A small baseline JPEG that decodes. */
export function smallJpeg(seed = 1, size = 16): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 13 + seed * 29) & 0xff;
  return Buffer.from(jpeg.encode({ data, width: size, height: size }, 80).data);
}
