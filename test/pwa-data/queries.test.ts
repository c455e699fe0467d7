import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { openDataLayer, type DataLayer } from '../../pwa/src/data/index.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';
import { sessionFetch } from '../helpers/replica.js';

let dir: string;
let ward: TestWard;
let alice: Client, leader: Client, clerk: Client;
const ids: Record<string, string> = {};

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warddesk-pwa-queries-'));
  ward = await startTestWard();
  alice = await official(ward, 'alice', 'specialist');
  leader = await official(ward, 'lanh', 'leader');
  clerk = await official(ward, 'vanthu', 'clerk');
  ids.decision = (await alice.post('/api/documents/outgoing', sampleDraft({ subject: 'Quyết định phê duyệt kế hoạch chuyển đổi số' }))).body.id;
  await alice.post(`/api/documents/${ids.decision}/actions/submit`);
  ids.report = (await alice.post('/api/documents/outgoing', sampleDraft({ docType: 'BC', subject: 'Báo cáo tình hình đô thị' }))).body.id;
  ids.incoming = (await clerk.post('/api/documents/incoming', {
    senderName: 'UBND Quận', originalSymbol: '7303/UBND-VP', originalDate: '2026-03-02', docType: 'CV', subject: 'Công văn về việc rà soát hộ nghèo',
  })).body.id;
  await clerk.post(`/api/documents/${ids.incoming}/actions/register`, {});
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

async function device(client: Client, username: string, role: 'specialist' | 'leader' | 'clerk'): Promise<DataLayer> {
  const data = await openDataLayer({ user: { username, role }, baseUrl: ward.url, csrf: () => client.csrf, PouchDB, fetch: sessionFetch(client), dbPrefix: join(dir, username) });
  const status = await data.sync();
  assert.is(status.state, 'idle');
  return data;
}

test('the leader\'s tasks are what awaits approval and assignment; the specialist\'s unsubmitted draft is not on his device', async () => {
  const data = await device(leader, 'lanh', 'leader');
  const tasks = data.tasks();
  assert.equal(tasks.map((t) => t.id).sort(), [ids.decision, ids.incoming].sort());
  assert.equal(tasks.find((t) => t.id === ids.decision)!.nextActions, ['return', 'approve']);
  assert.equal(tasks.find((t) => t.id === ids.incoming)!.nextActions, ['assign']);
  assert.is(data.get(ids.report!), null);
  const incoming = data.get(ids.incoming!)!;
  assert.is(incoming.state, 'registered');
  assert.ok(incoming.number);
  assert.equal(incoming.events.map((e) => e.action), ['arrive', 'register']);
  await data.close();
});

test('lists filter by direction, state and type, and search without accents', async () => {
  const data = await device(alice, 'alice', 'specialist');
  assert.equal(data.list({ q: 'quyet dinh chuyen doi so' }).items.map((d) => d.id), [ids.decision]);
  assert.equal(data.list({ q: 'BAO CAO do thi' }).items.map((d) => d.id), [ids.report]);
  assert.equal(data.list({ q: 'ho ngheo' }).items.map((d) => d.id), [ids.incoming]);
  assert.equal(data.list({ q: '7303' }).items.map((d) => d.id), [ids.incoming], 'the sender\'s symbol is searchable');
  assert.is(data.list({ q: 'khong co van ban nay' }).total, 0);
  assert.equal(data.list({ q: 'đô thị' }).items.map((d) => d.id), [ids.report], 'accented words match the accented text');
  assert.is(data.list({ q: 'đồ thị' }).total, 0, 'an accented query narrows: "đồ thị" is not "đô thị"');
  assert.is(data.list({ direction: 'incoming' }).total, 1);
  assert.equal(data.list({ direction: 'outgoing', state: 'draft' }).items.map((d) => d.id), [ids.report]);
  assert.equal(data.list({ docType: 'BC' }).items.map((d) => d.id), [ids.report]);
  const page = data.list({ limit: 1, offset: 1 });
  assert.is(page.total, 3);
  assert.is(page.items.length, 1);
  // Her own draft is a task (to edit and submit); the submitted one waits for the leader.
  assert.equal(data.tasks().map((t) => [t.id, t.nextActions]), [[ids.report, ['edit', 'submit']]]);
  await data.close();
});

test('a pull tells listeners the data changed and the sync status what the node confirmed', async () => {
  const data = await device(leader, 'lanh', 'leader');
  let changes = 0;
  data.onChange(() => { changes += 1; });
  await leader.post(`/api/documents/${ids.decision}/actions/approve`, {});
  const status = await data.sync();
  assert.ok(changes > 0);
  assert.is(status.online, true);
  assert.is(status.pending, 0);
  assert.is(data.get(ids.decision!)!.state, 'approved');
  assert.equal(data.tasks().map((t) => [t.id, t.nextActions]), [[ids.decision, ['sign']], [ids.incoming, ['assign']]], 'approved: his to sign now');
  await data.close();
});

test.run();
