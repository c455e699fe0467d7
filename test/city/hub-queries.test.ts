import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WardError } from '../../sync/errors.js';
import { formatRate } from '../../sync/hub-rate.js';
import { HubAggregate } from '../../node/city/hub-aggregate.js';
import { DOCUMENT_COLUMNS, WARD_COLUMNS, toCsv } from '../../node/city/hub-csv.js';
import { parseHubParams } from '../../node/city/hub-params.js';
import { cellsOf, summary, syncRows, unitRows, wardRows, weekRows } from '../../node/city/hub-queries.js';
import { MemoryHubView, cityRecords, hubDocument, hubWard, inWeek2026, theCountedWeek } from '../helpers/hub-records.js';

test('the week the city counted by hand reads "296/507 — 58,4 %" with 4 of 17 units at 100 %', () => {
  const cells = cellsOf(theCountedWeek());
  const s = summary(cells.values(), {}, 17);
  assert.is(s.total.issued, 507);
  assert.is(s.total.digital, 296);
  assert.is(s.total.rate.vi, '296/507 — 58,4 %');
  assert.is(s.total.rate.en, '296/507 — 58.4%');
  assert.is(s.total.rate.percent, 58.4);
  assert.equal({ total: s.units.total, at100: s.units.at100 }, { total: 17, at100: 4 });
  assert.equal(s.units.list.map((u) => u.ward).sort(), ['phuong-1', 'phuong-2', 'phuong-3', 'phuong-4']);
  assert.is(s.total.invalid, 2);
  assert.is(s.total.paper, 209);
  // Lowest rate first: the wards to call are at the top.
  const rows = wardRows(cells.values(), {}, []);
  assert.is(rows[0]!.ward, 'phuong-6');
  assert.is(rows[0]!.rate.vi, '14/32 — 43,8 %');
  assert.is(rows.at(-1)!.rate.en, '20/20 — 100.0%');
});

test('thousands are grouped as each language writes them, and nothing issued shows a dash, not 0 %', () => {
  assert.is(formatRate(3512, 6000, 'vi'), '3.512/6.000 — 58,5 %');
  assert.is(formatRate(3512, 6000, 'en'), '3,512/6,000 — 58.5%');
  assert.is(formatRate(0, 0, 'vi'), '0/0 — —');
});

test('an issued document counts in its Vietnam-time week: Sunday 23:30 in that week, Monday 00:10 in the next, 1 January 2027 in 2026-W53', () => {
  const docs = [
    hubDocument({ ward: 'phuong-a', n: 1, issuedAt: '2026-03-08T16:30:00Z' }), // Sunday 23:30 +07 → W10
    hubDocument({ ward: 'phuong-a', n: 2, issuedAt: '2026-03-08T17:10:00Z', signing: 'paper' }), // Monday 00:10 +07 → W11
    hubDocument({ ward: 'phuong-a', n: 3, issuedAt: '2027-01-01T01:00:00Z' }), // Friday → 2026-W53
    hubDocument({ ward: 'phuong-a', n: 4, issuedAt: '2027-01-03T18:00:00Z' }), // Monday 4 Jan 01:00 +07 → 2027-W01
  ];
  const weeks = weekRows(cellsOf(docs).values(), {});
  assert.equal(weeks.map((w) => [w.week, w.issued, w.digital]), [['2026-W10', 1, 1], ['2026-W11', 1, 0], ['2026-W53', 1, 1], ['2027-W01', 1, 1]]);
  // The range is inclusive at both ends and crosses the year.
  assert.equal(weekRows(cellsOf(docs).values(), { from: '2026-W11', to: '2026-W53' }).map((w) => w.week), ['2026-W11', '2026-W53']);
});

test('only a verified signature counts as digital: invalid and unverifiable are issued but not signed; drafts and incoming count nowhere', () => {
  const docs = [
    hubDocument({ ward: 'phuong-a', n: 1, issuedAt: inWeek2026(3) }),
    hubDocument({ ward: 'phuong-a', n: 2, issuedAt: inWeek2026(3), verdict: 'invalid' }),
    hubDocument({ ward: 'phuong-a', n: 3, issuedAt: inWeek2026(3), verdict: 'unverifiable' }),
    hubDocument({ ward: 'phuong-a', n: 4, issuedAt: inWeek2026(3), signing: 'paper' }),
    hubDocument({ ward: 'phuong-a', n: 5 }), // a draft
    hubDocument({ ward: 'phuong-a', n: 6, issuedAt: inWeek2026(3), direction: 'incoming', signing: 'none' }),
  ];
  const [week] = weekRows(cellsOf(docs).values(), {});
  assert.equal({ ...week, rate: week!.rate.vi }, { week: '2026-W03', issued: 4, digital: 1, paper: 1, invalid: 1, unverifiable: 1, rate: '1/4 — 25,0 %' });
});

