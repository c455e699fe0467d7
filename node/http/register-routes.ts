// The register books (sổ đăng ký văn bản đi / đến) for the văn thư and the
// leader: the list of books, one book as JSON for the screen, CSV for a
// spreadsheet and PDF for printing.
//   GET /api/registers
//   GET /api/registers/out/:register/:year[?format=csv|pdf]
//   GET /api/registers/in/:year[?format=csv|pdf]
import { Router, type Response } from 'express';
import { wardError } from '../../sync/errors.js';
import type { Projection } from '../projection.js';
import { incomingBook, listBooks, outgoingBook } from '../register-book.js';
import { bookCsv, bookPdf, type Book } from '../register-book-export.js';
import type { WardSettings } from '../ward-settings.js';
import { requireRole } from './context.js';

const YEAR = /^(19|20)\d\d$/;
const REGISTER = /^[a-z0-9-]{1,40}$/;

export function registerRouter(projection: Projection, settings: WardSettings): Router {
  const router = Router();
  router.use('/registers', requireRole('clerk', 'leader'));
  router.get('/registers', (_req, res) => { res.json({ items: listBooks(projection) }); });
  router.get('/registers/out/:register/:year', async (req, res) => {
    const register = String(req.params['register']);
    const year = String(req.params['year']);
    if (!REGISTER.test(register) || !YEAR.test(year)) throw wardError('not_found');
    const rows = await outgoingBook(projection, register, Number(year));
    await answer(res, { direction: 'out', rows }, req.query['format'], settings, `SỔ ĐĂNG KÝ VĂN BẢN ĐI — sổ «${register}»`, Number(year), `so-van-ban-di-${register}-${year}`);
  });
  router.get('/registers/in/:year', async (req, res) => {
    const year = String(req.params['year']);
    if (!YEAR.test(year)) throw wardError('not_found');
    const rows = await incomingBook(projection, Number(year));
    await answer(res, { direction: 'in', rows }, req.query['format'], settings, 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', Number(year), `so-van-ban-den-${year}`);
  });
  return router;
}

async function answer(res: Response, book: Book, format: unknown, settings: WardSettings, title: string, year: number, file: string): Promise<void> {
  if (format === undefined || format === 'json') { res.json({ direction: book.direction, year, rows: book.rows }); return; }
  if (format === 'csv') {
    res.set('Content-Type', 'text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${file}.csv"`).send(bookCsv(book));
    return;
  }
  if (format === 'pdf') {
    const pdf = await bookPdf(book, { agencyName: settings.current().agencyName, title, year });
    res.set('Content-Type', 'application/pdf').set('Content-Disposition', `attachment; filename="${file}.pdf"`).send(pdf);
    return;
  }
  throw wardError('invalid_input', [{ path: 'format', vi: 'Định dạng xuất sổ chỉ nhận: csv (bảng tính) hoặc pdf (bản in).', en: 'A book exports only as csv (spreadsheet) or pdf (print).' }]);
}
