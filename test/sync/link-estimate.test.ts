// The link estimate's rules that only show over minutes of a real link
// (test/sync/link-adapt.test.ts runs the whole replicator through the weak-link
// proxy): what it plans after a cut it could not measure, how soon it tries
// again while the link is down, and when it paces. Driven with a clock the
// test moves, as the estimate takes its time from a monotonic clock it is given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkEstimate } from '../../sync/link-estimate.js';
import { CHUNK_BYTES } from '../../sync/city-contract.js';

/** An estimate on a clock the test moves, and the requests it sees. */
function link() {
  const clock = { now: 0 };
  const estimate = new LinkEstimate(CHUNK_BYTES, () => clock.now);
  return {
    estimate,
    wait(ms: number) { clock.now += ms; },
    /** A request of `up` bytes answered after `ms` and read whole. */
    request(up: number, ms: number, down = 200) {
      const mark = estimate.started(up);
      clock.now += ms;
      estimate.answered(mark);
      estimate.ended(mark, down, null);
    },
    /** A request of `up` bytes the link drops after `ms`. */
    cut(up: number, ms: number) {
      const mark = estimate.started(up);
      clock.now += ms;
      estimate.ended(mark, 0, 'network');
    },
  };
}

const inFlight = (p: { unitBytes: number; concurrency: number }) => p.unitBytes * p.concurrency;

test('a link cut before its speed could be measured is planned as the slowest one: chunks in parts, one a request, half the bytes in flight, not paced', () => {
  const l = link();
  const fresh = l.estimate.plan();
  // A small request crosses (the link is up, 1.6 s round trip), then the first upload is cut 5 s later.
  l.request(200, 1_600);
  l.cut(fresh.unitBytes, 5_000);
  assert.is(l.estimate.bytesPerSecond, null, 'nothing measured');
  assert.is(l.estimate.cuts, 1);
  const after = l.estimate.plan();
  // Up 5 s at the 64 kbit/s guess: a 16 KiB chunk is 2 s of it, so chunks go in 4 KiB parts, one a request (decision 0013).
  assert.is(after.partBytes, 4 * 1024, 'chunks re-split into 4 KiB parts');
  assert.is(after.unitBytes, after.partBytes, 'one part a request');
  assert.is(fresh.partBytes, CHUNK_BYTES, 'before any cut, stored chunks go whole');
  assert.ok(inFlight(after) * 2 <= inFlight(fresh), `${inFlight(after)} bytes in flight after the cut, ${inFlight(fresh)} before`);
  assert.is(after.paceBytesPerSecond, 0, 'a guessed rate is never paced to');
});

test('after a cut, tries come at an eighth of a typical outage (bounded), and back off as usual once an outage runs three times as long', () => {
  const l = link();
  assert.is(l.estimate.retryMs(), null, 'no outage measured yet');
  // Up 5 s, down 16 s, up again, then cut again.
  l.request(200, 500);
  l.wait(4_500);
  l.cut(200, 100);
  assert.is(l.estimate.retryMs(), null, 'the first outage is still being measured');
  l.wait(16_000);
  l.request(200, 500);
  l.wait(4_000);
  l.cut(200, 100);
  // Down from the cut to when the request that came through left: the 16 s of waiting (its round trip counts as up).
  assert.is(l.estimate.snapshot().downPeriodMs, 16_000);
  assert.is(l.estimate.retryMs(), Math.round(16_000 / 8));
  l.wait(3 * 16_000 + 5_000 + 1);
  assert.is(l.estimate.retryMs(), null, 'an outage this long is not the usual one');
});

test('a very short outage is retried no sooner than 250 ms, a long one no later than 5 s', () => {
  for (const [downMs, want] of [[600, 250], [120_000, 5_000]] as const) {
    const l = link();
    l.request(200, 300);
    l.cut(200, 100);
    l.wait(downMs);
    l.request(200, 300);
    l.cut(200, 100);
    assert.is(l.estimate.retryMs(), want, `outage of ${downMs} ms`);
  }
});