test('units at 100 % are counted per issuing unit inside a ward, and a ward that issued nothing still shows with 0/0', () => {
  const docs = [
    hubDocument({ ward: 'phuong-a', n: 1, unit: 'VP', issuedAt: inWeek2026(5) }),
    hubDocument({ ward: 'phuong-a', n: 2, unit: 'VP', issuedAt: inWeek2026(5) }),
    hubDocument({ ward: 'phuong-a', n: 3, unit: 'TP', issuedAt: inWeek2026(5) }),
    hubDocument({ ward: 'phuong-a', n: 4, unit: 'TP', issuedAt: inWeek2026(5), signing: 'paper' }),
  ];
  const cells = cellsOf(docs);
  assert.equal(unitRows(cells.values(), {}).map((u) => [u.unit, u.at100, u.rate.vi]), [['TP', false, '1/2 — 50,0 %'], ['VP', true, '2/2 — 100,0 %']]);
  const wards = wardRows(cells.values(), {}, ['phuong-a', 'phuong-im-lang']);
  assert.equal(wards.map((w) => [w.ward, w.rate.vi, w.units, w.unitsAt100]), [['phuong-im-lang', '0/0 — —', 0, 0], ['phuong-a', '3/4 — 75,0 %', 2, 1]]);
  // Outside the range nothing counts: the unit is not "at 100 %" for weeks it issued nothing.
  assert.is(summary(cells.values(), { from: '2026-W06' }, 2).units.total, 0);
});

test('the aggregate follows the view incrementally: a changed verdict is re-counted alone and the figures equal a rebuild', () => {
  const view = new MemoryHubView();
  const { docs, wardRecords } = cityRecords(5, 4, 10);
  view.put([...docs, ...wardRecords]);
  const agg = new HubAggregate(view);
  const before = summary(agg.cells(), {}, 5).total;
  assert.is(agg.lastRecounted, 200);
  assert.is(agg.size, 200);
  const v0 = agg.version;
  // Nothing changed: no recount, same version.
  agg.refresh();
  assert.is(agg.version, v0);
  // The ingest re-verifies one document (a revocation arrived) and adds a new one.
  const target = docs.find((d) => d.verdict === 'valid')!;
  view.put([{ ...target, verdict: 'invalid', reasons: [{ code: 'revoked', vi: 'Chứng thư đã bị thu hồi', en: 'Certificate revoked' }] }, hubDocument({ ward: 'phuong-001', n: 999, issuedAt: inWeek2026(4) })]);
  const after = summary(agg.cells(), {}, 5).total;
  assert.is(agg.lastRecounted, 2);
  assert.ok(agg.version > v0);
  assert.equal({ issued: after.issued, digital: after.digital, invalid: after.invalid }, { issued: before.issued + 1, digital: before.digital, invalid: before.invalid + 1 });
  assert.equal([...agg.cells()].sort((a, b) => a.week.localeCompare(b.week) || a.ward.localeCompare(b.ward) || a.unit.localeCompare(b.unit)),
    [...cellsOf(view.documents()).values()].sort((a, b) => a.week.localeCompare(b.week) || a.ward.localeCompare(b.ward) || a.unit.localeCompare(b.unit)));
  assert.is(agg.documents({ verdicts: ['invalid'] }).rows.some((d) => d.docId === target.docId), true);
  agg.close();
});

test('document lists are newest first with stable pages, filtered by ward, week range and verdict', () => {
  const view = new MemoryHubView();
  const { docs } = cityRecords(3, 6, 5);
  view.put(docs);
  const agg = new HubAggregate(view);
  const all = agg.documents({}, 0, 1000).rows;
  assert.is(all.length, 90);
  const pages = [0, 20, 40, 60, 80].flatMap((o) => agg.documents({}, o, 20).rows);
  assert.equal(pages.map((d) => d._id), all.map((d) => d._id));
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.issuedAt! >= all[i]!.issuedAt!);
  const f = agg.documents({ wards: ['phuong-002'], from: '2026-W02', to: '2026-W03', verdicts: ['paper'] }, 0, 50);
  assert.ok(f.total > 0);
  assert.ok(f.rows.every((d) => d.ward === 'phuong-002' && d.verdict === 'paper' && d.week! >= '2026-W02' && d.week! <= '2026-W03'));
  assert.is(f.total, docs.filter((d) => d.ward === 'phuong-002' && d.verdict === 'paper' && d.week! >= '2026-W02' && d.week! <= '2026-W03').length);
  agg.close();
});

