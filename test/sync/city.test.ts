// `warddesk city init` against a real embedded city server over HTTP: one
// database, one user and one _security per ward; a ward's credentials open
// only its own database; validate_doc_update refuses forged writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { startTestCity, couch, CITY_ADMIN, type TestCity } from '../helpers/city.js';

let city: TestCity;
let out: string;
const creds: Record<string, { name: string; password: string }> = {};
const sha = 'c'.repeat(64);

const record = (ward: string, over: Record<string, unknown> = {}) => ({
  _id: 'doc:out:0123456789abcdef', type: 'document', ward, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien',
  content: { docType: 'QĐ', subject: 'Quyết định thử', body: '', signerAuthority: 'TM.', signerTitle: '', signerName: '', recipients: [], attachments: [] }, ...over,
});
const event = (ward: string, over: Record<string, unknown> = {}) => ({
  _id: 'ev:out:0123456789abcdef:001772416800000', type: 'event', ward, docId: 'doc:out:0123456789abcdef', action: 'submit',
  at: '2026-03-02T09:00:00+07:00', actor: { user: 'chuyenvien', role: 'specialist', device: '' }, data: {}, ...over,
});

test.before(async () => {
  city = await startTestCity();
  out = mkdtempSync(join(tmpdir(), 'warddesk-creds-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuc-xa', 'cong-vi'], outDir: out });
  for (const w of ['phuc-xa', 'cong-vi']) {
    const file = JSON.parse(readFileSync(join(out, `${w}.credentials.json`), 'utf8')) as { username: string; password: string };
    creds[w] = { name: file.username, password: file.password };
  }
});
test.after(async () => { await city.destroy(); rmSync(out, { recursive: true, force: true }); });

test('creates one database, one user and members-only _security per ward, credentials in 0600 files', async () => {
  const dbs = await couch(city.url, CITY_ADMIN, 'GET', '/_all_dbs');
  assert.ok(dbs.body.includes('ward_phuc-xa') && dbs.body.includes('ward_cong-vi'), JSON.stringify(dbs.body));
  const user = await couch(city.url, CITY_ADMIN, 'GET', `/_users/${encodeURIComponent('org.couchdb.user:ward-phuc-xa')}`);
  assert.is(user.status, 200);
  assert.is(user.body.password, undefined, 'the city stores no clear password');
  const security = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuc-xa/_security');
  assert.equal(security.body.members, { names: ['ward-phuc-xa'], roles: [] });
  const ddoc = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuc-xa/_design/warddesk');
  assert.match(ddoc.body.validate_doc_update, /^function/);
  assert.is(statSync(join(out, 'phuc-xa.credentials.json')).mode & 0o777, 0o600);
});

test('running init again keeps the databases and the ward\'s password', async () => {
  const again = await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuc-xa'], outDir: out });
  assert.is(again[0]!.createdDb, false);
  assert.is(again[0]!.newPassword, false);
  assert.is((await couch(city.url, creds['phuc-xa']!, 'GET', '/ward_phuc-xa')).status, 200);
});

