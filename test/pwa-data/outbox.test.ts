import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { ERRORS } from '../../sync/errors.js';
import { openDataLayer, type DataLayer, type SyncStatus } from '../../pwa/src/data/index.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';
import { sessionFetch } from '../helpers/replica.js';

let dir: string;
let ward: TestWard;
let alice: Client;
let port: number;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warddesk-pwa-outbox-'));
  ward = await startTestWard({}, join(dir, 'node'));
  port = Number(new URL(ward.url).port);
  alice = await official(ward, 'alice', 'specialist');
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

const device = (name: string): Promise<DataLayer> => openDataLayer({
  user: { username: 'alice', role: 'specialist' }, baseUrl: ward.url, csrf: () => alice.csrf, PouchDB, fetch: sessionFetch(alice), dbPrefix: join(dir, name),
});

test('drafts created, edited and submitted while the node is stopped are sent in order when it returns', async () => {
  const data = await device('tablet');
  const seen: SyncStatus[] = [];
  data.onStatus((s) => seen.push(s));
  assert.is((await data.sync()).state, 'idle');

  await ward.node.close();
  const { docId } = await data.queue({ kind: 'create', content: sampleDraft({ subject: 'Quyết định soạn khi mất mạng' }) });
  assert.match(docId, /^local:/);
  await data.queue({ kind: 'edit', docId, content: sampleDraft({ subject: 'Quyết định soạn khi mất mạng (sửa)' }) });
  await data.queue({ kind: 'act', docId, action: 'submit' });
  const offline = data.get(docId)!;
  assert.is(offline.state, 'submitted');
  assert.is(offline.subject, 'Quyết định soạn khi mất mạng (sửa)');
  assert.is(offline.pendingCommands, 3);
  assert.equal(offline.events.map((e) => [e.action, e.pending]), [['create', true], ['edit', true], ['submit', true]]);

  const down = await data.sync();
  assert.is(down.state, 'offline');
  assert.is(down.online, false);
  assert.is(down.pending, 3, 'nothing is called sent that the node did not take');

  ward = await startTestWard({ port }, join(dir, 'node'));
  const up = await data.sync();
  assert.is(up.state, 'idle');
  assert.is(up.pending, 0);
  assert.is(up.conflicts, 0);
  assert.ok(up.lastSyncAt);
  assert.ok(seen.some((s) => s.state === 'syncing'));

  const mine = await alice.get('/api/documents?author=alice');
  assert.is(mine.body.total, 1);
  const onNode = (await alice.get(`/api/documents/${mine.body.items[0].id}`)).body;
  assert.is(onNode.state, 'submitted');
  assert.is(onNode.content.subject, 'Quyết định soạn khi mất mạng (sửa)');
  assert.equal(onNode.events.map((e: { action: string }) => e.action), ['create', 'edit', 'submit']);
  const pulled = data.get(docId)!;
  assert.is(pulled.id, onNode.id, 'the local id now leads to the node\'s document');
  assert.is(pulled.pendingCommands, 0);
  assert.ok(pulled.events.every((e) => !e.pending));
  assert.is(data.list().total, 1);
  await data.close();
});

/** The device edits and submits a draft it pulled while the author saves another version elsewhere (her PC). */
async function staleEditOn(data: DataLayer, subject: string, onDevice: string, elsewhere: string): Promise<string> {
  const created = await alice.post('/api/documents/outgoing', sampleDraft({ subject }));
  await data.sync();
  const id = created.body.id as string;
  assert.is(data.get(id)!.rev, created.body.rev);
  await data.queue({ kind: 'edit', docId: id, content: sampleDraft({ subject: onDevice }) });
  await data.queue({ kind: 'act', docId: id, action: 'submit' });
  const saved = await alice.put(`/api/documents/${id}`, { baseRev: created.body.rev, content: sampleDraft({ subject: elsewhere }) });
  assert.is(saved.status, 200);
  return id;
}

test('a stale edit becomes a conflict with the node\'s message; the step queued after it waits until the user retries', async () => {
  const data = await device('phone');
  const id = await staleEditOn(data, 'Kế hoạch ban đầu', 'Kế hoạch sửa trên điện thoại', 'Kế hoạch sửa trên máy tính');

  const after = await data.sync();
  assert.is(after.conflicts, 1);
  assert.is(after.pending, 1, 'the submit waits behind the refused edit');
  const [conflict] = data.conflicts();
  assert.is(conflict!.code, 'stale_revision');
  assert.is(conflict!.status, 409);
  assert.equal(conflict!.message, { vi: ERRORS.stale_revision.vi, en: ERRORS.stale_revision.en });
  assert.is(conflict!.docId, id);
  const node1 = (await alice.get(`/api/documents/${id}`)).body;
  assert.is(node1.state, 'draft');
  assert.is(node1.content.subject, 'Kế hoạch sửa trên máy tính');
  assert.is(data.get(id)!.conflicts, 1);

  await data.resolveConflict(conflict!._id, 'retry');
  const resolved = await data.sync();
  assert.is(resolved.conflicts, 0);
  assert.is(resolved.pending, 0);
  const node2 = (await alice.get(`/api/documents/${id}`)).body;
  assert.is(node2.content.subject, 'Kế hoạch sửa trên điện thoại');
  assert.is(node2.state, 'submitted');
  assert.is(data.get(id)!.state, 'submitted');
  await data.close();
});

test('a discarded conflict is gone and the step after it goes out based on the node\'s revision', async () => {
  const data = await device('laptop');
  const id = await staleEditOn(data, 'Thông báo lịch họp', 'Thông báo lịch họp (bản cũ)', 'Thông báo lịch họp (bản mới)');
  await data.sync();
  const [conflict] = data.conflicts();
  await data.resolveConflict(conflict!._id, 'discard');
  const after = await data.sync();
  assert.is(after.conflicts, 0);
  assert.is(after.pending, 0);
  const node = (await alice.get(`/api/documents/${id}`)).body;
  assert.is(node.content.subject, 'Thông báo lịch họp (bản mới)');
  assert.is(node.state, 'submitted');
  await data.close();
});

test('a command the rules refuse is not queued: the user hears it at once, in both languages', async () => {
  const data = await device('desk');
  await data.sync();
  const submitted = data.list({ state: 'submitted' }).items[0]!;
  const refused = await data.queue({ kind: 'edit', docId: submitted.id, content: sampleDraft() }).then(() => null, (e: unknown) => e as { code: string; vi: string; en: string });
  assert.is(refused?.code, 'not_editable');
  assert.is(refused?.vi, ERRORS.not_editable.vi);
  const bad = await data.queue({ kind: 'create', content: { subject: '' } }).then(() => null, (e: unknown) => e as { code: string });
  assert.is(bad?.code, 'invalid_input');
  assert.is(data.status.pending, 0);
  await data.close();
});

test.run();
