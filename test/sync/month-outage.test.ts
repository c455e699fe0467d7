// A month-long outage simply queues: the city is out of reach for thirty
// working days while the ward keeps writing; the sync status says so in plain
// words, pending counts grow, retries stay at the backoff cap instead of
// drifting out to days, and when the link returns everything converges once.
// Time is compressed (the cap is 400 ms, not 10 minutes); the link refuses
// every connection through the weak-link proxy, against a real embedded city.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { untilUpToDate, wardReplicator, wardWork, writeChunked } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

const WARDS = ['w-month'];
/** Documents a day (each: record, three events, a file's blob and chunk): 1,200+ records over the month. */
const PER_DAY = 8;
let wards: WeakWards;

test.before(async () => {
  wards = await WeakWards.start(WARDS);
});
test.after(async () => {
  await wards.close();
});

const credentials = (ward: string) => wards.credentials(ward);
const setup = (...args: Parameters<WeakWards['setup']>) => wards.setup(...args);
const assertConverged = (...args: Parameters<WeakWards['assertConverged']>) => wards.assertConverged(...args);

test('a month-long outage simply queues: thirty days of writes pile up as pending, retries stay at the cap, then everything converges once', async () => {
  const { link, db, entry } = await setup('w-month', {}, { documents: 2, pdfBytes: 5_000, scans: 0, scanBytes: 0 });
  // A month of down time, simulated: the link refuses every connection for 31 days unless restored.
  link.cut(31 * 24 * 3600_000);
  let failedRuns = 0;
  const rep = entry.rep = wardReplicator(db, credentials('w-month'), link.url, { backoff: { baseMs: 50, capMs: 400 }, log: (level) => { if (level === 'warn') failedRuns += 1; } });
  await rep.start();
  // Thirty working days of the ward, written while the city is out of reach: PER_DAY documents a day,
  // each with three events and its own file, two days sharing a scan (stored and sent once).
  const scan = wardWork({ ward: 'w-month', documents: 0, pdfBytes: 0, scans: 1, scanBytes: 200_000 });
  let written = (await db.info()).doc_count;
  let pending = 0;
  for (let day = 0; day < 30; day += 1) {
    const work = wardWork({ ward: 'w-month', documents: PER_DAY, pdfBytes: 4_000, scans: 0, scanBytes: 0 });
    if (day === 3 || day === 17) work.files.push(scan.files[0]!);
    await writeChunked(db, work);
    const status = await rep.status();
    assert.is(status.upToDate, false);
    assert.ok(status.pending.documents > pending, `day ${day}: pending ${status.pending.documents} after ${pending}`);
    pending = status.pending.documents;
  }
  written = (await db.info()).doc_count - written;
  // Between two tries, not during one (a try reads the next pages of a month of records before it fails).
  let queued = await rep.status();
  while (queued.phase === 'running') { await new Promise((r) => setTimeout(r, 10)); queued = await rep.status(); }
  assert.is(queued.online, false);
  assert.is(queued.lastError?.code, 'sync_offline');
  assert.ok(queued.pending.documents >= 30 * PER_DAY * 5, `${queued.pending.documents} documents queued`);
  assert.ok(queued.pending.bytes > 30 * PER_DAY * 4_000 + 200_000, `${queued.pending.bytes} bytes queued`);
  // From the end of the failed try (when its error was recorded) to the next one.
  const wait = Date.parse(queued.nextRun!) - Date.parse(queued.lastError!.at);
  assert.ok(wait <= 450, `the next retry is ${wait} ms away: at the cap, not growing with the outage`);
  const before = failedRuns;
  await new Promise((r) => setTimeout(r, 1_000));
  assert.ok(failedRuns - before <= 6, `${failedRuns - before} failed runs in a second at a 400 ms cap`);
  assert.ok(written >= 30 * PER_DAY * 5, `${written} documents written during the outage`);
  link.restore();
  const status = await untilUpToDate(rep, 120_000);
  assert.is(status.lastError, null);
  assert.is(status.refused.count, 0);
  await assertConverged(db, 'w-month');
});

test.run();
