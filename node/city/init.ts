// `warddesk city init`: prepares a city CouchDB for its wards using only the
// CouchDB HTTP API, so it runs unchanged against a real CouchDB 3 or the
// embedded server. Per ward: a database `ward_<code>`, a user `ward-<code>`
// who is the database's only member (`_security`), and the design document
// whose validate_doc_update enforces sync/write-rules.ts. Safe to run again:
// existing databases are kept, a ward's password is kept when its credentials
// file exists (else a new one is generated), the rules are upgraded in place
// when they changed and left alone (no new revision) when they did not.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DESIGN_DOC_ID, WARD_CODE, WardCredentials, wardDbName, wardUserName } from '../../sync/city-contract.js';
import { wardDesignDoc } from '../../sync/validate-doc-update.js';

export interface AdminCredentials { name: string; password: string }

/** `WARDDESK_CITY_ADMIN=name:password` — from the environment, never from argv (argv is visible to every local user). */
export function adminFromEnv(env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const raw = env['WARDDESK_CITY_ADMIN'] ?? '';
  const at = raw.indexOf(':');
  if (at < 1 || at === raw.length - 1) throw new Error('Set WARDDESK_CITY_ADMIN=name:password (the city CouchDB administrator).');
  return { name: raw.slice(0, at), password: raw.slice(at + 1) };
}

export interface InitOptions {
  url: string; admin: AdminCredentials; wards: string[]; outDir: string;
  /** Told each step worth a line in the output (the size limits). */
  report?: (line: string) => void;
}
export interface WardInitResult { ward: string; db: string; username: string; credentialsFile: string; createdDb: boolean; newPassword: boolean }

export class CouchHttpError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) { super(`${what}: HTTP ${status} ${body.slice(0, 300)}`); }
}

export function couchClient(baseUrl: string, admin: AdminCredentials) {
  const base = baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`;
  return async function couch<T = Record<string, unknown>>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<{ status: number; body: T }> {
    const res = await fetch(base + path, {
      method, headers: { authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok && !okStatuses.includes(res.status)) throw new CouchHttpError(res.status, text, `${method} ${path}`);
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
}

/** The `_all_docs` query for every document whose id starts with `prefix`, bodies included. */
export function prefixRange(prefix: string): string {
  return `startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(`${prefix}\uffff`))}&include_docs=true`;
}

export async function initCity(options: InitOptions): Promise<WardInitResult[]> {
  const url = new URL(options.url);
  if (url.username || url.password) throw new Error('Put no credentials in the URL; use WARDDESK_CITY_ADMIN.');
  const couch = couchClient(options.url, options.admin);
  await couch('GET', '/_session');
  // CouchDB 3 does not create the system databases on its own; the embedded server has them already.
  await couch('PUT', '/_users', undefined, [412]);
  options.report?.(await setSizeLimits(couch));
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const results: WardInitResult[] = [];
  for (const ward of options.wards) {
    if (!WARD_CODE.test(ward)) throw new Error(`Not a ward code: ${ward} (a-z, 0-9, -; 2 to 40 characters)`);
    const db = wardDbName(ward);
    const username = wardUserName(ward);
    const dbPath = `/${encodeURIComponent(db)}`;
    const created = await couch('PUT', dbPath, undefined, [412]);
    const credentialsFile = join(options.outDir, `${ward}.credentials.json`);
    const previous = readCredentials(credentialsFile);
    const password = previous?.password ?? randomBytes(24).toString('base64url');
    const userPath = `/_users/${encodeURIComponent(`org.couchdb.user:${username}`)}`;
    const existingUser = await couch<{ _rev?: string }>('GET', userPath, undefined, [404]);
    await couch('PUT', userPath, {
      _id: `org.couchdb.user:${username}`, ...(existingUser.status === 200 ? { _rev: existingUser.body._rev } : {}),
      name: username, type: 'user', roles: [], password,
    });
    await couch('PUT', `${dbPath}/_security`, { admins: { names: [], roles: ['_admin'] }, members: { names: [username], roles: [] } });
    await installRules(couch, dbPath, ward);
    const credentials: WardCredentials = { ward, db, username, password, url: url.origin + url.pathname.replace(/\/+$/, '') };
    writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(credentialsFile, 0o600);
    results.push({ ward, db, username, credentialsFile, createdDb: created.status === 201, newPassword: !previous });
  }
  return results;
}

/**
 * Installs the ward's design document, or upgrades an older one in place
 * (same id, its revision). One identical to what this version builds is left
 * alone, so running init again writes no new revision (CouchDB would
 * recompile the rules for nothing). A newer one (higher rulesVersion) is
 * never downgraded by an older WardDesk.
 */
async function installRules(couch: ReturnType<typeof couchClient>, dbPath: string, ward: string): Promise<void> {
  const path = `${dbPath}/${DESIGN_DOC_ID}`;
  const existing = await couch<Record<string, unknown>>('GET', path, undefined, [404]);
  const ddoc = await wardDesignDoc(ward);
  if (existing.status === 200) {
    const { _rev: rev, ...installed } = existing.body;
    if (isDeepStrictEqual(installed, ddoc)) return;
    const version = Number(installed['rulesVersion']);
    if (version > ddoc.rulesVersion) throw new Error(`${dbPath} has rules version ${version}, newer than this WardDesk's ${ddoc.rulesVersion}: update WardDesk before running city init`);
    await couch('PUT', path, { ...ddoc, _rev: rev });
    return;
  }
  await couch('PUT', path, ddoc);
}