test('while the link is down, the longest wait between tries is a quarter of a typical up-period, 1 s to 1 min', () => {
  for (const [upMs, want] of [[30_000, 7_500], [2_000, 1_000], [3_600_000, 60_000]] as const) {
    const l = link();
    assert.is(l.estimate.pollCapMs(), null, 'no up-period measured yet');
    // Up from when the first answered request left to the cut (its 300 ms round trip included).
    l.request(200, 300);
    l.wait(upMs - 300);
    l.cut(200, 0);
    assert.is(l.estimate.pollCapMs(), want, `up ${upMs} ms`);
  }
});

test('units are paced a quarter above the measured rate only once the link has been cut', () => {
  const l = link();
  l.request(200, 300);
  // 64 KiB uploads at 32 KiB/s, each answered a 300 ms round trip after its body crossed: a measured rate.
  for (let i = 0; i < 15; i++) l.request(65_536, 2_300);
  const rate = l.estimate.bytesPerSecond!;
  assert.ok(rate > 30_000 && rate < 34_000, `${rate} B/s`);
  assert.is(l.estimate.plan().paceBytesPerSecond, 0, 'a link never cut is not paced');
  l.cut(65_536, 1_000);
  const plan = l.estimate.plan();
  assert.ok(plan.unitBytes / rate >= 1, 'a unit takes a second or more');
  assert.is(plan.paceBytesPerSecond, Math.round(rate * 1.25));
});

test('the rate is what an upload\'s body took to cross, not what a sender waiting on round trips achieved', () => {
  const l = link();
  // 64 kbit/s, 1.6 s round trip: 4 KiB parts one at a time, each answered 0.51 s + 1.6 s after it left.
  l.request(200, 1_600);
  for (let i = 0; i < 6; i++) { l.request(4_096, 2_112); l.wait(300); }
  const rate = l.estimate.bytesPerSecond!;
  assert.ok(rate > 7_500 && rate < 8_500, `${rate} B/s for a link of 8,000 (busy time alone said ${Math.round((6 * 4_096) / (6 * 2.112))})`);
  // A small request, or one whose crossing is lost in the round trip's jitter, says nothing of the rate.
  const m = link();
  m.request(200, 1_600);
  m.request(2_000, 1_700);
  m.request(8_192, 1_800);
  assert.ok((m.estimate.bytesPerSecond ?? 0) < 10_000, `${m.estimate.bytesPerSecond}`);
});

test('on a link cut on a schedule, a unit that cannot arrive before the next cut is held until past it; on one cut at random, never', () => {
  const l = link();
  // Up 5 s, down 2 s, four times; 8,000 B/s measured from 4 KiB uploads, 1.6 s round trip.
  for (let i = 0; i < 4; i += 1) {
    l.request(200, 1_600);
    l.request(4_096, 2_112);
    l.wait(5_000 - 1_600 - 2_112);
    l.cut(200, 0);
    l.wait(2_000);
  }
  l.request(200, 1_600); // up again: 1.6 s into the up-period
  assert.is(l.estimate.holdMs(4_096), 0, 'early in an up-period a unit goes at once');
  l.wait(2_600); // 4.2 s in: a 4 KiB unit (0.5 s) and half a round trip would end after the cut at 5 s
  const hold = l.estimate.holdMs(4_096);
  assert.ok(hold > 800 && hold <= 1_300, `held ${hold} ms, until past the longest up-period`);
  l.wait(hold);
  assert.is(l.estimate.holdMs(4_096), 0, 'still up past the usual cut: the unit goes');
  // Up-periods of 3 s and 9 s: no schedule to go by.
  const r = link();
  for (const up of [3_000, 9_000, 3_000, 9_000]) { r.request(200, 1_600); r.request(4_096, 2_112); r.wait(up - 3_712); r.cut(200, 0); r.wait(2_000); }
  r.request(200, 1_600);
  r.wait(1_300);
  assert.is(r.estimate.holdMs(4_096), 0);
});

test.run();
