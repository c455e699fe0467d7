// Bad input for the document view (issue 18): a damaged snapshot file is
// rebuilt from the store and reported to the admin; a query while the view is
// rebuilt is answered, in full; a heap near its cap gives a clear error and
// the node keeps answering.
import { test } from 'uvu';
import { getHeapStatistics } from 'node:v8';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { Projection } from '../../node/projection.js';
import { MemoryGuard } from '../../node/memory-guard.js';
import { seed } from '../helpers/seed.js';
import { Client, official, sampleDraft, startTestWard } from '../helpers/ward.js';

const listed = async (c: Client) => (await c.get('/api/documents?limit=200')).body.items.map((d: { id: string; state: string; number: string | null; date: string }) => `${d.id}:${d.state}:${d.number}:${d.date}`).sort();

test('a snapshot damaged on disk is rebuilt from the store, the admin is told why, and nothing listed changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-damage-'));
  try {
    let ward = await startTestWard({}, dir);
    const clerk = await official(ward, 'vanthu', 'clerk');
    for (let i = 0; i < 4; i++) {
      const id = (await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: `Văn bản hỏng ${i}` }))).body.id;
      if (i % 2 === 0) assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).status, 200);
    }
    const before = await listed(ward.admin);
    await ward.node.close();
    const file = join(dir, 'projection.snapshot');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff; // one flipped byte: v8 could still read it, into a wrong view
    writeFileSync(file, bytes);

    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, false);
    assert.is(ward.node.loaded.snapshotProblem, 'corrupt');
    assert.equal(await listed(ward.admin), before);
    assert.is((await ward.admin.get(`/api/documents?q=${encodeURIComponent('van ban hong')}`)).body.total, 4);
    const health = (await ward.admin.get('/api/health')).body;
    assert.is(health.view.source, 'store');
    assert.is(health.view.snapshotProblem, 'corrupt');
    assert.match(health.view.message.vi, /dựng lại từ kho/);
    assert.match(health.view.message.en, /rebuilt from the store/);
    // Anyone else learns only that the node is alive.
    assert.equal((await new Client(ward.url).get('/api/health')).body, { ok: true });
    await ward.node.close();
    // The node saved a sound snapshot after the rebuild: the next boot uses it.
    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, true);
    assert.equal(await listed(ward.admin), before);
    await ward.node.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a snapshot from ahead of the store (the store was restored) is not used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-damage-'));
  try {
    let ward = await startTestWard({}, dir);
    await official(ward, 'vanthu', 'clerk');
    await ward.node.close();
    const snapshot = readFileSync(join(dir, 'projection.snapshot'));
    rmSync(join(dir, 'docs'), { recursive: true, force: true });
    rmSync(join(dir, 'secrets'), { recursive: true, force: true });
    ward = await startTestWard({}, dir);
    await ward.node.close();
    writeFileSync(join(dir, 'projection.snapshot'), snapshot);
    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.snapshotProblem, 'ahead_of_store');
    assert.is((await ward.admin.get('/api/health')).body.view.snapshotProblem, 'ahead_of_store');
    await ward.node.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('while the view is rebuilt from the store, a document and a query are answered in full, once it is done', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-damage-'));
  try {
    await seed(dir, 900, Date.parse('2020-01-02T01:00:00Z'), { incomingEvery: 3, batch: 300 });
    const db = new PouchDB(join(dir, 'docs'));
    const some = (await db.allDocs({ startkey: 'doc:out:', endkey: 'doc:out:\uffff', limit: 1 })).rows[0]!.id;
    const p = new Projection();
    const report = await p.load(db, null, { wait: false });
    assert.is(report.fromSnapshot, false);
    assert.is(p.rebuilding, true);
    const view = await p.view(some); // waits for the rebuild, then reads the store
    assert.is(p.rebuilding, false);
    assert.is(view?.id, some);
    assert.ok(view!.events.length >= 1);
    assert.is(p.size, 900);
    assert.is(report.changesRead > 900, true);
    await db.close();

    // Through HTTP: the node listens while it rebuilds; the list waits and comes back whole.
    const ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, false);
    const [list, search] = await Promise.all([ward.admin.get('/api/documents?limit=5'), ward.admin.get(`/api/documents?q=${encodeURIComponent('quyết định')}&limit=5`)]);
    assert.is(list.status, 200);
    assert.is(list.body.total, 750); // all but the 150 drafts, which stay their author's

    assert.is(search.status, 200);
    assert.ok(search.body.total > 50);
    await ward.node.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a heap near its cap: the cache is dropped first, then requests get memory_low in both languages while health and login still answer', async () => {
  let percent = 95;
  let relieved = 0;
  const guard = new MemoryGuard(90, () => { relieved += 1; percent = 50; }, () => percent);
  guard.check(); // dropping the cache was enough
  assert.is(relieved, 1);
  percent = 95;
  const stuck = new MemoryGuard(90, () => { relieved += 1; }, () => percent);
  try { stuck.check(); assert.unreachable('should refuse'); } catch (err) { assert.is((err as { code: string }).code, 'memory_low'); }

  // A real node whose guard trips at once (1 % of the heap): it refuses work and stays up. The node
  // collects its boot's garbage, so live data past that 1 % is held here for the test's length.
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-damage-'));
  await (await startTestWard({}, dir)).node.close();
  const ward = await startTestWard({ memory: { heapGuardPercent: 1 } }, dir);
  const ballast = Array.from({ length: Math.ceil(getHeapStatistics().heap_size_limit / 50 / 64) }, (_, i) => ({ i, s: `x${i}` }));
  try {
    const r = await ward.admin.get('/api/documents');
    assert.is(r.status, 503);
    assert.is(r.body.code, 'memory_low');
    assert.match(r.body.message.vi, /thiếu bộ nhớ/);
    assert.match(r.body.message.en, /short of memory/);
    assert.is((await ward.admin.get('/api/health')).status, 200);
    const again = new Client(ward.url);
    assert.is((await again.login('admin', 'admin-password-1')).status, 200);
    assert.is((await ward.admin.get('/api/documents')).status, 503);
  } finally { assert.ok(ballast.length > 0); await ward.node.close(); rmSync(dir, { recursive: true, force: true }); }
});

test.run();