test('a ward\'s credentials cannot read or write another ward\'s database, nor can anonymous callers', async () => {
  for (const who of [creds['phuc-xa']!, null]) {
    assert.is((await couch(city.url, who, 'GET', '/_all_dbs')).status, 401, 'the list of ward databases is the city administrator\'s (CouchDB 3: admin_only_all_dbs)');
  }
  assert.is((await couch(city.url, creds['phuc-xa']!, 'GET', '/ward_phuc-xa/_all_docs')).status, 200);
  for (const [method, path, body] of [['GET', '/ward_cong-vi/_all_docs', undefined], ['GET', '/ward_cong-vi/_changes', undefined], ['PUT', '/ward_cong-vi/doc:out:0123456789abcdef', record('cong-vi')]] as const) {
    const r = await couch(city.url, creds['phuc-xa']!, method, path, body);
    assert.ok(r.status === 401 || r.status === 403, `${method} ${path} → ${r.status}`);
    const anon = await couch(city.url, null, method, path, body);
    assert.ok(anon.status === 401 || anon.status === 403, `anonymous ${method} ${path} → ${anon.status}`);
  }
  const wrong = await couch(city.url, { name: 'ward-phuc-xa', password: 'not-the-password' }, 'GET', '/ward_phuc-xa/_all_docs');
  assert.is(wrong.status, 401);
  const security = await couch(city.url, creds['phuc-xa']!, 'PUT', '/ward_phuc-xa/_security', { members: { names: ['ward-cong-vi'] } });
  assert.ok(security.status === 401 || security.status === 403, `member changing _security → ${security.status}`);
  const ddoc = await couch(city.url, creds['phuc-xa']!, 'PUT', '/ward_phuc-xa/_design/warddesk', { validate_doc_update: 'function(){}' });
  assert.ok(ddoc.status === 401 || ddoc.status === 403, `member replacing the rules → ${ddoc.status}`);
});

test('validate_doc_update refuses forged writes through the HTTP API', async () => {
  const me = creds['phuc-xa']!;
  // Another ward's document written into my own database.
  const foreign = await couch(city.url, me, 'PUT', '/ward_phuc-xa/doc:out:0123456789abcdef', record('cong-vi'));
  assert.is(foreign.status, 403);
  assert.is(foreign.body.error, 'forbidden');
  // An event is written once; editing it is refused.
  const ev = await couch(city.url, me, 'PUT', `/ward_phuc-xa/${event('phuc-xa')._id}`, event('phuc-xa'));
  assert.is(ev.status, 201, JSON.stringify(ev.body));
  const edited = await couch(city.url, me, 'PUT', `/ward_phuc-xa/${event('phuc-xa')._id}`, { ...event('phuc-xa', { comment: 'sửa lại' }), _rev: ev.body.rev });
  assert.is(edited.status, 403);
  // A sealed (signed/issued) document: no change, no delete — for the ward or the city admin.
  const sealed = await couch(city.url, me, 'PUT', '/ward_phuc-xa/doc:out:0123456789abcdef', record('phuc-xa', { sealed: true }));
  assert.is(sealed.status, 201, JSON.stringify(sealed.body));
  const changed = await couch(city.url, me, 'PUT', '/ward_phuc-xa/doc:out:0123456789abcdef', { ...record('phuc-xa', { sealed: true, createdBy: 'khac' }), _rev: sealed.body.rev });
  assert.is(changed.status, 403);
  const deleted = await couch(city.url, me, 'DELETE', `/ward_phuc-xa/doc:out:0123456789abcdef?rev=${sealed.body.rev}`);
  assert.is(deleted.status, 403);
  const adminDeleted = await couch(city.url, CITY_ADMIN, 'DELETE', `/ward_phuc-xa/doc:out:0123456789abcdef?rev=${sealed.body.rev}`);
  assert.is(adminDeleted.status, 403);
  // Through _bulk_docs as replication writes (new_edits=false), the rules hold too.
  const bulk = await couch(city.url, me, 'POST', '/ward_phuc-xa/_bulk_docs', { new_edits: false, docs: [{ ...record('cong-vi', { _id: 'doc:out:fedcba9876543210' }), _rev: '1-abc' }] });
  const stored = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuc-xa/doc:out:fedcba9876543210');
  assert.is(stored.status, 404, `replicated forgery stored: ${JSON.stringify(bulk.body)}`);
  // A secret smuggled into a profile.
  const secret = await couch(city.url, me, 'PUT', '/ward_phuc-xa/user:vanthu', { type: 'user', username: 'vanthu', fullName: 'V', title: '', role: 'clerk', active: true, updatedAt: '2026-03-02T09:00:00+07:00', password: { salt: 'x', hash: 'y' } });
  assert.is(secret.status, 403);
  // A file whose id is not its hash.
  const blob = await couch(city.url, me, 'PUT', `/ward_phuc-xa/blob:${sha}`, { type: 'blob', contentType: 'application/pdf', size: 4, sha256: 'd'.repeat(64), _attachments: { data: { content_type: 'application/pdf', data: Buffer.from('%PDF').toString('base64') } } });
  assert.is(blob.status, 403);
});

