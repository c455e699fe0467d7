// LevelDB read directly (node/store-scan.ts, docs/decisions/0012) must give
// what PouchDB gives on the same store: the same winning revision and body
// for each document, deleted ones left out, conflicts resolved to PouchDB's
// winner, the same leaf revisions as its changes feed — after updates,
// deletions, compaction and a numbering history — and so the rebuild makes
// the same view either way, and a document opened cold the same record and
// events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { Projection } from '../../node/projection.js';
import { openStore } from '../../node/store.js';
import { isDeleted, leavesOf, levelOf, readMeta, scanDocs, winnerOf } from '../../node/store-scan.js';
import { seed } from '../helpers/seed.js';
import { sampleDraft } from '../helpers/ward.js';

/** A store with every shape the reader must agree on. Returns the ids given conflicts and deletions. */
async function awkwardStore(db: PouchDB.Database): Promise<{ conflicted: string; deleted: string; deletedLoser: string }> {
  const base = { type: 'document', ward: 'phuong-mau', direction: 'outgoing', createdAt: '2026-01-05T08:00:00+07:00', createdBy: 'seed', content: sampleDraft({ docType: 'CV', subject: 'Xung đột' }) };
  // Two devices wrote the same document apart: replication brings both branches (new_edits: false, as it writes them).
  const conflicted = 'doc:out:00000000-0000-4000-8000-000000000001';
  await db.bulkDocs([
    { ...base, _id: conflicted, _rev: '2-aaaa', _revisions: { start: 2, ids: ['aaaa', 'root'] }, content: { ...base.content, subject: 'Nhánh A' } },
    { ...base, _id: conflicted, _rev: '2-ffff', _revisions: { start: 2, ids: ['ffff', 'root'] }, content: { ...base.content, subject: 'Nhánh F' } },
  ] as never, { new_edits: false });
  // A conflict whose longer branch was deleted: the live branch wins.
  const deletedLoser = 'doc:out:00000000-0000-4000-8000-000000000002';
  await db.bulkDocs([
    { ...base, _id: deletedLoser, _rev: '1-bbbb', content: { ...base.content, subject: 'Còn sống' } },
    { _id: deletedLoser, _rev: '3-cccc', _deleted: true, _revisions: { start: 3, ids: ['cccc', 'dddd', 'eeee'] } },
  ] as never, { new_edits: false });
  // Updated three times, then compacted: older bodies are gone from by-sequence.
  const updated = 'doc:out:00000000-0000-4000-8000-000000000003';
  let rev = (await db.put({ ...base, _id: updated })).rev;
  for (let i = 0; i < 3; i++) rev = (await db.put({ ...base, _id: updated, _rev: rev, content: { ...base.content, subject: `Sửa lần ${i}` } })).rev;
  const deleted = 'doc:out:00000000-0000-4000-8000-000000000004';
  const put = await db.put({ ...base, _id: deleted });
  await db.remove({ _id: deleted, _rev: put.rev });
  await db.compact();
  return { conflicted, deleted, deletedLoser };
}

test('the direct reader gives PouchDB\'s documents, winners and leaves, and the rebuild the same view', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-store-scan-'));
  const copy = mkdtempSync(join(tmpdir(), 'warddesk-store-scan-pouch-'));
  try {
    // A numbering history (registers, incoming and outgoing) from the seeder, then the awkward cases.
    await seed(dir, 120, Date.parse('2025-12-20T01:00:00Z'), { incomingEvery: 3, everyMs: 3_600_000 });
    const store = await openStore(dir);
    const db = store.docs;
    const { conflicted, deleted, deletedLoser } = await awkwardStore(db);
    const level = levelOf(db);
    assert.ok(level, 'the store registers its LevelDB handle');

    for (const [from, to] of [['doc:', 'doc:\uffff'], ['ev:', 'ev:\uffff'], ['ev:num:', 'ev:num:\uffff']] as const) {
      const direct: Record<string, unknown>[] = [];
      for await (const doc of scanDocs(level, from, to, 7)) direct.push(doc);
      const pouch = (await db.allDocs({ startkey: from, endkey: to, inclusive_end: false, include_docs: true })).rows.map((r) => r.doc);
      assert.equal(direct, pouch, `${from}: the same documents, in the same order, with the same bodies`);
    }
    const ids = (await db.allDocs({ startkey: 'doc:', endkey: 'doc:\uffff' })).rows.map((r) => r.id);
    assert.ok(!ids.includes(deleted), 'a deleted document is left out');
    assert.ok(ids.includes(deletedLoser), 'a live branch beats a longer deleted one');
    const winner = (await db.get(conflicted)) as unknown as { _rev: string; content: { subject: string } };
    assert.is(winner._rev, '2-ffff');
    assert.is(winner.content.subject, 'Nhánh F');

    // The replication feed's view of each record: leaves, deletion and latest seq, as PouchDB's changes feed has them.
    const changes = (await db.changes({ style: 'all_docs' })).results.filter((c) => /^(doc|ev):/.test(c.id));
    const metas = await readMeta(level, changes.map((c) => c.id));
    changes.forEach((c, i) => {
      const meta = metas[i]!;
      assert.equal(leavesOf(meta), c.changes.map((x) => x.rev), `${c.id}: leaves`);
      assert.is(isDeleted(meta), c.deleted === true, `${c.id}: deleted`);
      assert.is(meta.seq, Number(c.seq), `${c.id}: latest seq`);
    });
    const [conflictMeta] = await readMeta(level, [conflicted]);
    assert.equal(leavesOf(conflictMeta!).sort(), ['2-aaaa', '2-ffff'], 'both sides of the conflict travel');
    assert.is(winnerOf({ ...conflictMeta!, winningRev: undefined }), '2-ffff', 'the winner worked out as PouchDB does when not cached');
    assert.equal(await readMeta(level, ['doc:out:none']), [null]);

    const direct = new Projection();
    await direct.load(db, null);
    // A document opened cold (not in the view cache): record and events read directly, numbering events included.
    const opened = new Map<string, unknown>();
    for (const summary of direct.all()) opened.set(summary.id, await direct.view(summary.id));
    assert.ok([...opened.values()].some((v) => (v as { events: { _id: string }[] }).events.some((e) => e._id.startsWith('ev:num:'))), 'some opened documents carry their numbering events');
    await store.close();
    // leveldown aborts the process on a read started on a closed handle: the reader refuses first.
    const refused = (run: () => Promise<unknown>) => run().then(() => 'read', (err: Error) => err.message);
    assert.is(await refused(() => readMeta(level, [conflicted])), 'database is closed');
    assert.is(await refused(async () => { for await (const doc of scanDocs(level, 'doc:', 'doc:\uffff')) void doc; }), 'database is closed');
    // The same store read through PouchDB's allDocs (a bare PouchDB is not the store's: no direct reads).
    cpSync(dir, copy, { recursive: true });
    const bare = new PouchDB(join(copy, 'docs'));
    const pouch = new Projection();
    await pouch.load(bare, null);
    for (const [id, view] of opened) assert.equal(view, await pouch.view(id), `${id}: the same record and events opened either way`);
    await bare.close();
    const summaries = (p: Projection) => [...p.all()].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.is(direct.size, 120 + 3, 'every live document (the conflicted, the live branch, the updated), the deleted one left out');
    assert.equal(summaries(direct), summaries(pouch));
    for (const q of ['xung dot', 'nhánh', 'sua lan 2', 'ke hoach']) assert.equal(direct.search(q).sort(), pouch.search(q).sort(), q);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  }
});

test.run();
