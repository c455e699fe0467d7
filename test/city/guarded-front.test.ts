// The embedded city as a guarded front (issue 15, item 1): each defect the
// attack run reproduced, then a bounded fuzz of every identity × method ×
// path × body, against a real `warddesk city start` on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { routeVerdict, type Role } from '../../node/city/route-table.js';
import { startTestCity, CITY_ADMIN, type TestCity } from '../helpers/city.js';

type Auth = { name: string; password: string } | null;
let city: TestCity;
let out: string;
const ward: Record<'a' | 'b', { name: string; password: string }> = {} as never;
const REQUEST_TIMEOUT_MS = 5_000;

/** One request with a deadline: a hang is an answer of status 0. */
async function call(auth: Auth, method: string, path: string, body?: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(city.url + path, {
      method, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      headers: { ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.name}:${auth.password}`).toString('base64')}` } : {}), 'content-type': 'application/json', accept: 'application/json' },
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    });
    return { status: res.status, text: await res.text(), ms: Date.now() - started };
  } catch { return { status: 0, text: 'no answer', ms: Date.now() - started }; }
}

async function stillAnswers(): Promise<void> {
  const info = await call(CITY_ADMIN, 'GET', '/ward_phuong-a');
  assert.is(info.status, 200, `the city still answers: ${info.text}`);
  const own = await call(ward.a, 'GET', '/ward_phuong-a/_all_docs?limit=1');
  assert.is(own.status, 200, `a ward still reads its own database: ${own.text}`);
}

