// Group commit in the ledger (docs/decisions/0010-group-commit.md), on a real
// store on disk: concurrent commands share a batch and an fsync yet each gets
// its own audit entry in order and is answered only after that fsync; a
// conflict refuses its own command alone; a failed group (a real full disk)
// refuses its commands and leaves memory as the store has it, with the
// numbering gapless afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, type StoredDoc } from '../../node/ledger.js';
import { syncLevelDb } from '../../node/durability.js';
import { monotonicClock, openStore, type Store } from '../../node/store.js';
import { verifyChain } from '../../node/audit.js';
import { vnDate } from '../../sync/vn-time.js';
import { fill, withWardOnTmpfs } from '../helpers/tmpfs.js';
import { official, sampleDraft, type TestWard } from '../helpers/ward.js';

const actor = { user: 'vanthu', role: 'clerk' as const, device: 'test' };
const dirs: string[] = [];
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A real store whose writes and fsyncs are logged in the order they happen. */
async function loggedLedger(reloaded: string[][] = []): Promise<{ store: Store; ledger: Ledger; log: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-group-'));
  dirs.push(dir);
  const store = await openStore(dir);
  const log: string[] = [];
  // PouchDB's own put() comes through here too, as { docs: [...] }: only the ledger's arrays are logged.
  type Docs = StoredDoc[] | { docs: StoredDoc[] };
  const bulkDocs = store.docs.bulkDocs.bind(store.docs) as (docs: Docs, ...rest: unknown[]) => Promise<(PouchDB.Core.Response | PouchDB.Core.Error)[]>;
  (store.docs as unknown as { bulkDocs: typeof bulkDocs }).bulkDocs = async (docs, ...rest) => {
    const results = await bulkDocs(docs, ...rest);
    if (Array.isArray(docs)) log.push(`batch ${docs.filter((d) => !d._id.startsWith('audit:')).map((d) => d._id).join(',')}`);
    return results;
  };
  const ledger = await Ledger.open({
    db: store.docs, clock: monotonicClock(),
    flush: async () => { log.push('fsync start'); await syncLevelDb(join(dir, 'docs')); log.push('fsync end'); },
    reload: async (ids) => { reloaded.push(ids); },
  });
  return { store, ledger, log };
}

const write = (ledger: Ledger, id: string, extra: Partial<StoredDoc> = {}) =>
  ledger.runGrouped(() => ({ command: { actor, action: 'test.write', target: id, docs: [{ _id: id, type: 'test', ...extra }] }, result: id }));

