import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { ERRORS } from '../../sync/errors.js';
import { Client, official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';
import { localIds, pull, sessionFetch } from '../helpers/replica.js';

const DAY = 86_400_000;
let ward: TestWard;
let alice: Client, bob: Client, leader: Client, clerk: Client;
let dir: string;
/** The node's clock runs this far behind while the "old" documents are written. */
let behindMs = 200 * DAY;
const ids: Record<string, string> = {};

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warddesk-replica-'));
  ward = await startTestWard({}, undefined, { clock: { now: () => new Date(Date.now() - behindMs) } });
  alice = await official(ward, 'alice', 'specialist');
  bob = await official(ward, 'bob', 'specialist');
  leader = await official(ward, 'lanh', 'leader');
  clerk = await official(ward, 'vanthu', 'clerk');
  // 200 days ago: bob's document went to approval; an incoming document was registered and left unassigned.
  ids.oldApproved = (await bob.post('/api/documents/outgoing', sampleDraft({ subject: 'Kế hoạch cũ' }))).body.id;
  await bob.post(`/api/documents/${ids.oldApproved}/actions/submit`);
  await leader.post(`/api/documents/${ids.oldApproved}/actions/approve`, {});
  ids.oldIncoming = (await clerk.post('/api/documents/incoming', {
    senderName: 'UBND Quận', originalSymbol: '12/UBND-VP', originalDate: '2026-01-05', docType: 'CV', subject: 'Công văn cũ về rà soát hộ nghèo',
  })).body.id;
  await clerk.post(`/api/documents/${ids.oldIncoming}/actions/register`, {});
  behindMs = 0;
  ids.bobDraft = (await bob.post('/api/documents/outgoing', sampleDraft({ subject: 'Nháp riêng của Bình' }))).body.id;
  ids.aliceDraft = (await alice.post('/api/documents/outgoing', sampleDraft({ subject: 'Nháp của An' }))).body.id;
  ids.recent = (await bob.post('/api/documents/outgoing', sampleDraft({ subject: 'Tờ trình gần đây' }))).body.id;
  await bob.post(`/api/documents/${ids.recent}/actions/submit`);
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

// From the node's own view: the REST API keeps drafts private to their author, even from the admin.
const eventsOf = async (id: string) => (await ward.node.projection.view(id))!.events.map((e) => e._id);
const docsOfSet = (all: string[]) => all.filter((id) => id.startsWith('doc:')).sort();

test('a specialist pulls her drafts, recent submitted work and their events; not others\' drafts, old documents, users, secrets or the audit chain', async () => {
  const local = new PouchDB(join(dir, 'alice-1'));
  const result = await pull(local, alice);
  const got = await localIds(local);
  assert.equal(docsOfSet(got), [ids.aliceDraft, ids.recent].sort());
  for (const id of [...await eventsOf(ids.aliceDraft!), ...await eventsOf(ids.recent!)]) assert.ok(got.includes(id), `event ${id}`);
  assert.ok(got.every((id) => id.startsWith('doc:') || id.startsWith('ev:')), got.join(' '));
  const docs = (await local.allDocs({ include_docs: true })).rows.map((r) => r.doc as { docId?: string; _id: string });
  const allowed = new Set([ids.aliceDraft, ids.recent]);
  assert.ok(docs.every((d) => allowed.has(d.docId ?? d._id)), 'every event belongs to a document of the set');
  assert.not.match(JSON.stringify(docs), /scrypt|password|csrf/i);
  assert.ok(result.docs_written >= 4);
  await local.close();
});

test('a document that becomes her task later reaches her through the feed, with its old events', async () => {
  const local = new PouchDB(join(dir, 'alice-2'));
  await pull(local, alice);
  assert.not.ok((await localIds(local)).includes(ids.oldIncoming!));
  const assigned = await leader.post(`/api/documents/${ids.oldIncoming}/actions/assign`, { data: { handler: 'alice' } });
  assert.is(assigned.status, 200);
  // bob submits his draft: it leaves his private space and joins everyone's recent work.
  await bob.post(`/api/documents/${ids.bobDraft}/actions/submit`);
  await pull(local, alice);
  const got = await localIds(local);
  for (const id of [ids.oldIncoming!, ...await eventsOf(ids.oldIncoming!), ids.bobDraft!, ...await eventsOf(ids.bobDraft!)]) assert.ok(got.includes(id), `missing ${id}`);
  assert.not.ok(got.includes(ids.oldApproved!), 'old and not her task');
  await local.close();
});

test('the clerk\'s working set holds the old approved document: numbering it is her task', async () => {
  const local = new PouchDB(join(dir, 'clerk'));
  await pull(local, clerk);
  const got = await localIds(local);
  assert.ok(got.includes(ids.oldApproved!));
  assert.not.ok(got.includes(ids.aliceDraft!));
  await local.close();
});

test('documents outside the set are not served by id, _bulk_get or _all_docs', async () => {
  const base = '/api/replicate';
  const hidden = ids.oldApproved!;
  assert.is((await alice.get(`${base}/${encodeURIComponent(hidden)}`)).status, 404);
  assert.is((await alice.get(`${base}/${encodeURIComponent('user:bob')}`)).status, 404);
  assert.is((await alice.get(`${base}/${encodeURIComponent(ids.aliceDraft!)}?revs=true`)).body._id, ids.aliceDraft);
  const bulk = await alice.post(`${base}/_bulk_get?revs=true`, { docs: [{ id: hidden }, { id: ids.aliceDraft }, { id: 'audit:000000000001' }] });
  assert.is(bulk.status, 200);
  assert.ok(bulk.body.results[0].docs[0].error);
  assert.is(bulk.body.results[1].docs[0].ok._id, ids.aliceDraft);
  assert.ok(bulk.body.results[2].docs[0].error);
  const all = await alice.post(`${base}/_all_docs`, { keys: [hidden, ids.aliceDraft] });
  assert.is(all.body.rows[0].error, 'not_found');
  assert.is(all.body.rows[1].id, ids.aliceDraft);
  const info = await alice.get(`${base}/`);
  assert.ok(Number(info.body.update_seq) > 0);
  assert.is((await alice.get(`${base}/_local/some-checkpoint`)).status, 404);
});

test('writes, _find, _purge, _security and design documents are refused with a 4xx in Vietnamese and English', async () => {
  const base = '/api/replicate';
  const refusals: [string, string, unknown, string][] = [
    ['PUT', '/_local/checkpoint', { last_seq: 1 }, 'replication_read_only'],
    ['POST', '/_bulk_docs', { docs: [{ _id: 'doc:out:x' }] }, 'replication_read_only'],
    ['POST', '/', { _id: 'x' }, 'replication_read_only'],
    ['PUT', `/${encodeURIComponent(ids.aliceDraft!)}`, { _id: ids.aliceDraft }, 'replication_read_only'],
    ['DELETE', `/${encodeURIComponent(ids.aliceDraft!)}`, undefined, 'replication_read_only'],
    ['POST', '/_find', { selector: {} }, 'replication_forbidden'],
    ['POST', '/_purge', {}, 'replication_forbidden'],
    ['GET', '/_security', undefined, 'replication_forbidden'],
    ['PUT', '/_security', {}, 'replication_forbidden'],
    ['GET', '/_design/x', undefined, 'replication_forbidden'],
    ['POST', '/_revs_diff', {}, 'replication_forbidden'],
  ];
  for (const [method, path, body, code] of refusals) {
    const r = await alice.request(method, base + path, body);
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status}`);
    assert.is(r.body.code, code, `${method} ${path}`);
    assert.equal(r.body.message, { vi: ERRORS[code as keyof typeof ERRORS].vi, en: ERRORS[code as keyof typeof ERRORS].en });
  }
  const stranger = new Client(ward.url);
  assert.is((await stranger.get(`${base}/_changes`)).status, 401);
});

test('a revision that never existed, asked with latest=true, is not found and the node keeps answering', async () => {
  const base = '/api/replicate';
  const bulk = await alice.post(`${base}/_bulk_get?revs=true&latest=true`, { docs: [{ id: ids.aliceDraft, rev: '9-nonexistent' }] });
  assert.is(bulk.status, 200);
  assert.equal(bulk.body.results[0].docs, [{ missing: '9-nonexistent' }]);
  const one = await alice.get(`${base}/${encodeURIComponent(ids.aliceDraft!)}?rev=9-nonexistent&latest=true`);
  assert.is(one.status, 404);
  assert.is((await alice.get(`${base}/`)).status, 200);
});

test('a long-poll on _changes answers when a document of the set changes', async () => {
  const fetchAs = sessionFetch(alice);
  const head = (await alice.get('/api/replicate/')).body.update_seq;
  const waiting = fetchAs(`${ward.url}/api/replicate/_changes?feed=longpoll&since=${head}&timeout=20000`).then((r) => r.json() as Promise<{ results: { id: string }[] }>);
  const created = await alice.post('/api/documents/outgoing', sampleDraft({ subject: 'Nháp mới' }));
  const page = await waiting;
  assert.ok(page.results.some((r) => r.id === created.body.id), JSON.stringify(page));
});

test.run();
