// The embedded CouchDB-compatible city server for laptops, demos and tests.
//
// Choice: express-pouchdb 4.2.0 (the server half of PouchDB Server). Its last
// release is from 2019, but it takes the PouchDB constructor as an argument,
// so it runs on our PouchDB 9 / Node 20 unchanged: checked for `_users` with
// Basic auth, `_session`, per-database `_security` (members), design documents
// with `validate_doc_update` (403 {forbidden}), replication endpoints
// (`_revs_diff`, `_bulk_docs`, `_bulk_get`, `_changes` with `_selector`) — all
// covered by test/sync/city.test.ts. It brings its own Express 4 internally;
// we mount it on a bare node:http server. Alternatives considered:
// pouchdb-server (the same code plus a CLI we do not need), and writing a
// CouchDB subset by hand (the replication protocol is large; no). A real
// CouchDB 3 is the production target: `city init` speaks only the HTTP API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import PouchDB from 'pouchdb';
import { wardDbName } from '../../sync/city-contract.js';
import { servePki, type CityPki } from './pki-http.js';
import './validation-revisions-fix.js'; // before express-pouchdb loads pouchdb-validation
import './serial-databases-fix.js'; // before express-pouchdb reads its database lock
import expressPouchdb from 'express-pouchdb';
import { admit, withDeadline } from './guarded-front.js';
import { inflateJsonBody } from './gzip-body.js';
import { serveTsa } from './tsa-http.js';
import type { Pkcs12Contents } from '../../certs/ca.js';
import { MAX_CHUNK_BYTES } from '../../sync/city-contract.js';

// pouchdb-validation reads the design documents and compiles their
// validate_doc_update source again for every document written; our rules were
// an esbuild bundle (zod included) of ~100 KB, so the embedded city validated
// ~25 documents/s (the rules are ~12 KB since they dropped zod, but any design
// document may be large). CouchDB 3 compiles once per design-document revision; do
// the same here by memoising couchdb-eval's evaluate on (design doc id, rev,
// source). The compiled rules are pure functions of their arguments.
const evaluator = createRequire(import.meta.url)('couchdb-eval') as { evaluate: (ctx: { _id?: string; _rev?: string } | null, extra: object, program: string) => unknown; memoised?: true };
if (!evaluator.memoised) {
  const compile = evaluator.evaluate;
  const compiled = new Map<string, unknown>();
  evaluator.evaluate = (ctx, extra, program) => {
    if (extra && Object.keys(extra).length > 0) return compile(ctx, extra, program);
    // A design document's revision names its source (hashing the source on every write would cost more than it saves).
    const key = ctx?._rev ? `${ctx._id ?? ''}\u0000${ctx._rev}\u0000${program.length}` : createHash('sha256').update(program).digest('hex');
    if (!compiled.has(key)) compiled.set(key, compile(ctx, extra, program));
    return compiled.get(key);
  };
  evaluator.memoised = true;
}

/**
 * pouchdb-validation also reads every design document in full before each
 * document it validates (`allDocs` from "_design/" to "_design0" with
 * include_docs): our rules design document (~400 KB with zod, ~13 KB since)
 * was parsed again per write. CouchDB keeps compiled design documents per
 * revision; here the read is answered from a cache keyed on the design documents' ids and
 * revisions, which a light `allDocs` (no bodies) still checks on every write,
 * so a new design document takes effect on the next write.
 */
function cacheDesignDocReads(db: PouchDB.Database): void {
  type Response = Awaited<ReturnType<PouchDB.Database['allDocs']>>;
  const previous = db.allDocs.bind(db) as (...args: unknown[]) => Promise<Response>;
  let cached: { key: string; response: Response } | null = null;
  const revisions = (r: Response) => r.rows.map((row) => `${row.id}@${row.value.rev}`).join(',');
  const cachedRead = async (opts: object) => {
    const key = revisions(await previous({ startkey: '_design/', endkey: '_design0' }));
    if (cached?.key === key) return cached.response;
    const response = await previous(opts);
    // Kept only when the full read saw the revisions just checked.
    if (revisions(response) === key) cached = { key, response };
    return response;
  };
  (db as unknown as { allDocs: (...args: unknown[]) => Promise<Response> }).allDocs = (...args: unknown[]) => {
    const [opts, callback] = args as [Record<string, unknown> | undefined, unknown];
    const designRead = opts !== undefined && Object.keys(opts).length === 3 && opts['startkey'] === '_design/' && opts['endkey'] === '_design0' && opts['include_docs'] === true;
    if (!designRead || args.length > 2 || (args.length === 2 && typeof callback !== 'function')) return previous(...args);
    const read = cachedRead(opts);
    if (typeof callback === 'function') read.then((r) => (callback as (e: unknown, r?: unknown) => void)(null, r), (e: unknown) => (callback as (e: unknown) => void)(e));
    return read;
  };
}

