// The embedded city and real CouchDB 3.4 agree on every allowed route, in
// status and in shape (the keys of the answer), not in values. Real CouchDB is
// not installable here: its answers are the documented examples of CouchDB
// 3.4.3's own API reference, recorded in test/fixtures/couchdb/ (README.md
// says where each came from). Keys the embedded server lacks are listed below
// with the reason, so the difference is a decision, not an accident.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { initCity } from '../../node/city/init.js';
import { ROUTES } from '../../node/city/route-table.js';
import { startTestCity, couch, CITY_ADMIN, type TestCity } from '../helpers/city.js';

interface Fixture { route: string; method: string; query?: string; status: number; keys: string[]; itemKeys?: string[]; from: string }
const fixtures = (JSON.parse(readFileSync(new URL('../fixtures/couchdb/routes-3.4.3.json', import.meta.url), 'utf8')) as { routes: Fixture[] }).routes;

/** Keys CouchDB 3.4 documents and express-pouchdb 4.2 does not send; no WardDesk client reads them. */
const NOT_IN_EMBEDDED: Record<string, string[]> = {
  'server-root GET': ['couchdb', 'features', 'git_sha'], // express-pouchdb says "express-pouchdb": "Welcome!"; no feature flags or build hash
  'db-info GET': ['cluster', 'compact_running', 'disk_format_version', 'doc_del_count', 'props', 'purge_seq', 'sizes'], // clustering, purge and sizes are CouchDB's own
  'changes GET': ['pending'],
  'changes POST filter=_selector': ['pending'],
};

let city: TestCity;
let out: string;
let member: { name: string; password: string };
const db = '/ward_phuong-a';
/** A chunk as the ward writes it: its id is the sha-256 of its bytes, which travel inline (base64). */
function chunkDoc(text: string): { _id: string; _attachments: { data: { content_type: string; data: string } } } {
  const bytes = Buffer.from(text);
  return { _id: `chunk:${createHash('sha256').update(bytes).digest('hex')}`, _attachments: { data: { content_type: 'application/octet-stream', data: bytes.toString('base64') } } };
}
const first = chunkDoc('first chunk');
const second = chunkDoc('second chunk');
const third = chunkDoc('third chunk');
const seen: { route: string; method: string; status: number; body: any }[] = []; // any: CouchDB JSON