test('sync health puts wards never seen and slow wards first, on the 3 and 6 minute scale', () => {
  const now = new Date('2026-03-10T03:00:00Z');
  const rows = syncRows([
    hubWard('phuong-tot', { lastSeenAt: '2026-03-10T02:59:00Z', lagP50Seconds: 40, lagMaxSeconds: 200 }),
    hubWard('phuong-cham', { lastSeenAt: '2026-03-10T01:00:00Z', lagP50Seconds: 900, lagMaxSeconds: 4000, pendingFiles: 3 }),
    hubWard('phuong-vua', { lastSeenAt: '2026-03-10T02:00:00Z', lagP50Seconds: 300, lagMaxSeconds: 500 }),
    hubWard('phuong-moi'),
  ], new Map([['phuong-tot', 12]]), now);
  assert.equal(rows.map((r) => [r.ward, r.health]), [['phuong-moi', 'never'], ['phuong-cham', 'poor'], ['phuong-vua', 'tolerable'], ['phuong-tot', 'good']]);
  assert.is(rows[1]!.silentSeconds, 7200);
  assert.is(rows[3]!.documents, 12);
});

test('CSV opens in Excel: byte-order mark, Vietnamese intact, commas, quotes and line breaks quoted (RFC 4180), formulas defused', () => {
  const doc = hubDocument({ ward: 'phuong-a', n: 1, issuedAt: inWeek2026(2), verdict: 'invalid', subject: 'Về việc "khẩn", gấp\nđợt 2',
    reasons: [{ code: 'x', vi: 'Chữ ký bị sửa, không hợp lệ', en: 'Altered, invalid' }] });
  const evil = hubDocument({ ward: 'phuong-a', n: 2, issuedAt: inWeek2026(2), subject: '=HYPERLINK("http://x")' });
  const csv = toCsv([doc, evil], DOCUMENT_COLUMNS, 'vi');
  assert.ok(csv.startsWith('\ufeffPhường,Đơn vị,Mã văn bản,"Số, ký hiệu",'));
  assert.ok(csv.includes('"Về việc ""khẩn"", gấp\nđợt 2"'));
  assert.ok(csv.includes(',Không hợp lệ,"Chữ ký bị sửa, không hợp lệ"\r\n'));
  assert.ok(csv.includes(`"'=HYPERLINK(""http://x"")"`));
  const wards = toCsv(wardRows(cellsOf([doc]).values(), {}, []), WARD_COLUMNS, 'en');
  assert.ok(wards.includes('Ward,Issued,Digitally signed (valid),Paper,Invalid signature,Unverifiable,Digital signing rate,Rate (%)'));
  assert.ok(wards.includes('phuong-a,1,0,0,1,0,0/1 — 0.0%,0.0%'));
});

test('bad query parameters are refused with every problem named in Vietnamese and English', () => {
  const refused = (q: Record<string, unknown>) => {
    try { parseHubParams(q, ['from', 'to', 'ward', 'limit', 'format']); } catch (e) { return e as WardError; }
    throw new Error('accepted');
  };
  const e = refused({ from: '2026-W54', ward: 'Phường A', limit: '0', verdict: 'valid' });
  assert.is(e.status, 400);
  assert.is(e.code, 'invalid_input');
  assert.equal(e.details!.map((d) => d.path).sort(), ['from', 'limit', 'verdict', 'ward']);
  assert.ok(e.details!.find((d) => d.path === 'from')!.vi.includes('2026-W05'));
  assert.ok(e.details!.find((d) => d.path === 'verdict')!.en.startsWith('Unknown parameter'));
  const order = refused({ from: '2026-W10', to: '2026-W02' });
  assert.is(order.details![0]!.en, 'The first week must not come after the last.');
  assert.ok(refused({ ward: ['phuong-a', 'phuong-b'] }).details![0]!.vi.includes('một giá trị'));
  assert.equal(parseHubParams({ from: '2026-W02', ward: 'phuong-a,phuong-b', format: 'csv' }, ['from', 'ward', 'format']).filter, { from: '2026-W02', wards: ['phuong-a', 'phuong-b'] });
});

test.run();