test('thirty concurrent commands share a few batches and fsyncs; each is answered after the fsync of its batch, with its own audit entry in order', async () => {
  const { store, ledger, log } = await loggedLedger();
  try {
    const ids = Array.from({ length: 30 }, (_, i) => `doc:t${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => write(ledger, id).then(() => { log.push(`ack ${id}`); })));
    const batches = log.filter((l) => l.startsWith('batch'));
    assert.ok(batches.length <= 4, `30 commands in ${batches.length} batches: ${batches.join(' | ')}`);
    assert.is(log.filter((l) => l === 'fsync end').length, batches.length, 'one fsync a batch');
    for (const id of ids) {
      const written = log.findIndex((l) => l.startsWith('batch') && l.slice(6).split(',').includes(id));
      const acked = log.indexOf(`ack ${id}`);
      const synced = log.findIndex((l, i) => i > written && l === 'fsync end');
      assert.ok(written >= 0 && synced > written && synced < acked, `${id}: written at ${written}, fsynced at ${synced}, answered at ${acked}`);
    }
    const entries = [];
    for await (const e of ledger.entries()) entries.push(e);
    assert.equal(entries.map((e) => e.target), ids, 'one entry a command, in the order they were asked');
    const verdict = await verifyChain(ledger.entries(), async (id) => store.docs.get(id).catch(() => null) as Promise<Record<string, unknown> | null>);
    assert.is(verdict.ok, true, JSON.stringify(verdict));
  } finally { await store.close(); }
});

test('a command built from a document its group has not written yet is written after it, on its revision', async () => {
  const { store, ledger } = await loggedLedger();
  try {
    const first: StoredDoc = { _id: 'doc:chain', type: 'test', step: 1 };
    await Promise.all([
      write(ledger, 'doc:warm'),
      ledger.runGrouped(() => ({ command: { actor, action: 'test.create', target: first._id, docs: [first] }, result: null })),
      // Built from the unwritten one, as the projection shows it: no revision yet.
      ledger.runGrouped(() => ({ command: { actor, action: 'test.edit', target: first._id, docs: [{ ...first, step: 2 }] }, result: null })),
    ]);
    const stored = await store.docs.get<{ step: number }>('doc:chain');
    assert.is(stored.step, 2);
    assert.match(String(stored._rev), /^2-/);
    assert.is(first._rev?.startsWith('1-'), true, 'the first keeps the revision it was written with');
  } finally { await store.close(); }
});

test('a document replication changed meanwhile refuses its command alone (stale_revision); the rest of its group is written and memory is reloaded for it', async () => {
  const reloaded: string[][] = [];
  const { store, ledger } = await loggedLedger(reloaded);
  try {
    const put = await store.docs.put({ _id: 'doc:shared', type: 'test', by: 'ward' });
    const outcomes = await Promise.allSettled([
      write(ledger, 'doc:a'),
      ledger.runGrouped(async () => {
        // Replication lands a newer revision between this build and its group's write.
        await store.docs.put({ _id: 'doc:shared', _rev: put.rev, type: 'test', by: 'city' });
        return { command: { actor, action: 'test.edit', target: 'doc:shared', docs: [{ _id: 'doc:shared', _rev: put.rev, type: 'test', by: 'ward again' }] }, result: null };
      }),
      write(ledger, 'doc:b'),
      write(ledger, 'doc:c'),
    ]);
    assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.is(((outcomes[1] as PromiseRejectedResult).reason as { code: string }).code, 'stale_revision');
    assert.is((await store.docs.get<{ by: string }>('doc:shared')).by, 'city');
    for (const id of ['doc:a', 'doc:b', 'doc:c']) assert.ok(await store.docs.get(id));
    assert.ok(reloaded.some((ids) => ids.includes('doc:shared')), `memory put right for the refused document: ${JSON.stringify(reloaded)}`);
    assert.is((await write(ledger, 'doc:d')), 'doc:d', 'the ledger goes on');
  } finally { await store.close(); }
});

test('a read waiting for durable() is answered only after the fsync of what was applied before it', async () => {
  const { store, ledger, log } = await loggedLedger();
  try {
    let applied!: () => void;
    const seen = new Promise<void>((ok) => { applied = ok; });
    const writes = [write(ledger, 'doc:x1'), ledger.runGrouped(() => ({ command: { actor, action: 'test.write', target: 'doc:x2', docs: [{ _id: 'doc:x2', type: 'test' }] }, result: null, applied }))];
    await seen;
    await ledger.durable();
    log.push('read');
    const written = log.findIndex((l) => l.startsWith('batch') && l.includes('doc:x2'));
    assert.ok(written >= 0 && log.indexOf('fsync end', written) < log.indexOf('read'), log.join(' | '));
    await Promise.all(writes);
  } finally { await store.close(); }
});


/** Events and number of every document, in memory and in the store: they must be the same. */
async function memoryAndStore(ward: TestWard, ids: string[]): Promise<{ memory: string[]; store: string[] }> {
  const events = (await ward.node.store.docs.allDocs({ startkey: 'ev:', endkey: 'ev:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as { _id: string; docId: string });
  const memory = ids.flatMap((id) => ward.node.projection.eventIds(ward.node.projection.get(id)!).map((e) => `${id} ${e}`)).sort();
  const store = events.filter((e) => ids.includes(e.docId)).map((e) => `${e.docId} ${e._id}`).sort();
  return { memory, store };
}

test('a group that fails on a full disk refuses every command of it (507, both languages); memory stays as the store has it and numbering after space returns is 1..n with no gap', () => withWardOnTmpfs('failed group', '48m', async (ward, mnt) => {
  const clerk = await official(ward, 'vanthu', 'clerk');
  const ids: string[] = [];
  for (let i = 0; i < 24; i++) ids.push((await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: `Văn bản ${i}` }))).body.id);
  const filler = join(mnt, 'filler');
  fill(mnt, filler);
  const refused = await Promise.all(ids.map((id) => clerk.post(`/api/documents/${id}/actions/number`)));
  const full = refused.filter((r) => r.status === 507);
  assert.ok(full.length >= 20, `most refused: ${refused.map((r) => r.status).join(',')}`);
  for (const r of full) {
    assert.is(r.body.code, 'disk_full');
    assert.ok(r.body.message.vi.length > 20 && r.body.message.en.length > 20);
  }
  const { memory, store } = await memoryAndStore(ward, ids);
  assert.equal(memory, store, 'memory holds no event the store lacks');
  const onDisk = (await ward.node.store.docs.allDocs({ startkey: 'ev:num:out:', endkey: 'ev:num:out:\uffff' })).rows.length;
  assert.is(ward.node.projection.lastNumber(`out:${vnDate(new Date()).year}:chung`), onDisk, 'the last number is the store\'s');
  rmSync(filler);
  const retried = await Promise.all(ids.filter((_, i) => refused[i]!.status !== 200).map((id) => clerk.post(`/api/documents/${id}/actions/number`)));
  assert.ok(retried.every((r) => r.status === 200), retried.map((r) => `${r.status} ${r.body.code ?? ''}`).join(','));
  const numbers = (await ward.node.store.docs.allDocs({ startkey: 'ev:num:out:', endkey: 'ev:num:out:\uffff' })).rows.map((r) => Number(r.id.split(':').pop()));
  assert.equal(numbers, Array.from({ length: ids.length }, (_, i) => i + 1), 'every document numbered once, 1..n');
  assert.equal(...Object.values(await memoryAndStore(ward, ids)) as [string[], string[]]);
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);
}));

test.run();
