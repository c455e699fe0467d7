// Search gives the same answers since the view keeps records on disk
// (docs/decisions/0011): a corpus of queries against the index as it was
// built before (every document's texts indexed at once, from records and
// events in memory) and against the new view built each way it can be —
// rebuilt from the store, read back from its snapshot, and kept up write by
// write as the ledger does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import type { DocumentRecord, EventRecord } from '../../sync/schema.js';
import { compareEvents } from '../../sync/workflow.js';
import { Projection, searchableTexts, blankSummary, attachRecord } from '../../node/projection.js';
import { SearchIndex } from '../../node/search-index.js';
import { seed } from '../helpers/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-corpus-'));
let db: PouchDB.Database;
let records: DocumentRecord[] = [];
let events: EventRecord[] = [];
let expected: string[] = [];

const QUERIES = [
  'quyet dinh', 'quyết định', 'ke hoach ve viec', 'chuyen doi so', 'phòng chống lụt bão', 'lut', 'thu ngân sách', 'tiem chung mo', 'do thi van minh',
  'an ninh trat tu', 'cải cách', 'cai cach hanh chinh', 've sinh moi truong', 'giai phong mat bang', 'khuyen hoc dot 5', 'dot 9', 'nam 2006', 'nam 2007',
  'phong chay chua chay', 'an toan giao th', 'giao', 'qd-ubnd', 'tb ubnd', '05', '12', 'so noi vu', 'Sở Tài chính', 'cong an thanh pho', 'ubnd thanh pho',
  'nguyen van an', 'tran thi binh', 'Lê Hoàng', 'le loi', 'hai ba trung', 'kinh phi trieu dong', 'hộ gia đình', 'hoi truong tang 2', 'ho so qua han',
  'doi', 'dời', 'đổi', 'hành', 'ha', 'h', 'chuong trinh', 'to trinh', 'giay moi hoi nghi', 'khong co tu nay', 'quyet dinh khong', '', '   ', 'ubnd quận', 'lưu vt',
];

/** The index as the node built it before: each document's texts (record, number and symbol) indexed in one go. */
function oldIndex(): SearchIndex {
  const index = new SearchIndex();
  const byDoc = new Map<string, EventRecord[]>();
  for (const e of [...events].sort(compareEvents)) { const l = byDoc.get(e.docId) ?? []; l.push(e); byDoc.set(e.docId, l); }
  const scratch = new Projection();
  for (const record of records) {
    const summary = blankSummary(record._id);
    for (const e of byDoc.get(record._id) ?? []) scratch.fold(summary, e);
    attachRecord(summary, record);
    index.put(record._id, searchableTexts(summary, record));
  }
  return index;
}

const answers = (search: (q: string) => string[]) => QUERIES.map((q) => `${q} → ${search(q).sort().join(',')}`);

test.before(async () => {
  await seed(dir, 600, Date.parse('2006-01-02T01:00:00Z'), { everyMs: 3 * 86_400_000, incomingEvery: 3, bodyChars: 1200, batch: 200 });
  db = new PouchDB(join(dir, 'docs'));
  records = (await db.allDocs({ startkey: 'doc:', endkey: 'doc:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as DocumentRecord);
  events = (await db.allDocs({ startkey: 'ev:', endkey: 'ev:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as EventRecord);
  const old = oldIndex();
  expected = answers((q) => old.search(q));
});
test.after(async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); });

test('the corpus finds documents at all (the comparison is not between two empty answers)', () => {
  const old = oldIndex();
  assert.ok(old.search('quyet dinh').length > 50);
  assert.ok(old.search('nguyen van an').length > 10);
  assert.ok(old.search('05').length >= 1);
  assert.is(old.search('khong co tu nay').length, 0);
});

test('rebuilt from the store, the view answers every query of the corpus as the old index did', async () => {
  const p = new Projection();
  const report = await p.load(db, null);
  assert.is(report.fromSnapshot, false);
  assert.is(p.size, 600);
  assert.equal(answers((q) => p.search(q)), expected);
});

test('read back from its snapshot, and after the store\'s changes since, the answers are the same', async () => {
  const file = join(dir, 'corpus.snapshot');
  const built = new Projection();
  await built.load(db, null);
  await built.save(file, (await db.info()).update_seq);
  const restored = new Projection();
  assert.is((await restored.load(db, file)).fromSnapshot, true);
  assert.equal(answers((q) => restored.search(q)), expected);
});

test('kept up write by write (a record, then its events, as the ledger applies them), the answers are the same', () => {
  const p = new Projection();
  const byDoc = new Map<string, EventRecord[]>();
  for (const e of [...events].sort(compareEvents)) { const l = byDoc.get(e.docId) ?? []; l.push(e); byDoc.set(e.docId, l); }
  for (const record of records) {
    p.putRecord(record);
    for (const e of byDoc.get(record._id) ?? []) p.applyEvent(e);
  }
  assert.equal(answers((q) => p.search(q)), expected);
});

test.run();
