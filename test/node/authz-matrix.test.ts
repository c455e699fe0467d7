// The authorization matrix: every route the node's router answers (read from
// the router itself, so a new route fails this test until it has a row) ×
// every role × not logged in, against one table of who may pass (ACCESS in
// test/helpers/routes.ts, shared with the bad-input sweep). Then CSRF on
// every mutation, session replacement at login and at a password change, PIN
// guesses fired at once, and a sweep of every answer for secrets.
// Covered elsewhere, not repeated here: login lockout and a planted session
// cookie (test/node/auth.test.ts), the PIN lockout surviving a restart
// (test/node/cert-routes.test.ts), what each role's device may pull over
// /api/replicate (test/node/replicate-routes.test.ts), a ward's city
// credentials against another ward's database (test/sync/city.test.ts, and
// below for the rest of CouchDB's replication surface).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, issueWardCa } from '../../certs/ca-issue.js';
import { RevocationRegister } from '../../certs/revocation.js';
import { WARD_CA } from '../../node/signing.js';
import { initCity } from '../../node/city/init.js';
import type { Role } from '../../sync/workflow.js';
import { Client, official, sampleDraft, startTestWard, type Reply, type TestWard } from '../helpers/ward.js';
import { CITY_ADMIN, couch, startTestCity } from '../helpers/city.js';
import { ACCESS, fillPath, listRoutes, PAGES, ROLES, type Access, type RouteEntry } from '../helpers/routes.js';
import { onePagePdf } from '../helpers/files.js';


const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-authz-'));
let ward: TestWard;
const clients = {} as Record<Role, Client>;
const passwords = {} as Record<Role, string>;
const usernames: Record<Role, string> = { specialist: 'mx-chuyenvien', leader: 'mx-lanhdao', clerk: 'mx-vanthu', admin: 'mx-quantri' };
let samples: Record<string, string>;
/** Every answer the matrix got, to sweep for secrets afterwards. */
const answers: { who: string; key: string; reply: Reply }[] = [];

test.before(async () => {
  ward = await startTestWard({}, dataDir);
  const root = createRootCa('Test City Root');
  const wardCa = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });
  ward.node.signing.keys.save(WARD_CA, wardCa, CA_PIN);
  new RevocationRegister(ward.node.signing.keys.dir, WARD_CA).publish(wardCa);
  for (const role of ROLES) {
    clients[role] = await official(ward, usernames[role], role);
    passwords[role] = `${usernames[role]}-real-password`;
  }
  await official(ward, 'mx-target', 'specialist');
  assert.is((await ward.admin.post('/api/certificates', { holder: usernames.leader, caPin: CA_PIN, pin: LEADER_PIN })).status, 201);
  const draft = await clients.specialist.post('/api/documents/outgoing', sampleDraft());
  const blob = await clients.clerk.post('/api/blobs', onePagePdf('authz matrix'), { 'content-type': 'application/pdf' });
  assert.is(blob.status, 201, JSON.stringify(blob.body));
  samples = { username: 'mx-target', id: draft.body.id, docid: draft.body.id, action: 'submit', sha256: blob.body.sha256, rest: '_find', serial: '0a', signingId: 'no-such-signing', register: 'chung', year: '2026', file: 'phuong-mau.crl', fingerprint: 'ab'.repeat(32) };
});
test.after(async () => { await ward.stop(); rmSync(dataDir, { recursive: true, force: true }); });

const isMutation = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);
const RAW = new Set(['/api/blobs', '/api/me/signature-image', '/api/seal/image']);

/** One request on a route, as harmless as the route allows: an empty JSON object, or an empty raw body. */
function probe(client: Client, route: RouteEntry): Promise<Reply> {
  const method = route.method === '_ALL' ? 'POST' : route.method;
  const path = PAGES.test(route.key) ? '/' : fillPath(route.path, samples);
  if (!isMutation(method)) return client.request(method, path);
  if (RAW.has(route.path)) return client.request(method, path, Buffer.alloc(0), { 'content-type': 'application/octet-stream' });
  return client.request(method, path, {});
}

function assertClearError(r: Reply, label: string) {
  if (r.status < 400 || !r.headers.get('content-type')?.includes('json')) return;
  assert.is(r.body.status, 'error', label);
  assert.ok(r.body.message?.vi && r.body.message?.en, `${label}: message in both languages`);
}

test('the table has a row for every route the router answers, and no row for a route that is gone', () => {
  const keys = listRoutes(ward.node).map((r) => r.key).filter((k) => !PAGES.test(k));
  assert.equal(keys.filter((k) => !(k in ACCESS)), [], 'routes without a row in ACCESS');
  assert.equal(Object.keys(ACCESS).filter((k) => !keys.includes(k)), [], 'rows for routes that do not exist');
  assert.ok(keys.length >= 40, `${keys.length} routes`);
});

