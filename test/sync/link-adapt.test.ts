// The replicator sizes what it sends to the link it measures (issue 19):
// over a flapping link the unit of upload and the bytes in flight shrink
// below the starting plan; over a fast, steady one they grow. Real
// Real replication through the weak-link proxy into a real embedded city, both
// wards at once, each converging with nothing lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkEstimate } from '../../sync/link-estimate.js';
import { CHUNK_BYTES } from '../../sync/city-contract.js';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-flap', 'w-fast']); });
test.after(async () => { await wards.close(); });

/** The plan before anything is measured. */
const initial = new LinkEstimate(CHUNK_BYTES).plan();
const inFlight = (p: { unitBytes: number; concurrency: number }) => p.unitBytes * p.concurrency;

test('chunk units and bytes in flight shrink on a flapping link and grow on a fast one; both converge', async () => {
  const flap = await wards.setup('w-flap', { bytesPerSecond: 24_000, latencyMs: 100, cutEveryMs: 3_000, downMs: 1_000 }, { documents: 2, pdfBytes: 10_000, scans: 1, scanBytes: 60_000 });
  const fast = await wards.setup('w-fast', { bytesPerSecond: 2_000_000, latencyMs: 20 }, { documents: 2, pdfBytes: 10_000, scans: 1, scanBytes: 2_000_000 });
  const flapRep = flap.entry.rep = wardReplicator(flap.db, wards.credentials('w-flap'), flap.link.url, { intervalMs: 60_000 });
  const fastRep = fast.entry.rep = wardReplicator(fast.db, wards.credentials('w-fast'), fast.link.url, { intervalMs: 60_000 });
  await Promise.all([flapRep.start(), fastRep.start()]);
  await Promise.all([untilUpToDate(flapRep, 60_000), untilUpToDate(fastRep, 60_000)]);

  const slow = flapRep.link();
  assert.ok(flap.link.cuts >= 1 && slow.cuts >= 1, `the flapping link was cut ${flap.link.cuts} times, the replicator saw ${slow.cuts}`);
  assert.ok(slow.upPeriodMs !== null && slow.upPeriodMs < 6_000, `up-periods measured: ${slow.upPeriodMs} ms`);
  assert.ok(slow.plan.unitBytes < initial.unitBytes, `flapping unit ${slow.plan.unitBytes} < starting ${initial.unitBytes}`);
  assert.ok(slow.plan.concurrency <= initial.concurrency, `flapping concurrency ${slow.plan.concurrency} ≤ starting ${initial.concurrency}`);
  assert.ok(inFlight(slow.plan) < inFlight(initial), `flapping bytes in flight ${inFlight(slow.plan)} < starting ${inFlight(initial)}`);

  const quick = fastRep.link();
  assert.is(quick.cuts, 0);
  assert.ok(quick.bytesPerSecond !== null && quick.bytesPerSecond > 200_000, `fast link measured at ${quick.bytesPerSecond} B/s`);
  assert.ok(quick.plan.unitBytes > initial.unitBytes, `fast unit ${quick.plan.unitBytes} > starting ${initial.unitBytes}`);
  assert.ok(quick.plan.concurrency > initial.concurrency, `fast concurrency ${quick.plan.concurrency} > starting ${initial.concurrency}`);
  assert.ok(quick.plan.batchBytes > slow.plan.batchBytes, `record batches: ${quick.plan.batchBytes} bytes on the fast link, ${slow.plan.batchBytes} on the flapping one`);

  await wards.assertConverged(flap.db, 'w-flap');
  await wards.assertConverged(fast.db, 'w-fast');
});

test('a wall clock that jumps a day back and forth changes nothing the link estimate sees', async () => {
  // The estimate keeps its own monotonic clock: only that one is driven here.
  let t = 0;
  const est = new LinkEstimate(CHUNK_BYTES, () => t);
  for (let i = 0; i < 6; i += 1) { const m = est.started(64 * 1024); t += 2_000; est.answered(m); est.ended(m, 100, null); }
  const before = est.snapshot();
  assert.ok(before.bytesPerSecond !== null && before.bytesPerSecond > 30_000 && before.bytesPerSecond < 35_000, JSON.stringify(before));
  // Nothing here reads Date.now: moving the wall clock cannot reach the plan.
  const realNow = Date.now;
  Date.now = () => realNow() - 86_400_000;
  try { assert.equal(est.snapshot(), before); } finally { Date.now = realNow; }
});

test.run();
