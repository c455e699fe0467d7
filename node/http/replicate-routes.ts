// /api/replicate: the read-only subset of the CouchDB replication protocol a
// device needs to PULL its working set (node/replicate-feed.ts), behind the
// session cookie. Writes are refused (the ledger is the single writer: devices
// send commands to the REST API); _find, _purge, _security, design documents
// and the rest of CouchDB's surface are refused too. PouchDB's checkpointer
// takes the 403 on PUT /_local/… as "read-only source" and keeps its
// checkpoint on the device alone.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Ledger } from '../ledger.js';
import type { Projection } from '../projection.js';
import { ReplicateFeed } from '../replicate-feed.js';
import type { Reader } from '../working-set.js';
import { caller } from './context.js';

const MAX_LIMIT = 1000;
// `latest` is not passed on: PouchDB's LevelDB adapter throws outside any
// promise on a revision the document never had (one request stopped the
// whole node). Without it an asked revision that has since been replaced is
// answered as it was; the feed lists the current one, so the next pull brings it.
const MAX_WAIT_MS = 25_000;
const BulkGet = z.object({ docs: z.array(z.object({ id: z.string().max(300), rev: z.string().max(200).optional() }).loose()).max(MAX_LIMIT) }).loose();
const Keys = z.object({ keys: z.array(z.string().max(300)).max(MAX_LIMIT).optional() }).loose();

