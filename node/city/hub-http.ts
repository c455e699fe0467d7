// The city hub's dashboard over HTTP: a read-only JSON API under /api/hub
// (each table also as CSV with ?format=csv), the signed PDFs for drill-down,
// and the dashboard page (dist/hub, built by `npm run build`). Everything,
// the page included, needs the city administrator's credentials (hub-auth.ts).
// Handlers parse, ask the aggregate, answer; whole answers are reused until
// the hub's records change.
import express, { Router, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WARD_CODE } from '../../sync/city-contract.js';
import { WardError, wardError } from '../../sync/errors.js';
import type { HubDocument } from '../../sync/hub-records.js';
import { HubAggregate } from './hub-aggregate.js';
import { basicAuth } from './hub-auth.js';
import { DOCUMENT_COLUMNS, SENT_COLUMNS, SUMMARY_COLUMNS, SYNC_COLUMNS, UNIT_COLUMNS, WARD_COLUMNS, WEEK_COLUMNS, csvStream, toCsv, type Column } from './hub-csv.js';
import { parseHubParams, type HubParams, type ParamName } from './hub-params.js';
import { sentRows, summary, syncRows, timelineOf, unitRows, wardRows, weekRows } from './hub-queries.js';
import type { HubView } from './hub-view.js';
import { compressJson } from '../http/compress-json.js';
import { precompressedStatic } from '../http/precompressed.js';
import type { AdminCredentials } from './init.js';

export interface HubServerOptions {
  port: number;
  /** Default 127.0.0.1: Basic credentials must not cross a network in clear (put HTTPS in front to listen wider). */
  host?: string;
  admin: AdminCredentials;
  /** The built page; default WARDDESK_HUB_DIR, else dist/hub. */
  pageDir?: string | null;
  now?: () => Date;
}

export interface HubServer { url: string; port: number; aggregate: HubAggregate; close(): Promise<void> }

const TABLE: ParamName[] = ['from', 'to', 'ward', 'unit', 'format', 'lang'];
const LIST: ParamName[] = [...TABLE, 'verdict', 'signing', 'direction', 'limit', 'offset'];
const DOC_ID = /^doc:(out|in):[0-9a-z-]{10,64}$/;
/** CSV answers longer than this are streamed and not kept. */
const STREAM_ROWS = 2000;

