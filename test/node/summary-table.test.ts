// The summaries' columns (node/summary-table.ts): what is written comes back
// the same, from the table and through the snapshot's columns, including the
// rare values the columns keep aside, and event keys added one by one to many
// documents in turn (rows moving to the end of the key pool, which is packed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blankSummary, type DocSummary } from '../../node/projection.js';
import { SummaryTable } from '../../node/summary-table.js';

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function numbered(i: number): DocSummary {
  const s = blankSummary(`doc:out:${uuid(i)}`);
  const numberEvent = `ev:num:out:2026:chung:${String(i + 1).padStart(6, '0')}`;
  Object.assign(s, {
    docType: 'QĐ', createdBy: 'chuyenvien', revGeneration: 3, registerKey: 'out:2026:chung', number: i + 1, numberText: String(i + 1).padStart(2, '0'),
    symbol: `${i + 1}/QĐ-UBND`, dateMs: Date.parse('2026-03-04T02:00:00Z') + i, activeMs: Date.parse('2026-03-05T02:00:00Z') + i,
    eventKeys: [20260304090000000 + i, numberEvent, 20260305090000000 + i],
  });
  s.derived = { state: 'issued', author: 'chuyenvien', handler: null, deadline: '2026-04-01', medium: 'paper', numberEventId: numberEvent, lastAt: '2026-03-05T09:00:00.000+07:00' };
  return s;
}

test('a summary written comes back equal, whatever its odd values, and through the snapshot columns', () => {
  const t = new SummaryTable();
  const plain = numbered(0);
  const odd = numbered(1);
  // A replicated event written elsewhere: another spelling of its time, a key that is not a time, a numbering event of another form.
  odd.derived = { ...odd.derived, lastAt: '2026-03-05T02:00:00Z', numberEventId: 'ev:num:legacy:7' };
  odd.eventKeys = [...odd.eventKeys, 'ev:num:legacy:7', 'imported-1'];
  const blank = blankSummary(`doc:in:${uuid(2)}`);
  for (const s of [plain, odd, blank]) t.write(s);
  for (const s of [plain, odd, blank]) assert.equal(t.read(t.rowOf(s.id)!), s);
  // Spellings near the node's own that a date parser would take and write back otherwise.
  for (const lastAt of ['2026-02-30T09:00:00.000+07:00', '2026-02-28T24:00:00.000+07:00', '0099-01-01T00:00:00.000+07:00', '2026-03-05T09:00:00.000+08:00', '2026-13-01T00:00:00.000+07:00', '2024-02-29T23:59:59.999+07:00']) {
    const s = { ...numbered(9), derived: { ...plain.derived, lastAt } };
    assert.is(t.read(t.write(s)).derived.lastAt, lastAt);
  }
  t.remove(numbered(9).id);
  const back = SummaryTable.fromColumns(t.toColumns([2, 0, 1]));
  for (const s of [plain, odd, blank]) assert.equal(back.read(back.rowOf(s.id)!), s, 'from the columns');
  assert.is(back.rowOf(blank.id), 0, 'rows in the order asked for');
});

test('event keys added to many documents in turn stay each with its document, and a forgotten one is gone', () => {
  const t = new SummaryTable();
  const docs = Array.from({ length: 3000 }, (_, i) => numbered(i));
  for (const s of docs) t.write(s);
  for (let round = 0; round < 5; round++) {
    for (const s of docs) { s.eventKeys = [...s.eventKeys, 20270101000000000 + round]; s.derived = { ...s.derived, state: round % 2 ? 'sent' : 'issued' }; t.write(s); }
  }
  t.remove(docs[7]!.id);
  assert.is(t.size, 2999);
  assert.is(t.rowOf(docs[7]!.id), undefined);
  for (const s of docs) if (s !== docs[7]) assert.equal(t.read(t.rowOf(s.id)!), s);
  assert.is(t.text(t.shared.state[t.rowOf(docs[0]!.id)!]!), 'issued');
  assert.is(t.code('nobody has this'), -1);
});

test.run();
