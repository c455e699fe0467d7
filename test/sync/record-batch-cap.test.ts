// The records batch cap after cuts (sync/replicator.ts, decision 0009 9a): a
// link whose every batch is cut never yields a throughput measurement, so
// the byte budget cannot shrink the batch by itself; two records passes in a
// row that the city answered but that acknowledged nothing halve it, and each
// acknowledged batch doubles it again. Tries while the link is down are not
// such passes. Real embedded city, real weak-link proxy (its HTTP fault
// layer resets every batch upload), real PouchDB on disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-cap']); });
test.after(async () => { await wards.close(); });

test('cuts that end every batch halve the batch after two passes the city answered; tries while the link is down do not; each acknowledged batch doubles it again', async () => {
  const { link, db, entry } = await wards.setup('w-cap', { latencyMs: 10 }, { documents: 25, pdfBytes: 500, scans: 0, scanBytes: 0 });
  // The cap after cuts, each time it changes (the replicator says so in its log).
  const caps: number[] = [];
  const log = (_level: string, msg: string, extra?: Record<string, unknown>) => { if (msg === 'records batch cap after cuts') caps.push(Number(extra?.['cap'])); };
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-cap'), link.url, { intervalMs: 60_000, batchSize: 500, backoff: { baseMs: 50, capMs: 200 }, log });
  const until = async (done: () => boolean, ms: number) => { const end = Date.now() + ms; while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20)); };
  // Down from the start: every try is refused before the city answers anything.
  link.cut(1_000);
  await rep.start();
  await until(() => false, 900);
  assert.equal(caps, [], 'tries while the link is down leave the batch as it is');
  const first = (await rep.status()).batchSize;
  // Up, but every batch upload is reset mid-way (the city answers _revs_diff): a cut that catches each batch.
  link.httpFault((head) => (head.path.includes('_bulk_docs') ? 'reset' : null));
  link.restore();
  await until(() => caps.length >= 3, 15_000);
  // From the batch the byte budget gave once the link answered (below the first guess), halved each time.
  assert.ok(caps[0]! < first, `first halving (${caps[0]}) below the batch before the link was measured (${first})`);
  assert.equal(caps.slice(1, 3), [Math.floor(caps[0]! / 2), Math.floor(caps[0]! / 4)], `halved, not more: ${JSON.stringify(caps)}`);
  assert.is((await rep.status()).pending.confirmedSeq, null, 'no batch was acknowledged meanwhile');
  // The link heals: each acknowledged batch doubles the cap.
  link.httpFault(null);
  const low = caps.length;
  await untilUpToDate(rep, 15_000);
  const after = caps.slice(low - 1);
  assert.ok(after.length >= 3, `the cap grew back batch by batch: ${JSON.stringify(after)}`);
  for (let i = 1; i < after.length; i += 1) assert.is(after[i], after[i - 1]! >= 256 ? Infinity : after[i - 1]! * 2, `doubled: ${JSON.stringify(after)}`);
  await wards.assertConverged(db, 'w-cap');
});

test.run();