/**
 * CouchDB's size limits, for our records (CouchDB 3.4, `_node/_local/_config`):
 * - couchdb/max_document_size, the JSON body without attachments: our
 *   largest record is a revocation list (up to 2 MB of base64 DER), others a
 *   few hundred KB at most; 4 MiB (CouchDB's default is 8 MB).
 * - couchdb/max_attachment_size: a chunk is at most MAX_CHUNK_BYTES (1 MiB),
 *   but files stored before chunking carry the whole file (up to 50 MiB,
 *   BlobRecord.size) and may still be on their way from a ward long offline:
 *   50 MiB, not infinity (the default). The 1 MiB of a chunk is enforced
 *   where chunks are read (sync/chunk-read.ts) and by the embedded server.
 * - chttpd/max_http_request_size: one such file in a replication batch is
 *   ~67 MiB of base64; 80 MiB (the default is 4 GB). Bigger batches get 413,
 *   and the ward's replicator halves its batch on 413.
 * Written only when different. The embedded server has no `_node/_local/_config`.
 */
export const SIZE_LIMITS = [
  ['couchdb', 'max_document_size', String(4 * 1024 * 1024)],
  ['couchdb', 'max_attachment_size', String(50 * 1024 * 1024)],
  ['chttpd', 'max_http_request_size', String(80 * 1024 * 1024)],
] as const;

export async function setSizeLimits(couch: ReturnType<typeof couchClient>): Promise<string> {
  const changed: string[] = [];
  for (const [section, key, value] of SIZE_LIMITS) {
    const path = `/_node/_local/_config/${section}/${key}`;
    const current = await couch<unknown>('GET', path, undefined, [404]);
    // 404 "unknown_config_value" is a value never set; any other 404 is a server without this API.
    if (current.status === 404 && (current.body as { reason?: string }).reason !== 'unknown_config_value') return 'size limits: not supported by this server (it enforces its own chunk cap)';
    if (current.status === 200 && current.body === value) continue;
    await couch('PUT', path, value);
    changed.push(`${section}/${key}=${value}`);
  }
  return changed.length > 0 ? `size limits: set ${changed.join(', ')}` : 'size limits: already set';
}

function readCredentials(file: string): WardCredentials | null {
  if (!existsSync(file)) return null;
  const parsed = WardCredentials.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}
