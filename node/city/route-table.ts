// The embedded city's one table of allowed routes, per role.
//
// express-pouchdb serves the whole CouchDB 1.x API to anyone its plugins do
// not stop, and its plugins leave holes (a member PUT its own `_users`
// document with the city's role; refused requests left promises rejected
// and the server hung). Like cht-core in front of CouchDB, the city lets
// through only what WardDesk uses: the replication protocol a ward needs on
// its own database (sync/replicator.ts, chunk-push/pull, genuine-pull,
// node/backup.ts), and the city's own administration for the city admin
// (node/city/init.ts, send.ts, hub-ingest.ts, ward-records.ts,
// document-events.ts, doctor*.ts). Anything else is refused here, before
// express-pouchdb sees it. Membership of a ward database is still checked by
// the server (server.ts memberOnly and express-pouchdb's `_security`): the
// table says which kind of caller may use a route at all.
//
// Matching is on the path split at `/`, each segment percent-decoded, and
// strict: no empty segment, no trailing slash (`/_all_dbs/` listed every
// database to anyone) but after a database's own name, as PouchDB writes it,
// so no other spelling reaches express-pouchdb's looser router.
export type Role = 'anonymous' | 'ward' | 'admin';

/** Segment kinds: a literal, or a placeholder for a decoded name. */
type Segment = string | Placeholder;
type Placeholder = { kind: 'db' | 'system-db' | 'doc' | 'chunk' | 'ddoc' | 'local' | 'user' | 'attachment' | 'config' };
const db: Placeholder = { kind: 'db' };
const systemDb: Placeholder = { kind: 'system-db' };
const doc: Placeholder = { kind: 'doc' };
const chunk: Placeholder = { kind: 'chunk' };
const ddoc: Placeholder = { kind: 'ddoc' };
const local: Placeholder = { kind: 'local' };
const user: Placeholder = { kind: 'user' };
const attachment: Placeholder = { kind: 'attachment' };
const config: Placeholder = { kind: 'config' };

export interface Route {
  /** Named after the CouchDB API page it follows; the fixtures in test/fixtures/couchdb/ use the same names. */
  name: string;
  methods: readonly string[];
  path: readonly Segment[];
  roles: readonly Role[];
  /** The answer to an authenticated caller without the role, when CouchDB's own is not the generic 403. */
  refuseWard?: { status: 401 | 403; error: 'unauthorized' | 'forbidden'; reason: string };
}

const ALL: readonly Role[] = ['anonymous', 'ward', 'admin'];
const WARD: readonly Role[] = ['ward', 'admin'];
const ADMIN: readonly Role[] = ['admin'];
const NOT_SERVER_ADMIN = { status: 401, error: 'unauthorized', reason: 'Chỉ quản trị thành phố được làm việc này / You are not a server admin.' } as const;

const PERMANENT = { status: 403, error: 'forbidden', reason: 'Bản ghi đã đồng bộ là vĩnh viễn, không xóa được / Replicated records are permanent and cannot be deleted.' } as const;

export const ROUTES: readonly Route[] = [
  // Server: the welcome, and sessions (PouchDB and `city init` read them).
  { name: 'server-root', methods: ['GET', 'HEAD'], path: [], roles: ALL },
  { name: 'session', methods: ['GET', 'POST', 'DELETE'], path: ['_session'], roles: ALL },
  // The replication protocol on a ward's own database.
  { name: 'db-info', methods: ['GET', 'HEAD'], path: [db], roles: WARD },
  { name: 'changes', methods: ['GET', 'POST'], path: [db, '_changes'], roles: WARD },
  { name: 'revs-diff', methods: ['POST'], path: [db, '_revs_diff'], roles: WARD },
  { name: 'bulk-docs', methods: ['POST'], path: [db, '_bulk_docs'], roles: WARD },
  { name: 'bulk-get', methods: ['POST'], path: [db, '_bulk_get'], roles: WARD },
  { name: 'all-docs', methods: ['GET', 'POST'], path: [db, '_all_docs'], roles: WARD },
  { name: 'local-doc', methods: ['GET', 'PUT'], path: [db, '_local', local], roles: WARD },
  { name: 'doc', methods: ['GET', 'HEAD', 'PUT'], path: [db, doc], roles: WARD },
  // Nobody deletes: replicated records are permanent (sync/write-rules.ts refuses every
  // deletion, the city's too); refused here with the rules' own 403, as CouchDB answers.
  { name: 'doc-delete', methods: ['DELETE'], path: [db, doc], roles: [], refuseWard: PERMANENT },
  // Files travel as content-addressed chunks, one attachment PUT each (sync/chunk-push.ts).
  { name: 'chunk-attachment', methods: ['GET', 'HEAD', 'PUT'], path: [db, chunk, attachment], roles: WARD },
  { name: 'design-doc', methods: ['GET', 'HEAD'], path: [db, '_design', ddoc], roles: WARD },
  // restore --from-city asks the ward's own audit chain at the city which revision it vouched for (ward-records.ts).
  { name: 'find', methods: ['POST'], path: [db, '_find'], roles: WARD },
  // The city's RFC 3161 time-stamping authority (tsa-http.ts): not CouchDB, for wards and the hub.
  { name: 'tsa', methods: ['POST'], path: ['_tsa'], roles: WARD },
  // The city's administration: databases, members, rules, users, the doctor's reads.
  { name: 'all-dbs', methods: ['GET'], path: ['_all_dbs'], roles: ADMIN, refuseWard: NOT_SERVER_ADMIN },
  { name: 'db-create-delete', methods: ['PUT', 'DELETE'], path: [db], roles: ADMIN },
  { name: 'system-db', methods: ['GET', 'HEAD', 'PUT'], path: [systemDb], roles: ADMIN },
  { name: 'security', methods: ['GET', 'PUT'], path: [db, '_security'], roles: ADMIN },
  { name: 'design-doc-write', methods: ['PUT', 'DELETE'], path: [db, '_design', ddoc], roles: ADMIN },
  { name: 'attachment', methods: ['GET', 'HEAD'], path: [db, doc, attachment], roles: ADMIN },
  // Roles live in `_users`: only the city admin reads or writes it (CouchDB lets a
  // user update their own document but never its roles; no ward needs even that).
  { name: 'users-all-docs', methods: ['GET'], path: ['_users', '_all_docs'], roles: ADMIN },
  { name: 'user-doc', methods: ['GET', 'HEAD', 'PUT', 'DELETE'], path: ['_users', user], roles: ADMIN },
  { name: 'node-versions', methods: ['GET'], path: ['_node', '_local', '_versions'], roles: ADMIN },
  { name: 'node-config', methods: ['GET'], path: ['_node', '_local', '_config', config, config], roles: ADMIN },
];