test('a document edited at the ward after it reached the city arrives there in its new revision (replicated writes keep their history)', async () => {
  const me = creds['cong-vi']!;
  const doc = record('cong-vi', { _id: 'doc:out:fedcba9876543210' });
  const first = await couch(city.url, me, 'POST', '/ward_cong-vi/_bulk_docs', { new_edits: false, docs: [{ ...doc, _rev: '1-aaa', _revisions: { start: 1, ids: ['aaa'] } }] });
  assert.is(first.status, 201);
  const edited = { ...doc, content: { ...doc.content, subject: 'Quyết định đã sửa' }, _rev: '2-bbb', _revisions: { start: 2, ids: ['bbb', 'aaa'] } };
  const second = await couch(city.url, me, 'POST', '/ward_cong-vi/_bulk_docs', { new_edits: false, docs: [edited] });
  assert.is(second.status, 201);
  // pouchdb-validation replaced the incoming history with the stored one, and the city kept revision 1 while answering 201.
  const atCity = await couch(city.url, CITY_ADMIN, 'GET', `/ward_cong-vi/${doc._id}`);
  assert.is(atCity.body._rev, '2-bbb');
  assert.is(atCity.body.content.subject, 'Quyết định đã sửa');
});

test('a member asking for a revision its document never had, with latest=true, gets an answer and the city stays up', async () => {
  const me = creds['cong-vi']!;
  const id = 'doc:out:fedcba9876543210'; // stored by the test above
  const never = '1-0123456789abcdef0123456789abcdef';
  const bulk = await couch(city.url, me, 'POST', '/ward_cong-vi/_bulk_get?latest=true', { docs: [{ id, rev: never }] });
  assert.is(bulk.status, 200, JSON.stringify(bulk.body));
  assert.is(bulk.body.results[0].docs[0].missing, never);
  assert.is((await couch(city.url, me, 'GET', `/ward_cong-vi/${id}?rev=${never}&latest=true`)).status, 404);
  const open = await couch(city.url, me, 'GET', `/ward_cong-vi/${id}?open_revs=${encodeURIComponent(JSON.stringify([never]))}&latest=true`);
  assert.is(open.body[0].missing, never);
  assert.is((await couch(city.url, me, 'GET', `/ward_cong-vi/${id}`)).status, 200, 'the city still answers');
});

test('a changed validate_doc_update takes effect on the very next write (the embedded city caches design documents by revision)', async () => {
  await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules');
  const strict = await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/_design/extra', { validate_doc_update: 'function (doc) { if (doc.colour !== "blue") throw({ forbidden: "only blue" }); }' });
  assert.is(strict.status, 201, JSON.stringify(strict.body));
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/a', { colour: 'red' })).status, 403);
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/b', { colour: 'blue' })).status, 201);
  const looser = await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/_design/extra', { _rev: strict.body.rev, validate_doc_update: 'function (doc) { if (doc.colour === "green") throw({ forbidden: "no green" }); }' });
  assert.is(looser.status, 201, JSON.stringify(looser.body));
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/a', { colour: 'red' })).status, 201, 'the old rule still ran');
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/c', { colour: 'green' })).status, 403, 'the new rule did not run');
  const gone = await couch(city.url, CITY_ADMIN, 'GET', '/scratch-rules/_design/extra');
  await couch(city.url, CITY_ADMIN, 'DELETE', `/scratch-rules/_design/extra?rev=${gone.body._rev}`);
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/scratch-rules/c', { colour: 'green' })).status, 201, 'a deleted rule still ran');
  await couch(city.url, CITY_ADMIN, 'DELETE', '/scratch-rules');
});

test.run();
