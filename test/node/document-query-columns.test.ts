// Listing and search read the summary columns (node/document-query.ts); they
// must answer exactly as filtering the summaries one object at a time did
// before: same totals, same pages in the same order, other officials' drafts
// left out, for every filter and for officials who wrote drafts and one who
// has none. The reference below is the object-based code this replaced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { foldVietnamese } from '../../sync/text.js';
import { vnDayStart } from '../../sync/vn-time.js';
import { Projection, type DocSummary } from '../../node/projection.js';
import { DocumentQuery, queryDocuments } from '../../node/document-query.js';
import { isOthersDraft, type Reader } from '../../node/working-set.js';
import { seed } from '../helpers/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-query-columns-'));
let db: PouchDB.Database;
const projection = new Projection();

test.before(async () => {
  await seed(dir, 900, Date.parse('2016-01-02T01:00:00Z'), { everyMs: 86_400_000, incomingEvery: 3, bodyChars: 400, batch: 300 });
  db = new PouchDB(join(dir, 'docs'));
  await projection.load(db, null);
});
test.after(async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); });

function reference(query: DocumentQuery, reader: Reader): { total: number; ids: string[] } {
  const day = (s: string) => { const [year, month, d] = s.split('-').map(Number) as [number, number, number]; return vnDayStart({ year, month, day: d }).getTime(); };
  const wanted = query.number ? foldVietnamese(query.number).replace(/^0+(?=\d)/, '') : null;
  const keep = (v: DocSummary) => (!query.direction || v.direction === query.direction) && (!query.state || v.derived.state === query.state)
    && (!query.docType || v.docType === query.docType) && (!query.handler || v.derived.handler === query.handler) && (!query.author || v.derived.author === query.author)
    && (wanted === null || (v.numberText !== null && (v.numberText.replace(/^0+(?=\d)/, '') === wanted || foldVietnamese(`${v.numberText.replace(/^0+(?=\d)/, '')}/${v.symbol ?? ''}`) === wanted)))
    && (!query.from || v.dateMs >= day(query.from)) && (!query.to || v.dateMs < day(query.to) + 86_400_000) && !isOthersDraft(v, reader);
  const candidates = query.q ? projection.search(query.q).map((id) => projection.get(id)!) : [...projection.all()];
  const matches = candidates.filter(keep).sort((a, b) => b.activeMs - a.activeMs);
  return { total: matches.length, ids: matches.slice(query.offset, query.offset + query.limit).map((v) => v.id) };
}

const QUERIES: Record<string, string>[] = [
  {}, { direction: 'incoming' }, { direction: 'outgoing', state: 'draft' }, { state: 'approved' }, { state: 'issued', offset: '20' }, { docType: 'QĐ' },
  { docType: 'KH', direction: 'outgoing' }, { from: '2016-03-01', to: '2016-06-30' }, { to: '2016-01-31' }, { number: '05' }, { number: '5/QĐ-UBND' },
  { q: 'quyet dinh' }, { q: 'ke hoach ve viec', state: 'submitted' }, { q: 'nguyen van an', limit: '200' }, { q: 'lụt bão' }, { q: 'khong co tu nay' },
  { handler: 'chuyenvien' }, { author: 'seed' }, { author: 'chuyenvien' }, { state: 'assigned', direction: 'incoming', offset: '5', limit: '10' }, { docType: 'TTr', from: '2017-01-01' },
];

test('every filter and search answers as the object-by-object filter did, for each reader', () => {
  // The seed's documents are all written by "seed"; incoming ones are assigned to "chuyenvien".
  const readers: Reader[] = [{ user: 'seed', role: 'specialist' }, { user: 'chuyenvien', role: 'specialist' }, { user: 'nobody-wrote-anything', role: 'clerk' }];
  let nonEmpty = 0, draftsHidden = 0;
  for (const reader of readers) {
    for (const raw of QUERIES) {
      const query = DocumentQuery.parse(raw);
      const got = queryDocuments(projection, query, reader);
      const want = reference(query, reader);
      assert.is(got.total, want.total, `${JSON.stringify(raw)} for ${reader.user}: total`);
      assert.equal(got.items.map((v) => v.id), want.ids, `${JSON.stringify(raw)} for ${reader.user}: page`);
      for (const v of got.items) assert.equal(v, projection.get(v.id), 'the page\'s summaries are the documents\' own');
      if (want.total > 0) nonEmpty += 1;
    }
    const everyone = queryDocuments(projection, DocumentQuery.parse({ direction: 'outgoing', limit: '1' }), reader).total;
    draftsHidden += projection.size - everyone;
  }
  assert.ok(nonEmpty > QUERIES.length * 2, `most queries find something (${nonEmpty} of ${QUERIES.length * readers.length})`);
  assert.ok(draftsHidden > 0, 'some drafts were someone else\'s and left out');
});

test.run();