/** WARDDESK_HUB_DIR, else dist/hub beside the compiled node (dist/node/city → dist/hub) or from the sources. */
export function findHubPageDir(): string | null {
  const chosen = process.env['WARDDESK_HUB_DIR'];
  const candidates = chosen ? [chosen] : ['../../hub', '../../dist/hub'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

export function hubApiRouter(view: HubView, aggregate: HubAggregate, now: () => Date): Router {
  const router = Router();
  // Answers per URL, valid while the records stay as they were (aggregate.version).
  const memo = new Map<string, { version: number; type: string; body: string }>();

  function table<R>(path: string, allowed: ParamName[], name: string, columns: readonly Column<R>[], rows: (p: HubParams) => { rows: readonly R[]; json: unknown }, reuse = true): void {
    router.get(path, async (req, res) => {
      const p = parseHubParams(req.query as Record<string, unknown>, allowed);
      aggregate.refresh();
      if (p.format === 'csv') res.setHeader('Content-Disposition', `attachment; filename="${csvName(name, p)}"`);
      res.setHeader('Cache-Control', 'no-store');
      const key = req.originalUrl;
      let hit = memo.get(key);
      if (!reuse || !hit || hit.version !== aggregate.version) {
        const r = rows(p);
        if (p.format === 'csv' && r.rows.length > STREAM_ROWS) {
          // A whole city's documents (tens of MB): streamed, never kept.
          res.type('text/csv; charset=utf-8');
          await pipeline(csvStream(r.rows, columns, p.lang), res);
          return;
        }
        hit = p.format === 'csv'
          ? { version: aggregate.version, type: 'text/csv; charset=utf-8', body: toCsv(r.rows, columns, p.lang) }
          : { version: aggregate.version, type: 'application/json; charset=utf-8', body: JSON.stringify({ version: aggregate.version, ...(r.json as object) }) };
        if (memo.size > 500) memo.clear();
        memo.set(key, hit);
      }
      res.type(hit.type).send(hit.body);
    });
  }

  table('/summary', TABLE, 'summary', SUMMARY_COLUMNS, (p) => {
    const s = summary(aggregate.cells(), p.filter, aggregate.wardCodes().length);
    return { rows: [s], json: s };
  });
  table('/weeks', TABLE, 'weeks', WEEK_COLUMNS, (p) => {
    const rows = weekRows(aggregate.cells(), p.filter);
    return { rows, json: { rows } };
  });
  table('/wards', TABLE, 'wards', WARD_COLUMNS, (p) => {
    const rows = wardRows(aggregate.cells(), p.filter, aggregate.wardCodes());
    return { rows, json: { rows } };
  });
  table('/units', TABLE, 'units', UNIT_COLUMNS, (p) => {
    const rows = unitRows(aggregate.cells(), p.filter);
    return { rows, json: { rows } };
  });
  table('/sync', ['ward', 'format', 'lang'], 'sync', SYNC_COLUMNS, (p) => {
    const rows = syncRows(view.wards(), aggregate.documentsPerWard(), now(), p.filter);
    return { rows, json: { rows, now: now().toISOString() } };
  }, false); // silence grows with the clock: never reused
  table('/sent', ['ward', 'format', 'lang'], 'sent', SENT_COLUMNS, (p) => {
    const rows = sentRows(view.documents(), p.filter);
    return { rows, json: { rows } };
  });
  const documents = (p: HubParams) => {
    const all = p.format === 'csv';
    const r = aggregate.documents(p.filter, all ? 0 : p.offset, all ? Infinity : p.limit);
    return { rows: r.rows, json: { total: r.total, offset: p.offset, limit: p.limit, rows: r.rows.map(publicRecord) } };
  };
  table('/invalid', LIST, 'invalid', DOCUMENT_COLUMNS, (p) => documents({ ...p, filter: { ...p.filter, verdicts: p.filter.verdicts ?? ['tampered', 'invalid', 'unverifiable'] } }));
  table('/documents', LIST, 'documents', DOCUMENT_COLUMNS, documents);

  router.get('/documents/:ward/:docId', async (req, res) => {
    const doc = findDocument(view, req);
    const pdf = doc.pdf ? { ...doc.pdf, url: `/api/hub/documents/${doc.ward}/${doc.docId}/pdf` } : null;
    // The ward's own steps come from the city's copy of its events; the city being briefly unreachable leaves them out.
    const steps = view.steps ? await view.steps(doc.ward, doc.docId).catch(() => null) : null;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ document: publicRecord(doc), timeline: timelineOf(doc), steps, pdf });
  });

  router.get('/documents/:ward/:docId/pdf', async (req, res) => {
    const doc = findDocument(view, req);
    const missing = (vi: string, en: string) => wardError('attachment_not_found', [{ path: 'pdf', vi, en }]);
    if (!doc.pdf) throw missing('Văn bản này chưa có bản PDF đã ký.', 'This document has no signed PDF.');
    const bytes = doc.pdf.complete ? await view.file(doc.ward, doc.pdf.sha256) : null;
    if (!bytes) throw missing('Bản PDF chưa về đủ thành phố; hãy thử lại sau khi phường đồng bộ.', 'The PDF has not fully reached the city yet; try again after the ward syncs.');
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Length', String(bytes.byteLength));
    res.setHeader('Content-Disposition', `inline; filename="${doc.docId.replace(/[^a-z0-9-]/gi, '_')}.pdf"`);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  return router;
}

function findDocument(view: HubView, req: Request): HubDocument {
  const ward = String(req.params['ward']);
  const docId = String(req.params['docId']);
  const problems = [
    ...(WARD_CODE.test(ward) ? [] : [{ path: 'ward', vi: 'Mã phường không hợp lệ.', en: 'Not a ward code.' }]),
    ...(DOC_ID.test(docId) ? [] : [{ path: 'docId', vi: 'Mã văn bản phải có dạng doc:out:… hoặc doc:in:….', en: 'A document id looks like doc:out:… or doc:in:….' }]),
  ];
  if (problems.length > 0) throw wardError('invalid_input', problems);
  const doc = view.document(ward, docId);
  if (!doc) throw wardError('document_not_found');
  return doc;
}

/** The record without the store's revision. */
function publicRecord(doc: HubDocument): Omit<HubDocument, '_rev'> {
  const { _rev: _ignored, ...rest } = doc;
  return rest;
}

function csvName(table: string, p: HubParams): string {
  const parts = [`warddesk-hub-${table}`, p.filter.from, p.filter.to, p.filter.wards?.length === 1 ? p.filter.wards[0] : undefined, p.lang];
  return `${parts.filter(Boolean).join('_')}.csv`;
}

export function hubApp(view: HubView, o: Omit<HubServerOptions, 'port' | 'host'>): { app: express.Express; aggregate: HubAggregate } {
  const now = o.now ?? (() => new Date());
  const aggregate = new HubAggregate(view);
  // Counted before the first request, not during it (about 2 s for 312,000 records).
  aggregate.refresh();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'frame-src': ["'self'"] } } }));
  app.use(basicAuth(o.admin));
  // JSON answers compressed above 1 KiB; the CSV exports stream and pass untouched.
  app.use(compressJson());
  app.use('/api/hub', hubApiRouter(view, aggregate, now));
  app.use('/api', (_req, _res, next) => { next(wardError('not_found')); });
  const pageDir = o.pageDir === undefined ? findHubPageDir() : o.pageDir;
  if (pageDir) {
    const setHeaders = (res: Response, path: string) => { res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'private, max-age=31536000, immutable' : 'no-cache'); };
    // The page's scripts from their build-time .br/.gz variants when the browser takes them.
    app.use(precompressedStatic(pageDir, setHeaders));
    app.use(express.static(pageDir, { setHeaders }));
  } else {
    app.get('/', (_req, _res, next) => { next(wardError('not_found', [{ path: '/', vi: 'Trang tổng hợp chưa được dựng: chạy npm run build.', en: 'The dashboard page is not built: run npm run build.' }])); });
  }
  app.use((_req, _res, next) => { next(wardError('not_found')); });
  app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const known = err instanceof WardError ? err : wardError('internal');
    if (!(err instanceof WardError)) console.error('hub dashboard: request failed:', err);
    if (res.headersSent) { res.end(); return; }
    res.status(known.status).json(known.toJSON());
  });
  return { app, aggregate };
}

/** Serves the dashboard for `view` until close(). */
export async function startHubServer(view: HubView, o: HubServerOptions): Promise<HubServer> {
  const { app, aggregate } = hubApp(view, o);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(o.port, o.host ?? '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`, port, aggregate,
    async close() {
      aggregate.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
