// The guard every request to the embedded city passes first: who is asking,
// may they use this route (route-table.ts), and an answer in bounded time.
//
// Why a deadline as well as the table: express-pouchdb 4.2 answers some
// failures by rejecting a promise nobody handles (its `setDBOnReq` has no
// catch, its security plugin throws inside callbacks); the request then
// never gets an answer and the ward's replicator waits until its own
// timeout. The table keeps known cases out; the deadline turns any case we
// did not foresee into a prompt answer instead of a hang.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeVerdict, type Role, type Route } from './route-table.js';

/** The city admin is Basic auth with the admin's exact credentials; any other credential is a ward's claim, for express-pouchdb to check. */
export function roleOf(req: IncomingMessage, adminAuth: string): Role {
  const authorization = req.headers.authorization;
  if (authorization === adminAuth) return 'admin';
  if (authorization || /(?:^|;\s*)AuthSession=/.test(req.headers.cookie ?? '')) return 'ward';
  return 'anonymous';
}

function answer(res: ServerResponse, status: number, error: string, reason: string): void {
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error, reason }));
}

/** Query parameters CouchDB reads as JSON. */
const JSON_PARAMS = ['open_revs', 'keys', 'key', 'startkey', 'endkey', 'start_key', 'end_key', 'atts_since', 'doc_ids'];

/** The route this request may use, or null once it has been refused. */
export function admit(req: IncomingMessage, res: ServerResponse, adminAuth: string): Route | null {
  let url: URL;
  try { url = new URL(req.url ?? '/', 'http://city.invalid'); } catch { answer(res, 400, 'bad_request', 'Đường dẫn không hợp lệ / Malformed URL.'); return null; }
  const role = roleOf(req, adminAuth);
  const verdict = routeVerdict(req.method ?? 'GET', url.pathname, role);
  if (!verdict.allowed) { answer(res, verdict.status, verdict.error, verdict.reason); return null; }
  const feed = url.searchParams.get('feed');
  // Feeds that hold the connection open: a ward replicates one-shot; the hub long-polls; nobody streams.
  if (verdict.route.name === 'changes' && feed !== null && feed !== 'normal' && !(feed === 'longpoll' && role === 'admin')) {
    // 403, not 400: asked of another ward's database, the answer must be the same refusal as every other route there.
    answer(res, 403, 'forbidden', 'Chỉ đọc thay đổi một lần (feed=normal; longpoll cho quản trị) / Changes are read one-shot (feed=normal; longpoll for the admin).');
    return null;
  }
  // express-pouchdb answers 500 to a JSON query parameter it cannot parse (`open_revs=["bad`).
  for (const name of JSON_PARAMS) {
    const value = url.searchParams.get(name);
    if (value === null || (name === 'open_revs' && value === 'all')) continue;
    try { JSON.parse(value); } catch { answer(res, 400, 'bad_request', `Tham số ${name} không phải JSON / Query parameter ${name} is not valid JSON.`); return null; }
  }
  return verdict.route;
}

/** Long enough for a big `_bulk_docs` through validate_doc_update on a slow laptop; far shorter than a hang. */
export const DEADLINE_MS = 120_000;

/**
 * Answers 503 if nothing has been sent by the deadline (a long-poll feed the
 * admin asked for is exempt: it is meant to wait). The ward retries with its
 * usual backoff, as it would after a network error.
 */
export function withDeadline(req: IncomingMessage, res: ServerResponse, deadlineMs = DEADLINE_MS): void {
  if (/[?&]feed=(longpoll|continuous|eventsource)\b/.test(req.url ?? '')) return;
  const timer = setTimeout(() => {
    if (res.writableEnded) return;
    answer(res, 503, 'timeout', 'Máy chủ thành phố không trả lời kịp, hãy thử lại / The city did not answer in time; try again.');
  }, deadlineMs);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