test.before(async () => {
  city = await startTestCity();
  out = mkdtempSync(join(tmpdir(), 'warddesk-agree-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a'], outDir: out });
  const file = JSON.parse(readFileSync(join(out, 'phuong-a.credentials.json'), 'utf8')) as { username: string; password: string };
  member = { name: file.username, password: file.password };
  // Each allowed route, as the ward or the admin uses it (sync/, node/backup.ts, node/city/).
  const w = (route: string, method: string, path: string, body?: unknown) => couch(city.url, member, method, path, body).then((r) => { seen.push({ route, method, ...r }); return r; });
  const a = (route: string, method: string, path: string, body?: unknown) => couch(city.url, CITY_ADMIN, method, path, body).then((r) => { seen.push({ route, method, ...r }); return r; });
  await w('server-root GET', 'GET', '/');
  await w('session GET', 'GET', '/_session');
  const login = await fetch(`${city.url}/_session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: member.name, password: member.password }) });
  seen.push({ route: 'session POST', method: 'POST', status: login.status, body: await login.json() });
  const logout = await fetch(`${city.url}/_session`, { method: 'DELETE' });
  seen.push({ route: 'session DELETE', method: 'DELETE', status: logout.status, body: await logout.json() });
  await w('db-info GET', 'GET', db);
  // Documents the ward rules accept (sync/write-rules.ts checkChunk): a chunk is `chunk:<sha-256>` with one attachment, `data`.
  await w('doc PUT', 'PUT', `${db}/${first._id}`, first);
  await w('doc GET', 'GET', `${db}/${first._id}`);
  await w('doc GET revs=true', 'GET', `${db}/${first._id}?revs=true`);
  await w('doc GET missing', 'GET', `${db}/${chunkDoc('never written')._id}`);
  // As sync/chunk-push.ts uploads: the attachment alone, no revision, the document created with it.
  const att = await fetch(`${city.url}${db}/${second._id}/data`, { method: 'PUT', headers: { authorization: `Basic ${Buffer.from(`${member.name}:${member.password}`).toString('base64')}`, 'content-type': 'application/octet-stream' }, body: Buffer.from('second chunk') });
  seen.push({ route: 'chunk-attachment PUT', method: 'PUT', status: att.status, body: await att.json() });
  await w('changes GET', 'GET', `${db}/_changes?style=all_docs`);
  await w('changes POST filter=_selector', 'POST', `${db}/_changes?filter=_selector`, { selector: { _id: { $gt: 'chunk:' } } });
  await w('revs-diff POST', 'POST', `${db}/_revs_diff`, { 'chunk:x': ['1-abc'] });
  await w('bulk-docs POST', 'POST', `${db}/_bulk_docs`, { docs: [third] });
  await w('bulk-get POST', 'POST', `${db}/_bulk_get?revs=true`, { docs: [{ id: third._id }] });
  await w('all-docs GET', 'GET', `${db}/_all_docs`);
  await w('all-docs POST', 'POST', `${db}/_all_docs`, { keys: [third._id] });
  await w('local-doc PUT', 'PUT', `${db}/_local/checkpoint`, { session_id: 's', history: [] });
  await w('local-doc GET', 'GET', `${db}/_local/checkpoint`);
  await a('all-dbs GET', 'GET', '/_all_dbs');
  await a('db-create-delete PUT', 'PUT', '/ward_scratch');
  await a('db-create-delete PUT exists', 'PUT', '/ward_scratch');
  await a('db-create-delete DELETE', 'DELETE', '/ward_scratch');
  await a('security GET', 'GET', `${db}/_security`);
  const security = (seen.at(-1)!.body) as object;
  await a('security PUT', 'PUT', `${db}/_security`, security);
  // As WardRecords.vouched asks, as the ward on its own database (restore --from-city).
  await w('find POST', 'POST', `${db}/_find`, { selector: { type: 'audit', [`writes.${third._id}`]: { $exists: true } }, limit: 10_000 });
});
test.after(async () => { await city.destroy(); rmSync(out, { recursive: true, force: true }); });

// 'tsa' is the city's RFC 3161 responder (node/city/tsa-http.ts), not a CouchDB route: no CouchDB fixture.
test('every fixture names a route of the table, and every ward route has a fixture', () => {
  const names = new Set(ROUTES.map((r) => r.name));
  for (const f of fixtures) assert.ok(names.has(f.route), `${f.route} is in the route table`);
  const covered = new Set(fixtures.map((f) => f.route));
  for (const r of ROUTES.filter((r) => r.roles.includes('ward') && r.name !== 'design-doc' && r.name !== 'tsa')) assert.ok(covered.has(r.name), `${r.name} has a CouchDB fixture`);
});

test('the embedded city answers each allowed route with real CouchDB\'s status and keys', () => {
  const problems: string[] = [];
  for (const f of fixtures) {
    const key = `${f.route} ${f.method}${f.query ? ` ${f.query}` : ''}`;
    const got = seen.find((s) => s.route === key);
    if (!got) { problems.push(`${key} was not exercised`); continue; }
    if (got.status !== f.status) problems.push(`${key}: status ${got.status}, CouchDB ${f.status} (${f.from}) ${JSON.stringify(got.body).slice(0, 100)}`);
    const missing = NOT_IN_EMBEDDED[key] ?? [];
    if (f.keys[0]?.startsWith('[')) {
      if (!Array.isArray(got.body)) { problems.push(`${key}: not an array, as CouchDB`); continue; }
      for (const item of got.body as Record<string, unknown>[]) for (const k of f.itemKeys ?? []) if (!(k in item)) problems.push(`${key}: item key ${k}`);
      continue;
    }
    if (!got.body || typeof got.body !== 'object' || Array.isArray(got.body)) { problems.push(`${key}: not an object, as CouchDB`); continue; }
    for (const k of f.keys.filter((k) => !k.startsWith('<') && !missing.includes(k))) if (!(k in got.body)) problems.push(`${key}: key ${k} (CouchDB: ${f.from}); got ${Object.keys(got.body).join(',')}`);
    // A key recorded as missing must really be missing: the list stays honest when express-pouchdb changes.
    for (const k of missing) if (k in got.body) problems.push(`${key}: ${k} is listed as missing but was sent`);
  }
  assert.equal(problems, []);
});

test.run();