/** The system databases the city admin may create (CouchDB 3 does not create them on its own). */
const SYSTEM_DBS = new Set(['_users', '_replicator']);
/** CouchDB's database name rule; a leading `_` is a system database. */
const DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;

function fits(p: Placeholder, value: string): boolean {
  switch (p.kind) {
    case 'db': return DB_NAME.test(value);
    case 'system-db': return SYSTEM_DBS.has(value);
    case 'doc': return value.length > 0 && !value.startsWith('_');
    case 'chunk': return value.startsWith('chunk:') && value.length > 6;
    case 'user': return value.startsWith('org.couchdb.user:') && value.length > 17;
    case 'ddoc': case 'local': case 'config': return value.length > 0 && !value.includes('/');
    case 'attachment': return value.length > 0 && !value.startsWith('_');
  }
}

/** The path's segments, decoded; null when it cannot be a route (empty segment, trailing slash, bad escape). */
export function segments(pathname: string): string[] | null {
  if (pathname === '/') return [];
  // PouchDB's http adapter reads a database's info at `/{db}/` (genDBUrl(host, '')); CouchDB and
  // express-pouchdb serve it as `/{db}`. Only a database's own name: `/_all_dbs/` stays refused.
  if (/^\/[a-z][^/]*\/$/.test(pathname)) return segments(pathname.slice(0, -1));
  if (!pathname.startsWith('/')) return null;
  const raw = pathname.slice(1).split('/');
  const decoded: string[] = [];
  for (const s of raw) {
    if (s === '') return null;
    try { decoded.push(decodeURIComponent(s)); } catch { return null; }
  }
  return decoded;
}

function matches(route: Route, path: string[]): boolean {
  if (route.path.length !== path.length) return false;
  return route.path.every((seg, i) => (typeof seg === 'string' ? seg === path[i] : fits(seg, path[i]!)));
}

export type Verdict =
  | { allowed: true; route: Route }
  | { allowed: false; status: 400 | 401 | 403 | 404 | 405; error: string; reason: string };

/** May this caller use this method on this path? The one place the answer comes from. */
export function routeVerdict(method: string, pathname: string, role: Role): Verdict {
  const path = segments(pathname);
  if (!path) return { allowed: false, status: 404, error: 'not_found', reason: 'Không có đường dẫn này / No such route.' };
  const candidates = ROUTES.filter((r) => matches(r, path));
  if (candidates.length === 0) return { allowed: false, status: 404, error: 'not_found', reason: 'Máy chủ thành phố không phục vụ đường dẫn này / The city does not serve this route.' };
  const withMethod = candidates.filter((r) => r.methods.includes(method));
  if (withMethod.length === 0) return { allowed: false, status: 405, error: 'method_not_allowed', reason: `Không dùng được ${method.slice(0, 16)} ở đây / Only ${[...new Set(candidates.flatMap((r) => r.methods))].join(',')} allowed here.` };
  const route = withMethod.find((r) => r.roles.includes(role));
  if (route) return { allowed: true, route };
  if (role === 'anonymous') return { allowed: false, status: 401, error: 'unauthorized', reason: 'Cần đăng nhập / You are not authorized to access this db.' };
  const special = withMethod.find((r) => r.refuseWard)?.refuseWard;
  if (special) return { allowed: false, ...special };
  return { allowed: false, status: 403, error: 'forbidden', reason: 'Chỉ quản trị thành phố được làm việc này / Only the city administrator may do this.' };
}