test('every route × every role × not logged in gets exactly what the table says, never a 5xx', async () => {
  const anon = new Client(ward.url);
  let checked = 0;
  for (const route of listRoutes(ward.node)) {
    const access: Access = PAGES.test(route.key) ? 'public' : ACCESS[route.key]!;
    const a = await probe(anon, route);
    answers.push({ who: 'anonymous', key: route.key, reply: a });
    assert.ok(a.status < 500, `anonymous ${route.key}: ${a.status}`);
    assertClearError(a, `anonymous ${route.key}`);
    if (access === 'public') assert.is.not(a.body?.code, 'not_logged_in', `anonymous ${route.key}`);
    else { assert.is(a.status, 401, `anonymous ${route.key}`); assert.is(a.body.code, 'not_logged_in'); }
    checked += 1;
    for (const role of ROLES) {
      // Logging out would end the session the rest of the matrix uses: probe it with a session of its own.
      let client = clients[role];
      if (route.key === 'POST /api/auth/logout') { client = new Client(ward.url); await client.login(usernames[role], passwords[role]); }
      const r = await probe(client, route);
      answers.push({ who: role, key: route.key, reply: r });
      const label = `${role} ${route.key} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
      assert.ok(r.status < 500, label);
      assertClearError(r, label);
      assert.is.not(r.body?.code, 'not_logged_in', label);
      assert.is.not(r.body?.code, 'csrf', label);
      if (Array.isArray(access) && !access.includes(role)) { assert.is(r.status, 403, label); assert.is(r.body.code, 'forbidden', label); }
      else assert.is.not(r.body?.code, 'forbidden', label);
      checked += 1;
    }
  }
  console.log(`authorization matrix: ${checked} route × caller pairs checked`);
});

test('every mutation without the CSRF token, or with another session\'s, is refused and writes nothing', async () => {
  const mutations = listRoutes(ward.node).filter((r) => isMutation(r.method) && r.key !== 'POST /api/auth/login');
  const seq = (await ward.node.store.docs.info()).update_seq;
  const audit = ward.node.ledger.length;
  const stranger = clients.clerk.csrf;
  for (const role of ROLES) {
    const real = clients[role];
    for (const token of ['', role === 'clerk' ? clients.leader.csrf : stranger, 'x'.repeat(43)]) {
      const forged = new Client(ward.url);
      forged.cookie = real.cookie;
      forged.csrf = token;
      for (const route of mutations) {
        const r = await probe(forged, route);
        assert.is(r.status, 403, `${role} ${route.key} with CSRF '${token.slice(0, 6)}'`);
        assert.is(r.body.code, 'csrf');
      }
    }
  }
  assert.is((await ward.node.store.docs.info()).update_seq, seq, 'nothing written to the store');
  assert.is(ward.node.ledger.length, audit, 'nothing written to the audit log');
  assert.is((await clients.specialist.get('/api/auth/me')).status, 200, 'the real sessions still work');
});

test('logging in again replaces a session that was valid: the old token stops working', async () => {
  const c = new Client(ward.url);
  await c.login(usernames.specialist, passwords.specialist);
  const first = c.cookie;
  await c.login(usernames.specialist, passwords.specialist);
  assert.is.not(c.cookie, first);
  const old = new Client(ward.url);
  old.cookie = first;
  assert.is((await old.get('/api/auth/me')).status, 401);
  assert.is((await c.get('/api/auth/me')).status, 200);
});

test('changing the password ends the sessions on every other device', async () => {
  const phone = await official(ward, 'mx-hai-may', 'specialist');
  const laptop = new Client(ward.url);
  await laptop.login('mx-hai-may', 'mx-hai-may-real-password');
  assert.is((await laptop.post('/api/auth/password', { oldPassword: 'mx-hai-may-real-password', newPassword: 'mx-hai-may-new-password' })).status, 200);
  assert.is((await phone.get('/api/documents')).status, 401);
  assert.is((await laptop.get('/api/documents')).status, 200);
});

test('twenty PIN guesses fired at once cannot slip past the key lockout, and the key still opens later only with the right PIN', async () => {
  const leader = clients.leader;
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => leader.post('/api/me/certificate/pin', { oldPin: `90000${i}`.slice(0, 6), newPin: '135790' })));
  assert.is(replies.filter((r) => r.status === 401).length, 4, 'only four guesses are checked before the lock');
  assert.ok(replies.every((r) => r.status === 401 || (r.status === 429 && r.body.code === 'key_locked')));
  const right = await leader.post('/api/me/certificate/pin', { oldPin: LEADER_PIN, newPin: '135790' });
  assert.is(right.status, 429);
  const attempts = JSON.parse(readFileSync(join(ward.node.signing.keys.dir, `user.${usernames.leader}.attempts.json`), 'utf8')) as { lockedUntil: number };
  assert.ok(attempts.lockedUntil > Date.now(), 'the lock is on disk');
});

test('no answer of the matrix carries a secret: no hash, key, password or another session\'s CSRF token', () => {
  assert.ok(answers.length > 100);
  const csrfOf = Object.fromEntries(ROLES.map((r) => [r, clients[r].csrf]));
  for (const { who, key, reply } of answers) {
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    assert.not.match(text, /scrypt|PRIVATE KEY|real-password|"(hash|salt|pin|caPin|oldPin|newPin|password|privateKey)"\s*:\s*"/i, `${who} ${key}`);
    for (const [role, token] of Object.entries(csrfOf)) if (role !== who && token) assert.not.ok(text.includes(token), `${who} ${key} shows ${role}'s CSRF token`);
  }
});

test('a ward\'s city credentials reach nothing of another ward\'s database through any replication endpoint', async () => {
  const city = await startTestCity();
  const out = mkdtempSync(join(tmpdir(), 'warddesk-authz-creds-'));
  try {
    await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['mx-a', 'mx-b'], outDir: out });
    const credsOf = (w: string) => { const f = JSON.parse(readFileSync(join(out, `${w}.credentials.json`), 'utf8')) as { username: string; password: string }; return { name: f.username, password: f.password }; };
    const a = credsOf('mx-a');
    const b = credsOf('mx-b');
    const doc = { _id: 'user:mx-a-one', type: 'user', username: 'mx-a-one', fullName: 'A-private', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00' };
    const put = await couch(city.url, a, 'PUT', `/ward_mx-a/${doc._id}`, doc);
    assert.is(put.status, 201, JSON.stringify(put.body));
    assert.is((await couch(city.url, a, 'PUT', '/ward_mx-a/_local/checkpoint', { note: 'A-private' })).status, 201);
    const db = '/ward_mx-a';
    const probes: [string, string, unknown?][] = [
      ['GET', db], ['GET', `${db}/_all_docs`], ['GET', `${db}/_changes?feed=longpoll&timeout=100`], ['POST', `${db}/_bulk_get`, { docs: [{ id: doc._id }, { id: '_local/checkpoint' }] }],
      ['POST', `${db}/_revs_diff`, { [doc._id]: ['1-abc'] }], ['GET', `${db}/_local/checkpoint`], ['PUT', `${db}/_local/checkpoint`, { last_seq: 0 }],
      ['POST', `${db}/_bulk_docs`, { new_edits: false, docs: [{ ...doc, fullName: 'B', _rev: '1-abc' }] }], ['POST', `${db}/_find`, { selector: {} }],
      ['GET', `${db}/_design_docs`], ['GET', `${db}/_security`], ['POST', `${db}/_purge`, { [doc._id]: ['1-abc'] }], ['POST', `${db}/_compact`, {}],
      ['GET', `${db}/${doc._id}`], ['DELETE', `${db}/${doc._id}?rev=1-abc`], ['POST', '/_users/_bulk_get', { docs: [{ id: 'org.couchdb.user:ward-mx-a' }] }],
      ['GET', '/_users/_all_docs'], ['POST', '/_replicator/_bulk_get', { docs: [{ id: 'x' }] }],
    ];
    for (const [method, path, body] of probes) {
      const r = await couch(city.url, b, method, path, body);
      const label = `ward B: ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`;
      assert.not.match(JSON.stringify(r.body), /derived_key|"salt"|A-private|"ok":\{/, label);
      // CouchDB answers _bulk_docs 201 with one error per document; nothing may be stored.
      if (path.endsWith('/_bulk_docs') && Array.isArray(r.body)) { assert.ok((r.body as { error?: string }[]).every((d) => d.error === 'unauthorized' || d.error === 'forbidden'), label); continue; }
      // express-pouchdb answers some refusals on system databases with a 4xx/500 "bad_request" of its own: a refusal all the same.
      // 404 from the city's route table: a route it does not serve at all (node/city/route-table.ts).
      const unserved = r.status === 404 && /does not serve this route/.test(JSON.stringify(r.body));
      assert.ok(r.status === 401 || r.status === 403 || unserved || (path.startsWith('/_users') && r.status >= 400), label);
    }
    assert.is((await couch(city.url, CITY_ADMIN, 'GET', `${db}/_all_docs`)).body.rows.filter((r: { id: string }) => !r.id.startsWith('_design/') && r.id !== doc._id).length, 0, 'ward B stored nothing in ward A');
    assert.is((await couch(city.url, a, 'GET', `${db}/_all_docs`)).status, 200, 'ward A still reads its own');
  } finally {
    await city.destroy();
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
