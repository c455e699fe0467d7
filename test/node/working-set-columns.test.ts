// A device's working set worked out from the summary table's columns
// (setFilter, what the replication feed uses) is the same set as the rule on
// each summary (inWorkingSet): every direction and state, authored, created,
// handled or not by the reader, active recently or long ago, for readers of
// every role, one of them unknown to the ward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blankSummary, type DocSummary } from '../../node/projection.js';
import { SummaryTable } from '../../node/summary-table.js';
import { inWorkingSet, setFilter, type Reader } from '../../node/working-set.js';
import { ROLES, type DocState } from '../../sync/workflow.js';

const NOW = Date.parse('2026-03-05T02:00:00Z');
const STATES: (DocState | null)[] = [null, 'draft', 'submitted', 'returned', 'approved', 'signed', 'numbered', 'issued', 'sent', 'arrived', 'refused', 'registered', 'assigned', 'in_progress', 'done'];
const PEOPLE = [null, 'chuyenvien', 'lanhdao', 'vanthu', 'khac'];
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Every combination that matters to the rule, each document once. */
function summaries(): DocSummary[] {
  const out: DocSummary[] = [];
  let i = 0;
  for (const direction of ['outgoing', 'incoming'] as const) {
    for (const state of STATES) {
      for (const author of PEOPLE) {
        for (const createdBy of PEOPLE) {
          for (const handler of PEOPLE) {
            for (const activeMs of [NOW - 10 * 86_400_000, NOW - 400 * 86_400_000]) {
              const s = blankSummary(`doc:${direction === 'outgoing' ? 'out' : 'in'}:${uuid(i++)}`);
              s.direction = direction;
              s.createdBy = createdBy ?? '';
              s.activeMs = activeMs;
              s.eventKeys = [20260304090000000 + i];
              s.derived = { ...s.derived, state, author, handler };
              out.push(s);
            }
          }
        }
      }
    }
  }
  return out;
}

test('the set from the columns is the set from the summaries, for every role and reader', () => {
  const t = new SummaryTable();
  const all = summaries();
  for (const s of all) t.write(s);
  // A forgotten document is in nobody's set.
  t.remove(all[0]!.id);
  const readers: Reader[] = ['chuyenvien', 'lanhdao', 'vanthu', 'nguoimoi'].flatMap((user) => ROLES.map((role) => ({ user, role })));
  for (const reader of readers) {
    const inSet = setFilter(t, reader, NOW);
    let agreed = 0, members = 0;
    for (let row = 0; row < t.rowCount; row++) {
      const id = t.idAt(row);
      const expected = id !== null && inWorkingSet(t.read(row), reader, NOW);
      assert.is(inSet(row), expected, `${reader.role} ${reader.user}, ${id ?? 'forgotten row'}`);
      agreed += 1;
      if (expected) members += 1;
    }
    assert.is(agreed, all.length);
    // Neither everything nor nothing: the rule is really exercised.
    assert.ok(members > 0 && members < all.length - 1, `${reader.role} ${reader.user}: ${members}`);
  }
});

test('an event key read alone is the summary\'s, numbering events included', () => {
  const t = new SummaryTable();
  const s = blankSummary(`doc:out:${uuid(1)}`);
  Object.assign(s, { registerKey: 'out:2026:chung', number: 7, eventKeys: [20260304090000000, 'ev:num:out:2026:chung:000007', 'imported-1'] });
  s.derived = { ...s.derived, state: 'numbered', numberEventId: 'ev:num:out:2026:chung:000007' };
  const row = t.write(s);
  assert.equal(t.eventKeysAt(row), s.eventKeys);
  assert.is(t.eventCountAt(row), 3);
});

test.run();
