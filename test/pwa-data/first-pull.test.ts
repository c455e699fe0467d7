// A device's first pull of a working set of many documents (pages of the
// node's feed, batches of the replicator) against a real ward node: cut
// half-way it resumes from the device's checkpoint; what the data layer takes
// in from the pull is what it would read back from its replica; a conflict on
// the node reaches the replica with both revisions; a later pull fetches only
// what changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { openDataLayer, type DataLayer } from '../../pwa/src/data/index.js';
import type { FetchLike } from '../../pwa/src/data/outbox.js';
import { prefetching } from '../../pwa/src/data/prefetch.js';
import { pullOnce } from '../../pwa/src/data/puller.js';
import { sessionFetch } from '../helpers/replica.js';
import { seed } from '../helpers/seed.js';
import { official, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

let dir: string;
let ward: TestWard;
let leader: Client;
/** The leader's working set on the node: document ids and every record id (documents and events). */
let setDocs: string[];
let setRecords: number;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warddesk-first-pull-'));
  mkdirSync(join(dir, 'node'));
  // 600 recent documents, three quarters of them past their draft: 450 documents and 1,200 events for the leader (4 batches).
  await seed(join(dir, 'node'), 600, Date.now() - 700 * 60_000);
  ward = await startTestWard({}, join(dir, 'node'));
  leader = await official(ward, 'lanh', 'leader');
  const views = [...ward.node.projection.all()].filter((v) => v.derived.state !== 'draft');
  setDocs = views.map((v) => v.id).sort();
  setRecords = views.reduce((n, v) => n + 1 + v.eventKeys.length, 0);
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

/** A link that fails (as fetch does offline) once `after` _bulk_get requests went through. */
function cutAfter(after: number): FetchLike & { changesListed: number } {
  const base = sessionFetch(leader);
  let bulkGets = 0;
  const f = Object.assign(async (url: string, init?: RequestInit) => {
    if (url.includes('/_bulk_get') && ++bulkGets > after) throw new TypeError('Failed to fetch');
    const res = await base(url, init);
    if (url.includes('/_changes')) f.changesListed += ((await res.clone().json()) as { results: unknown[] }).results.length;
    return res;
  }, { changesListed: 0 });
  return f;
}

const pull = (local: PouchDB.Database, fetch: FetchLike) => pullOnce({ PouchDB, local, baseUrl: ward.url, fetch, onProgress: () => undefined });
const revs = async (db: PouchDB.Database) => (await db.allDocs()).rows.map((r) => `${r.id} ${r.value.rev}`);

test('a first pull cut after two batches resumes from the device\'s checkpoint and ends with the same replica as an uncut pull', async () => {
  const whole = new PouchDB(join(dir, 'whole'));
  assert.equal(await pull(whole, sessionFetch(leader)), { ok: true, docsWritten: setRecords });

  const local = new PouchDB(join(dir, 'cut'));
  const cut = await pull(local, cutAfter(2));
  assert.equal(cut, { ok: false, reason: 'offline' });
  const partial = (await local.info()).doc_count;
  assert.ok(partial > 0 && partial < setRecords, `${partial} of ${setRecords} records before the cut`);

  const resumed = cutAfter(Infinity);
  assert.equal(await pull(local, resumed), { ok: true, docsWritten: setRecords - partial }, 'nothing on the device is fetched again');
  assert.ok(resumed.changesListed < setRecords, `the feed was read from the checkpoint, not from the start (${resumed.changesListed} changes listed)`);
  assert.equal(await revs(local), await revs(whole));
  const docIds = (await local.allDocs({ startkey: 'doc:', endkey: 'doc:\uffff' })).rows.map((r) => r.id);
  assert.equal(docIds, setDocs);
  await Promise.all([local.close(), whole.close()]);
});

test('into an empty replica a page\'s documents are asked for as soon as the page arrives, and the replicator\'s own request is answered from that answer', async () => {
  const sent: string[] = [];
  const base = sessionFetch(leader);
  const f = prefetching((url, init) => { sent.push(`${init?.method ?? 'GET'} ${new URL(url).pathname.split('/').pop()}`); return base(url, init); });
  const page = await (await f(`${ward.url}/api/replicate/_changes?style=all_docs&since=0&limit=40`)).json() as { results: { id: string; changes: { rev: string }[] }[] };
  assert.equal(sent, ['GET _changes', 'POST _bulk_get']);
  const asked = page.results.slice(5, 25).map((c) => ({ id: c.id, rev: c.changes[0]!.rev }));
  const init = { method: 'POST', body: JSON.stringify({ docs: asked }), headers: { 'content-type': 'application/json' } };
  const answered = await (await f(`${ward.url}/api/replicate/_bulk_get?revs=true&latest=true`, init)).json();
  assert.equal(sent.length, 2, 'answered without another request');
  assert.equal(answered, await (await base(`${ward.url}/api/replicate/_bulk_get?revs=true&latest=true`, init)).json());
  // Revisions the page did not list go to the node.
  await f(`${ward.url}/api/replicate/_bulk_get?revs=true&latest=true`, { ...init, body: JSON.stringify({ docs: [{ id: asked[0]!.id, rev: '9-x' }] }) });
  assert.is(sent.length, 3);
});

test('a step taken after the pull brings the device that step alone', async () => {
  const local = new PouchDB(join(dir, 'later'));
  await pull(local, sessionFetch(leader));
  const submitted = [...ward.node.projection.all()].find((v) => v.derived.state === 'submitted')!;
  assert.is((await leader.post(`/api/documents/${submitted.id}/actions/approve`, {})).status, 200);
  assert.equal(await pull(local, sessionFetch(leader)), { ok: true, docsWritten: 1 });
  const approve = (await ward.node.projection.view(submitted.id))!.events.find((e) => e.action === 'approve')!;
  assert.is((await local.get(approve._id))._rev, approve._rev);
  await local.close();
});

const device = (name: string, fetch: FetchLike): Promise<DataLayer> => openDataLayer({
  user: { username: 'lanh', role: 'leader' }, baseUrl: ward.url, csrf: () => leader.csrf, PouchDB, fetch, dbPrefix: join(dir, name),
});

/** The device's lists as the screens see them. */
const screens = (data: DataLayer) => ({ tasks: data.tasks(), all: data.list({ limit: 100_000 }), count: data.documentCount });

/** The same replica opened again without what a start reads first, so it is read back through PouchDB's changes feed. */
async function readBack(name: string): Promise<DataLayer> {
  const db = new PouchDB(`${join(dir, name)}-lanh`);
  for (const id of ['_local/working-set-snapshot', '_local/working-set-rows']) {
    const kept = await db.get(id).catch(() => null);
    if (kept) await db.remove(kept as { _id: string; _rev: string });
  }
  await db.close();
  return device(name, cutAfter(0));
}

test('what the device takes in from a pull, cut and resumed, is what it reads back from its replica', async () => {
  const data = await device('tablet', cutAfter(3));
  assert.is((await data.sync()).state, 'offline');
  const half = data.documentCount;
  assert.ok(half > 0 && half < setDocs.length, `${half} documents before the cut`);
  await data.close();

  const again = await device('tablet', cutAfter(Infinity));
  assert.is(again.documentCount, half, 'the documents received before the cut are on the device');
  assert.is((await again.sync()).state, 'idle');
  const seen = screens(again);
  assert.is(seen.count, setDocs.length);
  assert.ok(seen.tasks.length > 0);
  await again.close();

  const back = await readBack('tablet');
  assert.equal(screens(back), seen);
  await back.close();
});

test('a start lists the working set from the rows last computed, then from the replica read behind them, the same', async () => {
  const data = await device('pc', sessionFetch(leader));
  await data.sync();
  await new Promise((r) => setTimeout(r, 600)); // the rows and the snapshot are written shortly after a change
  const seen = screens(data);
  await data.close();

  const twoSteps = () => performance.getEntriesByName('wd-store-full').length;
  const before = twoSteps();
  const again = await device('pc', sessionFetch(leader));
  assert.equal(again.tasks(), seen.tasks);
  assert.equal(again.list({ limit: 100_000 }), seen.all);
  assert.is(again.documentCount, seen.count);
  const early = again.list({ q: seen.all.items[7]!.subject });
  assert.ok(early.items.some((d) => d.id === seen.all.items[7]!.id));
  await again.sync();
  // Bodies are searched once the replica is read: the early answer is part of the later one.
  const later = new Set(again.list({ q: seen.all.items[7]!.subject, limit: 100_000 }).items.map((d) => d.id));
  assert.ok(early.items.every((d) => later.has(d.id)));
  assert.is(twoSteps(), before + 1, 'the lists answered before the replica was read');
  assert.equal(screens(again), seen);
  assert.ok(again.get(seen.tasks[0]!.id)?.events.length, 'documents open with their timeline once the replica is read');
  await again.close();
});

test('a conflict on the node reaches the device with both revisions, and the lists show the winning one', async () => {
  for (const wins of [true, false]) await conflictReaches(wins);
});

async function conflictReaches(wins: boolean): Promise<void> {
  const data = await device(`phone-${wins}`, sessionFetch(leader));
  await data.sync();
  const summary = [...ward.node.projection.all()].filter((v) => v.derived.state === 'approved' && v.revGeneration === 1)[wins ? 0 : 1]!;
  const view = (await ward.node.projection.view(summary.id))!;
  // A sibling revision, as replication from elsewhere could leave: of two at the same depth the higher revision id wins.
  const sibling = `1-${(wins ? 'f' : '0').repeat(32)}`;
  const { _rev: original, ...record } = view.record;
  await ward.node.store.docs.bulkDocs([{ ...record, _rev: sibling, content: { ...record.content, subject: 'Bản xung đột' } }], { new_edits: false });
  const [winner, loser, subject] = wins ? [sibling, original, 'Bản xung đột'] : [original, sibling, record.content.subject];

  await data.sync();
  const doc = await data.local.get(view.id, { conflicts: true });
  assert.is(doc._rev, winner);
  assert.equal(doc._conflicts, [loser]);
  assert.is(data.get(view.id)!.subject, subject);
  const seen = screens(data);
  await data.close();

  const back = await readBack(`phone-${wins}`);
  assert.equal(screens(back), seen);
  await back.close();

  // A fresh device gets both revisions in its first pull.
  const fresh = await device(`new-phone-${wins}`, sessionFetch(leader));
  await fresh.sync();
  assert.equal(await fresh.local.get(view.id, { conflicts: true }).then((d) => [d._rev, d._conflicts]), [winner, [loser]]);
  assert.is(fresh.get(view.id)!.subject, subject);
  assert.equal(screens(fresh), seen);
  await fresh.close();
}

test.run();
