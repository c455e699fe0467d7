// The replication feed answered from the compact seq index (one entry per
// document, revisions read from the store per page; docs/decisions/0012): a
// first pull in small pages brings every record of the set once, with the
// store's leaf revisions; an event ahead of its document holds the feed back
// for a while, then is passed over, and reaches the device with its
// document; a document changed again goes out again, at its new change.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Projection } from '../../node/projection.js';
import { ReplicateFeed, type FeedChange } from '../../node/replicate-feed.js';
import { openStore } from '../../node/store.js';
import type { DocumentRecord, EventRecord } from '../../sync/schema.js';
import { seed } from '../helpers/seed.js';
import { sampleDraft } from '../helpers/ward.js';

const clerk = { user: 'vanthu', role: 'clerk' as const };

/** Pages of `limit` from `since` until an empty one: every change, and the last seq. */
async function pull(feed: ReplicateFeed, since: number | string, limit: number): Promise<{ changes: FeedChange[]; last: number | string }> {
  const changes: FeedChange[] = [];
  for (;;) {
    const page = await feed.changes(clerk, since, limit, 'all_docs');
    changes.push(...page.results);
    if (page.results.length === 0) return { changes, last: page.last_seq };
    since = page.last_seq;
  }
}

test('a first pull brings each record of the set once with its leaves; an early event waits, then comes with its document; a change goes out again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-seq-index-'));
  try {
    await seed(dir, 40, Date.now() - 40 * 3_600_000, { incomingEvery: 2, everyMs: 3_600_000 });
    const store = await openStore(dir);
    const db = store.docs;
    const projection = new Projection();
    await projection.load(db, null);
    let now = Date.now();
    const feed = new ReplicateFeed(db, projection, async () => undefined, () => now);

    const first = await pull(feed, 0, 7);
    const ids = first.changes.map((c) => c.id);
    assert.equal([...ids].sort(), feed.ids(clerk), 'every record of the set, none twice');
    assert.ok(ids.length > 40, 'documents and their events');
    const store_ = (await db.changes({ style: 'all_docs' })).results;
    for (const c of first.changes) assert.equal(c.changes, store_.find((s) => s.id === c.id)!.changes, `${c.id}: the store's leaves`);

    // An event replicated ahead of its document (a city arrival being applied): the feed holds back, then passes it over.
    const docId = 'doc:in:00000000-0000-4000-8000-0000000000aa';
    const at = new Date(now).toISOString();
    const event = { _id: `ev:in:00000000-0000-4000-8000-0000000000aa:${String(now).padStart(15, '0')}`, type: 'event', ward: 'phuong-mau', docId, action: 'arrive', at, actor: { user: 'vanthu', role: 'clerk', device: 'test' }, data: {} };
    await db.put(event);
    const held = await feed.changes(clerk, first.last, 100, 'all_docs');
    assert.equal(held.results, []);
    assert.is(held.last_seq, first.last, 'not past the event the view lacks');
    now += 11_000;
    const passed = await feed.changes(clerk, first.last, 100, 'all_docs');
    assert.equal(passed.results, []);
    assert.ok(Number(passed.last_seq) > Number(first.last), 'passed over after the grace');

    // Its document arrives: both go out together, at the document's change.
    const record = { _id: docId, type: 'document', ward: 'phuong-mau', direction: 'incoming', createdAt: at, createdBy: 'vanthu', content: { senderName: 'Sở Nội vụ', originalSymbol: '12/SNV', originalDate: at.slice(0, 10), docType: 'CV', subject: 'Đến sớm', attachments: [], medium: 'paper' } };
    const put = await db.put(record);
    projection.putRecord({ ...record, _rev: put.rev } as unknown as DocumentRecord);
    projection.applyEvent(event as unknown as EventRecord);
    const arrived = await pull(feed, passed.last_seq, 100);
    assert.equal(arrived.changes.map((c) => c.id).sort(), [docId, event._id].sort());
    assert.ok(arrived.changes.every((c) => c.seq === arrived.changes[0]!.seq), 'the document whole, at its latest change');

    // The same document changed again: it goes out again with its new revision, and only it.
    const again = await db.put({ ...record, _rev: put.rev, content: { ...record.content, subject: 'Đến sớm, sửa' } });
    projection.putRecord({ ...record, _rev: again.rev } as unknown as DocumentRecord);
    const changed = await pull(feed, arrived.last, 100);
    assert.equal(changed.changes.map((c) => c.id).sort(), [docId, event._id].sort());
    assert.equal(changed.changes.find((c) => c.id === docId)!.changes, [{ rev: again.rev }]);
    // A draft of another official is not the clerk's: its change moves the checkpoint, sends nothing.
    await db.put({ _id: 'doc:out:00000000-0000-4000-8000-0000000000bb', type: 'document', ward: 'phuong-mau', direction: 'outgoing', createdAt: at, createdBy: 'chuyenvien', content: sampleDraft({ subject: 'Nháp riêng' }) });
    const draft = await db.get('doc:out:00000000-0000-4000-8000-0000000000bb');
    projection.putRecord(draft as unknown as DocumentRecord);
    const none = await pull(feed, changed.last, 100);
    assert.equal(none.changes, []);
    assert.ok(Number(none.last) > Number(changed.last));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