export interface CityServerOptions {
  dataDir: string; port?: number; host?: string; admin: { name: string; password: string };
  /** The folder with city-root.pem and city-root.crl: serves /pki without login (pki-http.ts). */
  pkiDir?: string;
  /** The city TSA's key and chain, unlocked at start: served at POST /_tsa (tsa-http.ts). */
  tsa?: Pkcs12Contents;
}
export interface CityServer { url: string; port: number; server: Server; close(): Promise<void> }

export async function startCityServer(options: CityServerOptions): Promise<CityServer> {
  mkdirSync(options.dataDir, { recursive: true });
  // The trailing separator makes PouchDB put each database in its own folder under dataDir.
  const CityPouch = PouchDB.defaults({ prefix: join(options.dataDir, '/') });
  const app = expressPouchdb(CityPouch, {
    mode: 'fullCouchDB',
    // Kept in memory: the admin is set from the caller at every start, and
    // express-pouchdb's own config file writer races with itself on restart.
    inMemoryConfig: true,
    logPath: join(options.dataDir, 'log.txt'),
    overrideMode: { exclude: ['routes/fauxton'] },
  });
  app.dbWrapper.registerWrapper((_name, db, next) => { cacheDesignDocReads(db as PouchDB.Database); next(); });
  // Set the admin before the first request is served: with no admin, CouchDB
  // semantics make everyone an admin ("admin party").
  await new Promise<void>((resolve, reject) => app.couchConfig.set('admins', options.admin.name, options.admin.password, (err) => (err ? reject(err) : resolve())));
  const adminAuth = `Basic ${Buffer.from(`${options.admin.name}:${options.admin.password}`).toString('base64')}`;
  const pki: CityPki | null = options.pkiDir ? {
    dir: options.pkiDir,
    wardCrls: async (ward) => {
      // Never creates a database: only a ward's existing one is read.
      if (!existsSync(join(options.dataDir, wardDbName(ward)))) return [];
      const rows = (await new CityPouch(wardDbName(ward)).allDocs({ startkey: `crl:${ward}:`, endkey: `crl:${ward}:\uffff`, include_docs: true })).rows;
      return rows.flatMap((r) => (r.doc ? [r.doc] : []));
    },
  } : null;
  const server = createServer((req, res) => {
    // CRLs and the root certificate for any validator, before the CouchDB routes (pki-http.ts).
    if (pki && (req.url ?? '').startsWith('/pki/')) { servePki(req, res, pki).catch(() => { if (!res.headersSent) res.writeHead(500).end(); }); return; }
    // One table says who may use which route (route-table.ts); refused requests never reach express-pouchdb.
    const route = admit(req, res, adminAuth);
    if (!route) return;
    if (route.name === 'tsa') {
      serveTsa(req, res, options.tsa, adminAuth).catch(() => { if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad_request","reason":"Yêu cầu không đọc được / The request could not be read."}'); });
      return;
    }
    if (refuseOversizedChunk(req, res)) return;
    withDeadline(req, res);
    withoutLatest(req);
    // A body that breaks off mid-read is the client's failure; never leave the promise unhandled.
    inflateJsonBody(req, res).then((answered) => (answered ? undefined : memberOnly(req, res, adminAuth, () => withSelectorChanges(req, res, app)))).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad_request","reason":"Yêu cầu không đọc được / The request could not be read."}');
    });
  });
  server.requestTimeout = 10 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5984, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`, port, server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * PouchDB's LevelDB adapter throws outside any promise when `latest=true`
 * names a revision the document never had (`_bulk_get?latest=true`, or
 * `GET /{db}/{id}?rev=…&latest=true`): one such request from any member ended
 * the embedded city (found on the ward node's replication endpoint, same
 * adapter). The flag is dropped: the revision asked for is served, or
 * reported missing, and a replicator gets a newer leaf on its next pass.
 */
function withoutLatest(req: IncomingMessage): void {
  const url = req.url ?? '';
  if (!/[?&]latest=/.test(url)) return;
  const parsed = new URL(url, 'http://city.invalid');
  parsed.searchParams.delete('latest');
  req.url = parsed.pathname + parsed.search;
}

const CHUNK_ATTACHMENT = /^\/[^/]+\/chunk:[0-9a-f]{64}\/[^/]+$/;

/**
 * The cap `city init` sets on a real CouchDB is not in express-pouchdb
 * (it has no `_node/_local/_config`), and a chunk's length reaches the rules
 * only once the whole body is in memory. So a chunk's attachment PUT is
 * judged on its declared length before a byte is stored: over
 * MAX_CHUNK_BYTES is 413, no length at all is 411 (our clients always send
 * one; a chunked body could not be capped here without buffering it).
 */
function refuseOversizedChunk(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'PUT') return false;
  let path: string;
  try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://city.invalid').pathname); } catch { return false; }
  if (!CHUNK_ATTACHMENT.test(path)) return false;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) <= MAX_CHUNK_BYTES) return false;
  const [status, body] = declared === undefined
    ? [411, '{"error":"length_required","reason":"a chunk upload must declare its Content-Length"}']
    : [413, `{"error":"attachment_too_large","reason":"a chunk holds at most ${MAX_CHUNK_BYTES} bytes, not ${Number(declared)}"}`];
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(body);
  return true;
}

/** Any route inside a database: `/{db}/{anything}`. */
const IN_DATABASE = /^\/([^/?]+)\/[^?]+$/;
/** Bulk reads of a system database (_users holds every ward's password hash). */
const SYSTEM_BULK = /^\/_[^/]+\/(_bulk_get|_find|_explain|_all_docs|_changes|_index)$/;
const MEMBER_TTL_MS = 10_000;
const members = new Map<string, { ok: boolean; status: number; body: string; at: number }>();

/**
 * express-pouchdb 4.2 skips the `_security` members check on some routes:
 * `POST /{db}/_bulk_get` and `POST /{db}/_find` answered any authenticated
 * user, so ward B's credentials read ward A's documents, and
 * `_users/_bulk_get` handed any ward every ward's password hash (found by
 * test/node/authz-matrix.test.ts). Rather than list the holes, every request
 * inside a database asks the server itself whether the caller may read it
 * (`GET /{db}` is guarded), remembered for ten seconds per credential, and
 * passes its refusal on. System databases are not read in bulk but by the
 * administrator.
 */
async function memberOnly(req: IncomingMessage, res: ServerResponse, adminAuth: string, next: () => Promise<void>): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://city.invalid').pathname;
  const db = IN_DATABASE.exec(path)?.[1];
  if (!db || req.headers.authorization === adminAuth) { await next(); return; }
  if (SYSTEM_BULK.test(path)) {
    res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden","reason":"only the city administrator may read system databases in bulk"}');
    return;
  }
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
  if (req.headers.cookie) headers['cookie'] = req.headers.cookie;
  const key = createHash('sha256').update(`${db}\u0000${headers['authorization'] ?? ''}\u0000${headers['cookie'] ?? ''}`).digest('hex');
  let verdict = members.get(key);
  if (!verdict || Date.now() - verdict.at > MEMBER_TTL_MS) {
    // Back to the address and port this request came in on.
    const local = req.socket.localAddress ?? '127.0.0.1';
    const self = `http://${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 0}`;
    const check = await fetch(`${self}/${db}`, { headers }).catch(() => null);
    const status = check?.status ?? 503;
    // A database that does not exist is the handler's to answer (404), as before.
    verdict = { ok: status === 200 || status === 404, status, body: check ? await check.text() : '{"error":"unavailable","reason":"membership could not be checked"}', at: Date.now() };
    if (members.size > 10_000) members.clear();
    if (check) members.set(key, verdict);
  }
  if (verdict.ok) { await next(); return; }
  res.writeHead(verdict.status, { 'content-type': 'application/json' }).end(verdict.body);
}