test.before(async () => {
  city = await startTestCity();
  out = mkdtempSync(join(tmpdir(), 'warddesk-front-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], outDir: out });
  for (const [k, w] of [['a', 'phuong-a'], ['b', 'phuong-b']] as const) {
    const file = JSON.parse(readFileSync(join(out, `${w}.credentials.json`), 'utf8')) as { username: string; password: string };
    ward[k] = { name: file.username, password: file.password };
  }
});
test.after(async () => { await city.destroy(); rmSync(out, { recursive: true, force: true }); });

test('an anonymous DELETE of a missing database is refused and the city keeps answering', async () => {
  const r = await call(null, 'DELETE', '/no_such_db');
  assert.is(r.status, 401);
  await stillAnswers();
});

test('a ward deleting another ward\'s database is refused and the city keeps answering', async () => {
  const r = await call(ward.a, 'DELETE', '/ward_phuong-b');
  assert.is(r.status, 403);
  assert.is((await call(CITY_ADMIN, 'GET', '/ward_phuong-b')).status, 200, 'ward B\'s database is still there');
  await stillAnswers();
});

test('a ward cannot give itself the city role through its own _users document', async () => {
  const path = `/_users/${encodeURIComponent(`org.couchdb.user:${ward.a.name}`)}`;
  const mine = await call(ward.a, 'GET', path);
  assert.ok(mine.status === 401 || mine.status === 403, `reading its own user document: ${mine.status}`);
  const rev = JSON.parse((await call(CITY_ADMIN, 'GET', path)).text)._rev as string;
  const forged = await call(ward.a, 'PUT', path, JSON.stringify({ _id: `org.couchdb.user:${ward.a.name}`, _rev: rev, name: ward.a.name, type: 'user', roles: ['city'], password: ward.a.password }));
  assert.is(forged.status, 403, forged.text);
  const after = JSON.parse((await call(CITY_ADMIN, 'GET', path)).text) as { roles: string[]; _rev: string };
  assert.equal(after.roles, [], 'roles unchanged');
  assert.is(after._rev, rev, 'the document was not written');
  const inbox = await call(ward.a, 'PUT', '/ward_phuong-a/doc:in:0123456789abcdef', JSON.stringify({ type: 'document', ward: 'phuong-a', origin: 'city', direction: 'incoming' }));
  assert.is(inbox.status, 403, 'still no city documents in its own inbox');
});

test('a ward creating a database or reading another ward\'s user document gets a prompt refusal', async () => {
  const create = await call(ward.a, 'PUT', '/ward_zzz');
  assert.is(create.status, 403, create.text);
  const other = await call(ward.a, 'GET', `/_users/${encodeURIComponent(`org.couchdb.user:${ward.b.name}`)}`);
  assert.is(other.status, 403, other.text);
  assert.ok(create.ms < 2_000 && other.ms < 2_000, 'answered promptly');
  assert.is((await call(CITY_ADMIN, 'GET', '/ward_zzz')).status, 404, 'no database was made');
  await stillAnswers();
});

test('_all_dbs with a trailing slash lists nothing to anyone but the admin\'s exact route', async () => {
  for (const who of [null, ward.a]) {
    for (const path of ['/_all_dbs/', '//_all_dbs', '/_all_dbs/x', '/%5Fall_dbs']) {
      const r = await call(who, 'GET', path);
      assert.ok(r.status >= 400 && r.status < 500 && !r.text.includes('ward_phuong'), `${who ? 'ward' : 'anonymous'} ${path} → ${r.status} ${r.text}`);
    }
  }
  assert.is((await call(CITY_ADMIN, 'GET', '/_all_dbs')).status, 200);
});

// The fuzz: bounded in count (identities × methods × paths × bodies) and in time (5 s per request).
const IDENTITIES: [string, Role, () => Auth][] = [
  ['anonymous', 'anonymous', () => null], ['ward A', 'ward', () => ward.a], ['ward B', 'ward', () => ward.b], ['city admin', 'admin', () => CITY_ADMIN],
];
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'COPY', 'PATCH', 'OPTIONS'];
const PATHS = [
  '/', '/_session', '/_all_dbs', '/_all_dbs/', '/_dbs_info', '/_config', '/_config/admins', '/_node/_local/_config/couchdb/js_engine', '/_node/_local/_versions',
  '/_replicate', '/_active_tasks', '/_uuids', '/_utils', '/_stats', '/_log', '/_restart', '/_db_updates', '/_users', '/_replicator', '/no_such_db', '/ward_zzz',
  '/ward_phuong-a', '/ward_phuong-a/', '/ward_phuong-b', '/ward_phuong-b/', '/ward_phuong-a/_changes', '/ward_phuong-a/_changes?feed=continuous&timeout=100', '/ward_phuong-a/_changes?filter=_selector',
  '/ward_phuong-a/_changes?filter=warddesk/x', '/ward_phuong-a/_revs_diff', '/ward_phuong-a/_bulk_docs', '/ward_phuong-a/_bulk_get?revs=true&latest=true', '/ward_phuong-a/_all_docs?keys=[1',
  '/ward_phuong-a/_local/cp', '/ward_phuong-a/_security', '/ward_phuong-a/_design/warddesk', '/ward_phuong-a/_design%2Fwarddesk', '/ward_phuong-a/_find', '/ward_phuong-a/_index',
  '/ward_phuong-a/_purge', '/ward_phuong-a/_compact', '/ward_phuong-a/_view_cleanup', '/ward_phuong-a/_temp_view', '/ward_phuong-a/_revs_limit', '/ward_phuong-a/_missing_revs',
  '/ward_phuong-a/doc:x', '/ward_phuong-a/doc:x?rev=1-abc&open_revs=all', '/ward_phuong-a/doc:x?open_revs=[%22bad', '/ward_phuong-a/chunk:abc/data', '/ward_phuong-a/doc:x/data',
  '/ward_phuong-a/_design/warddesk/_view/v', '/ward_phuong-a/_design/warddesk/_show/s', '/ward_phuong-a/%E0%A4%A', '/_users/_all_docs', '/_users/_changes', '/_users/_bulk_get',
  `/_users/org.couchdb.user%3Award-phuong-b`, '/_users/_design/_auth', '/_users/_security', '/ward_phuong-b/_all_docs', '/ward_phuong-b/_bulk_get', '/ward_phuong-b/_find',
  '/..%2F..%2Fetc', '/ward_phuong-a/_local', '/ward_phuong-a/_design', '/_session?next=//evil',
];
const BODIES = [undefined, '{', '[]', '{"docs":[{"_id":"_design/x","validate_doc_update":"function(){}"}],"new_edits":false}', '{"selector":{"$where":1},"keys":[null,{}],"docs":[{"id":1}]}', JSON.stringify({ name: 'x', roles: ['_admin', 'city'], a: 'é'.repeat(5000) })];

test('a fuzz of every identity, method, path and body gets no 5xx, no hang, and the table\'s refusals', async () => {
  let requests = 0;
  let maxMs = 0;
  const failures: string[] = [];
  for (const [label, role, auth] of IDENTITIES) {
    for (const method of METHODS) {
      for (const path of PATHS) {
        // The admin's own destructive operations would only remove the fuzz's targets; they are tested by city init and doctor.
        if (role === 'admin' && (method === 'DELETE' || method === 'PUT') && /^\/ward_phuong-[ab](\/|\/(_security|_design.*))?$/.test(path)) continue;
        for (const body of method === 'PUT' || method === 'POST' ? BODIES : [undefined]) {
          const r = await call(auth(), method, path, body);
          requests += 1;
          maxMs = Math.max(maxMs, r.ms);
          const what = `${label} ${method} ${path} ${body?.slice(0, 20) ?? ''} → ${r.status}`;
          if (r.status === 0 || r.status >= 500) { failures.push(`${what} ${r.text.slice(0, 80)}`); continue; }
          const pathname = new URL(path, 'http://x').pathname;
          const verdict = routeVerdict(method, pathname, role);
          // Where the table refuses, the city refuses with the table's status.
          if (!verdict.allowed && !path.includes('%E0') && r.status !== verdict.status) failures.push(`${what}: the table says ${verdict.status}`);
          // Another ward's database is never open, whatever the route.
          if (label === 'ward A' && path.startsWith('/ward_phuong-b') && r.status < 400) failures.push(`${what}: ward A inside ward B`);
          if (role !== 'admin' && r.text.includes('"ward_phuong-b"') && label !== 'ward B') failures.push(`${what}: listed databases`);
        }
      }
    }
  }
  console.log(`fuzz: ${requests} requests, ${IDENTITIES.length} identities, ${failures.length} failures, max latency ${maxMs} ms`);
  assert.equal(failures, []);
  await stillAnswers();
  const roles = JSON.parse((await call(CITY_ADMIN, 'GET', `/_users/${encodeURIComponent(`org.couchdb.user:${ward.a.name}`)}`)).text).roles as string[];
  assert.equal(roles, [], 'no fuzz request changed a ward\'s roles');
});

test.run();