export function replicateRouter(db: PouchDB.Database, projection: Projection, ledger: Ledger): Router {
  const feed = new ReplicateFeed(db, projection, () => ledger.durable());
  // Once the node has finished booting, not during it.
  setTimeout(() => { void feed.prepare(); }, 1000).unref();
  const router = Router();
  const reader = (res: Response): Reader => { const c = caller(res); return { user: c.user.username, role: c.user.role }; };
  router.use((_req, res, next) => { res.set('Cache-Control', 'no-store'); next(); });

  router.get('/', async (_req, res) => {
    const info = await db.info();
    res.json({ db_name: 'replicate', update_seq: info.update_seq, doc_count: feed.size(reader(res), info.update_seq), instance_start_time: '0' });
  });

  // Checkpoints live on the device only: none here (404), and none may be written (403).
  router.get('/_local/:id', () => { throw wardError('not_found'); });

  router.get('/_changes', async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Math.max(Number(q['limit']) || MAX_LIMIT, 1), MAX_LIMIT);
    const style = q['style'] === 'all_docs' ? 'all_docs' : 'main_only';
    const since = q['since'] === 'now' ? (await db.info()).update_seq : seqOf(q['since']);
    const who = reader(res);
    let page = await feed.changes(who, since, limit, style);
    if (q['feed'] === 'longpoll' && page.results.length === 0) {
      const stop = new AbortController();
      res.on('close', () => stop.abort());
      const deadline = Date.now() + Math.min(Number(q['timeout']) || MAX_WAIT_MS, MAX_WAIT_MS);
      while (page.results.length === 0 && !stop.signal.aborted && Date.now() < deadline) {
        await feed.waitForChange(page.last_seq, deadline - Date.now(), stop.signal);
        page = await feed.changes(who, page.last_seq, limit, style);
      }
    }
    res.json(page);
  });

  router.post('/_bulk_get', async (req, res) => {
    const body = parseInput(BulkGet, req.body);
    if (!body.ok) throw body.error;
    const who = reader(res);
    const wanted = body.value.docs.map((d) => ({ id: d.id, ...(d.rev ? { rev: d.rev } : {}) }));
    const inSet = feed.allowedAll(wanted.map((d) => d.id), who);
    const revs = await feed.revisionsAllowed(wanted.flatMap((d, i) => (inSet[i] && d.rev ? [{ id: d.id, rev: d.rev }] : [])), who);
    let r = 0;
    const readable = wanted.map((d, i) => inSet[i]! && (!d.rev || revs[r++]!));
    const mine = wanted.filter((_, i) => readable[i]);
    const got = mine.length > 0 ? await db.bulkGet({ docs: mine, revs: flag(req, 'revs') }) : { results: [] };
    // One result per request, in order: matched by position, since the revisions of a conflict share an id.
    let next = 0;
    res.json({
      results: wanted.map((d, i) => (readable[i] && got.results[next++]) || { id: d.id, docs: [{ error: { id: d.id, rev: d.rev ?? 'undefined', error: 'not_found', reason: 'missing' } }] }),
    });
  });

  const allDocs = async (req: Request, res: Response) => {
    const keys = parseInput(Keys, req.body ?? {});
    if (!keys.ok) throw keys.error;
    const who = reader(res);
    const includeDocs = flag(req, 'include_docs') || req.body?.include_docs === true;
    const asked = keys.value.keys ?? feed.ids(who, MAX_LIMIT);
    const allowed = feed.allowedAll(asked, who);
    const mine = asked.filter((_, i) => allowed[i]);
    const got = mine.length > 0 ? await db.allDocs({ keys: mine, include_docs: includeDocs }) : { rows: [] };
    const byId = new Map(got.rows.map((r) => [r.key, r]));
    const rows = asked.map((key) => byId.get(key) ?? { key, error: 'not_found' });
    res.json({ total_rows: rows.length, offset: 0, rows });
  };
  router.get('/_all_docs', allDocs);
  router.post('/_all_docs', allDocs);

  // Everything else of CouchDB's surface: writes are refused as such, the rest as not offered here.
  router.all('/_local/:id', () => { throw wardError('replication_read_only'); });
  router.post('/_bulk_docs', () => { throw wardError('replication_read_only'); });
  router.all('/{*rest}', (req, _res, next) => {
    if (req.path.split('/')[1]?.startsWith('_')) throw wardError('replication_forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw wardError('replication_read_only');
    next();
  });

  router.get('/:docid', async (req, res) => {
    const id = String(req.params['docid']);
    if (!feed.allowed(id, reader(res))) throw wardError('not_found');
    const who = reader(res);
    const q = req.query as Record<string, string | undefined>;
    // An older revision is answered as missing to whoever may not read it (its text may be a private draft's).
    if (q['rev'] && !await feed.revisionAllowed(id, q['rev'], who)) throw wardError('not_found');
    const asked = q['open_revs'] === 'all' ? 'all' as const : q['open_revs'] ? parseRevs(q['open_revs']) : undefined;
    const verdicts = Array.isArray(asked) ? await feed.revisionsAllowed(asked.map((rev) => ({ id, rev })), who) : [];
    const refused = Array.isArray(asked) ? asked.filter((_, i) => !verdicts[i]) : [];
    const openRevs = Array.isArray(asked) ? asked.filter((r) => !refused.includes(r)) : asked;
    if (Array.isArray(openRevs) && openRevs.length === 0) { res.json(refused.map((r) => ({ missing: r }))); return; }
    const doc = await db.get(id, { revs: flag(req, 'revs'), ...(q['rev'] ? { rev: q['rev'] } : {}), ...(openRevs ? { open_revs: openRevs } : {}) })
      .catch(() => { throw wardError('not_found'); });
    res.json(Array.isArray(doc) ? [...doc, ...refused.map((r) => ({ missing: r }))] : doc);
  });

  return router;
}

function seqOf(raw: string | undefined): number | string {
  if (raw === undefined || raw === '') return 0;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

function flag(req: Request, name: string): boolean {
  return (req.query as Record<string, string | undefined>)[name] === 'true';
}

function parseRevs(raw: string): string[] {
  try {
    const v: unknown = JSON.parse(raw);
    if (Array.isArray(v) && v.every((r) => typeof r === 'string')) return v as string[];
  } catch { /* falls through */ }
  throw wardError('invalid_input');
}