const CHANGES_PATH = /^\/[^/?]+\/_changes$/;

/**
 * express-pouchdb predates CouchDB's `_changes?filter=_selector` (POST body
 * `{selector}`), which replication with a `selector` uses and CouchDB 3
 * serves natively. PouchDB's own changes() supports selectors, so we hand it
 * one: read the body here and pre-set `req.query` (Express 4 keeps a query
 * that is already set). Other filters are refused; everything else goes to
 * express-pouchdb untouched.
 */
async function withSelectorChanges(req: IncomingMessage, res: ServerResponse, app: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://city.invalid');
  const filter = url.searchParams.get('filter');
  if (!CHANGES_PATH.test(url.pathname) || filter === null || filter === '_doc_ids') { app(req, res); return; }
  // Design-document filters make PouchDB reject a promise nobody handles, which
  // ends the process (any member could stop the city). WardDesk uses none.
  if (req.method !== 'POST' || filter !== '_selector') {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad_request","reason":"the embedded city server supports only filter=_selector and _doc_ids"}');
    return;
  }
  const augmented = req as IncomingMessage & { query?: Record<string, unknown>; body?: unknown; _body?: boolean };
  let selector: unknown;
  if (augmented._body) {
    // Inflated already (gzip-body.ts).
    selector = (augmented.body as { selector?: unknown } | null)?.selector;
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 1024 * 1024) { res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"too_large","reason":"selector too large"}'); return; }
      chunks.push(chunk);
    }
    try { selector = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { selector?: unknown }).selector; } catch { selector = undefined; }
  }
  if (!selector || typeof selector !== 'object') { res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad_request","reason":"filter=_selector needs a JSON body with a selector"}'); return; }
  const query: Record<string, unknown> = Object.fromEntries(url.searchParams);
  augmented.query = { ...query, selector };
  augmented.body = {};
  augmented._body = true; // body-parser: already read
  app(req, res);
}
