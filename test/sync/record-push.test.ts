// The records pass of our own (sync/record-push.ts) on a link whose
// up-periods are shorter than PouchDB's replication needs before its first
// checkpoint (five round trips: 3 s at 300 ms each way, up 2 s at a time):
// each batch is confirmed in two round trips and its checkpoint, kept at the
// ward, survives the cuts, so the records converge a batch at a time. Real
// embedded city, real weak-link proxy, real PouchDB on disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-short']); });
test.after(async () => { await wards.close(); });

test('records converge over a link up 2 s at a time with 300 ms each way, the checkpoint moving a batch at a time', async () => {
  const { link, db, entry } = await wards.setup('w-short', { bytesPerSecond: 24_000, latencyMs: 300, cutEveryMs: 2_000, downMs: 500 }, { documents: 25, pdfBytes: 500, scans: 0, scanBytes: 0 });
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-short'), link.url, { intervalMs: 60_000 });
  // Every checkpoint value seen (a batch confirmed), with how many cuts the link had had by then.
  const seen: { seq: number; cuts: number }[] = [];
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const seq = (await rep.status()).pending.confirmedSeq;
      if (seq !== null && seq !== seen.at(-1)?.seq) seen.push({ seq, cuts: link.cuts });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await rep.start();
  const status = await untilUpToDate(rep, 60_000).finally(async () => { watching = false; await watch; });
  assert.ok(link.cuts >= 2, `the link was cut ${link.cuts} times`);
  assert.is(status.refused.count, 0);
  assert.ok(seen.length >= 2, `the checkpoint moved in ${seen.length} steps: ${JSON.stringify(seen)}`);
  await wards.assertConverged(db, 'w-short');
});

test.run();
