// What the replicator knows of the link it has (issue 19): throughput, round
// trip, and how long it stays up and down, measured from its own requests,
// and what to send from that. The constants before this were tuned on one
// link (256 kbit/s, 300 ms, cut every 20 s); wards have 64 kbit/s dongles
// that drop every few seconds and 2 Mbit/s lines that never do.
//
// The rule: a cut loses every request still in flight, so the bytes in
// flight are sized against what the link moves in an up-period — at most
// LOSS_SHARE of it — and against the bandwidth-delay product, so the link
// is still kept busy across a round trip. The unit of upload (how many
// stored chunks go in one request) and the concurrency follow.
//
// Times come from a monotonic clock: a wall clock that jumps (NTP after a
// week offline, a user fixing the date) must not make a link look dead or
// infinitely fast. Pure: no Node or Express imports (sync/ is shared).
import { MIN_PART_BYTES } from './city-names.js';

/** What the next requests should look like. */
export interface LinkPlan {
  /** Bytes of chunks per upload request (a multiple of the stored chunk size). */
  unitBytes: number;
  /** Upload requests in flight at once. */
  concurrency: number;
  /** Bytes of records per replication batch, before gzip. */
  batchBytes: number;
  /** Chunk ids asked about per `_all_docs` page. */
  pageChunks: number;
  /**
   * The size stored chunks are re-split into for upload (sync/chunk-parts.ts):
   * the stored chunk size itself on links whose up-periods carry many chunks.
   */
  partBytes: number;
  /** The round trip (measured, or guessed): a request that failed in less than half of it never reached the city. */
  rttMs: number;
  /** The rate units are paced at (bytes/s): one unit on the wire at a time, the next leaving as the last should be across; 0: not paced. */
  paceBytesPerSecond: number;
}

export interface LinkSnapshot {
  bytesPerSecond: number | null;
  rttMs: number | null;
  /** Typical time the link stays up between cuts; null while no cut was seen. */
  upPeriodMs: number | null;
  downPeriodMs: number | null;
  cuts: number;
  plan: LinkPlan;
}

/** Share of an up-period's transfer that a cut may throw away. */
const LOSS_SHARE = 0.1;
const MAX_UNIT = 512 * 1024;
const MAX_CONCURRENCY = 6;
const MIN_BATCH = 16 * 1024;
const MAX_BATCH = 4 * 1024 * 1024;
/** Record batches compress several-fold (measured 6–10× for 20–100 records); assumed until measured. */
const GUESS_COMPRESSION = 4;
/** Before any measurement: the link the old constants were tuned on (256 kbit/s, 300 ms, cut every 20 s). */
const GUESS = { bytesPerSecond: 32_000, rttMs: 300, upMs: 30_000 };
/** 64 kbit/s: what a link cut before any measurement is taken to carry. */
const CUT_GUESS_BYTES_PER_SECOND = 8_000;
/** A link measured but never cut yet is taken to stay up at least this long. */
const UNCUT_MS = 120_000;
/** Requests this small time the round trip, not the bandwidth. */
const SMALL_REQUEST = 2_048;
const EWMA = 0.3;
/**
 * Units in flight together share the link and end together: two 16 KiB
 * units at 64 kbit/s both take 4 s, and a cut 3 s in loses both. Paced, the
 * first is across in 2 s and the second still hides the round trip.
 */
const PACE_MARGIN = 1.25;
const WINDOW = 12;

export interface RequestMark { at: number; up: number; answeredAt?: number }

export class LinkEstimate {
  private rtts: number[] = [];
  private rates: number[] = [];
  /** Per-upload samples (sampleUpload): their median, as one early or odd answer must not make the link. */
  private crossings: number[] = [];
  private upEwma: number | null = null;
  /** The last few up-periods, to tell a link cut on a schedule from one cut at random (holdMs). */
  private ups: number[] = [];
  private downEwma: number | null = null;
  private upSince: number | null = null;
  private downSince: number | null = null;
  private inFlight = 0;
  private busySince = 0;
  private busyMs = 0;
  private busyBytes = 0;
  /** When the last request that did not fail ended. */
  private lastEndAt = 0;
  cuts = 0;
  private compression: number | null = null;

  constructor(private readonly chunkBytes: number, private readonly clock: () => number = monotonic) {}

  /** A request leaves with `up` bytes of body. */
  started(up: number): RequestMark {
    const at = this.clock();
    if (this.inFlight === 0) this.busySince = at;
    this.inFlight += 1;
    return { at, up };
  }

  /** Its answer's head came back: the link is up; a small request times the round trip. */
  answered(mark: RequestMark, ok = true): void {
    const now = this.clock();
    // Up since the request left, not since its answer came: a round trip of 1.6 s counted as down made a
    // 5 s up-period look like 3 s and a 2 s outage like 4 s (flap64).
    if (this.upSince === null) this.linkUp(Math.min(now, mark.at));
    // A refusal may come before the body was read (a 409 to an attachment PUT): only successes time a crossing.
    if (ok) mark.answeredAt = now;
    const ms = now - mark.at;
    if (ms >= 0 && mark.up <= SMALL_REQUEST) push(this.rtts, ms);
  }

  /** The request is over (answer read, or failed); `down` bytes came back. */
  ended(mark: RequestMark, down: number, failed: 'network' | 'other' | null): void {
    const now = this.clock();
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (failed === 'network') { this.linkDown(now); return; }
    this.busyBytes += Math.max(mark.up, down);
    this.lastEndAt = now;
    this.sampleUpload(mark);
    if (this.inFlight === 0) this.settleBusy(now);
  }

  /** A JSON body of `plain` bytes went as `packed` bytes of gzip. */
  compressed(plain: number, packed: number): void {
    if (plain >= 4_096 && packed > 0) this.compression = ewma(this.compression, plain / packed);
  }

  /** Throughput is sampled over busy time (some request in flight), so idle minutes between runs do not count. */
  private settleBusy(now: number): void {
    const ms = now - this.busySince;
    if (ms > 0) this.busyMs += ms;
    this.busySince = now;
    this.sample();
  }

  private sample(): void {
    // A sample wants enough bytes that the round trip does not dominate it.
    // Or, on a slow link, fewer bytes over longer: at 64 kbit/s 32 KiB is 4 s of a 5 s up-period, and
    // flap64 went a minute without a sample, its units paced to a first low one.
    if ((this.busyMs >= 1_000 && this.busyBytes >= 32 * 1024) || (this.busyMs >= 3_000 && this.busyBytes >= 8 * 1024)) {
      push(this.rates, (this.busyBytes * 1000) / this.busyMs);
      this.busyMs = 0;
      this.busyBytes = 0;
    }
  }

  /**
   * What one upload says of the link: its body crossed in the time to its
   * answer less a round trip. Busy-time samples measure what the sender
   * achieved, round-trip gaps and pacing included, and on flap64 they said
   * 3.2 kB/s of a link of 8: parts were then paced to that, and sized to it.
   * Only bodies of 4 KiB and more whose crossing took a quarter second, so
   * the round trip's jitter does not make the sample.
   */
  private sampleUpload(mark: RequestMark): void {
    const rtt = this.rttMs;
    if (rtt === null || mark.answeredAt === undefined || mark.up < 4_096) return;
    const crossing = mark.answeredAt - mark.at - rtt;
    if (crossing >= 250) push(this.crossings, (mark.up * 1000) / crossing);
  }

  private linkUp(now: number): void {
    if (this.downSince !== null) {
      const down = now - this.downSince;
      if (down >= 0) this.downEwma = ewma(this.downEwma, down);
    }
    this.downSince = null;
    this.upSince = now;
  }

  private linkDown(now: number): void {
    // The bytes of requests that finished before the cut count, over the time up to the last of them:
    // resetting them at every cut meant a link up 5 s at 64 kbit/s never gathered a sample.
    if (this.inFlight === 0) {
      if (this.lastEndAt > this.busySince) this.busyMs += this.lastEndAt - this.busySince;
      this.busySince = now;
      this.sample();
    }
    if (this.upSince === null) return; // already known down: one cut, however many requests it broke
    const up = now - this.upSince;
    if (up >= 0) { this.upEwma = ewma(this.upEwma, up); this.ups.push(up); if (this.ups.length > 4) this.ups.shift(); }
    this.cuts += 1;
    this.upSince = null;
    this.downSince = now;
  }

  /** Highest recent rate: busy time includes round-trip gaps, so samples err low. */
  get bytesPerSecond(): number | null {
    const busy = this.rates.length > 0 ? Math.max(...this.rates) : null;
    const crossing = this.crossings.length > 0 ? median(this.crossings) : null;
    return busy === null ? crossing : crossing === null ? busy : Math.max(busy, crossing);
  }
  /** Lowest recent round trip: queueing behind uploads inflates the others. */
  get rttMs(): number | null { return this.rtts.length > 0 ? Math.min(...this.rtts) : null; }

  /**
   * How long the link stays up: the average of the up-periods seen, or the
   * current stretch when it is longer. A link that moved data and was never
   * cut counts as a stable one until its first cut.
   */
  private upMs(): number {
    const current = this.upSince !== null ? this.clock() - this.upSince : 0;
    const typical = this.upEwma ?? (this.rates.length > 0 ? UNCUT_MS : GUESS.upMs);
    return Math.max(typical, current);
  }

  plan(): LinkPlan {
    // A link cut before any throughput could be measured is taken as the slowest of the family: guessing
    // 256 kbit/s on a 64 kbit/s dongle put five 16 KiB units in flight, every cut caught them all, and so
    // no request ever finished to measure the link by (flap64).
    const rate = this.bytesPerSecond ?? (this.cuts > 0 ? CUT_GUESS_BYTES_PER_SECOND : GUESS.bytesPerSecond);
    const rtt = this.rttMs ?? GUESS.rttMs;
    const budget = LOSS_SHARE * rate * this.upMs() / 1000;
    const chunks = Math.max(1, Math.min(Math.floor(MAX_UNIT / this.chunkBytes), floorPow2(budget / 2 / this.chunkBytes)));
    // Where even one stored chunk is more than a cut may lose, chunks go in parts of about that budget, one a
    // request: at 64 kbit/s up 5 s at a time, 16 KiB is 2 s of the 4.2 s that can reach the city, and only one
    // crossed per up-period (decision 0013). Not below MIN_PART_BYTES: each part pays an HTTP request's heads.
    const partBytes = Math.min(this.chunkBytes, Math.max(MIN_PART_BYTES, floorPow2(budget)));
    const unitBytes = partBytes < this.chunkBytes ? partBytes : chunks * this.chunkBytes;
    const bdp = rate * rtt / 1000;
    // One more than the round trip needs, so the link never idles while an answer comes back;
    // a second spare only when a cut can afford it.
    const spare = budget >= 4 * unitBytes ? 2 : 1;
    const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.ceil(bdp / unitBytes) + spare));
    // A records batch costs a round trip (record-push.ts: the next batch's _revs_diff goes out during this one's
    // upload) whatever its size, so its wire bytes are at least four bandwidth-delay products, but never more
    // than a cut may lose; it is gzip'd, so its bytes before gzip are more.
    // On a link up 5 s at 800 ms each way, four BDPs (51 KB) take 6.4 s: the batch must also fit, with the
    // first batch's two round trips, in half of what is left of an up-period.
    const fits = rate * Math.max(0, this.upMs() - 2 * rtt) / 1000 / 2;
    const wire = Math.min(Math.max(budget, 4 * bdp), Math.max(budget, fits));
    const batchBytes = Math.round(Math.max(MIN_BATCH, Math.min(MAX_BATCH, wire * (this.compression ?? GUESS_COMPRESSION))));
    // Records written meanwhile wait for the page under way (fairness): a page is about four seconds of
    // link, but never less than the units in flight.
    const inFlight = Math.ceil((concurrency * unitBytes) / this.chunkBytes);
    const pageChunks = Math.max(16, inFlight, Math.min(256, 2 * inFlight, Math.floor((4 * rate) / this.chunkBytes)));
    // Paced a quarter above the measured rate (the samples err low, and a little overlap keeps the link busy),
    // only on a link that has been cut (on one that never was, units ending together lose nothing), at a
    // measured rate (not a guess), and where a unit takes a second or more: otherwise pacing held the upload
    // to a low estimate
    // (test/sync/resume-files.test.ts took 80 s instead of 24 at 250 kB/s–2 MB/s).
    const pace = this.bytesPerSecond !== null && this.cuts > 0 && (unitBytes / rate >= 1 || partBytes < this.chunkBytes);
    // Parts (0.5 s each at 64 kbit/s) are paced at twice the measured rate: two ending together lose little,
    // and at 1.25× a low first sample held flap64 to 4 kB/s of its 8 (the measured rate is then what the pace lets through).
    const margin = partBytes < this.chunkBytes ? 2 : PACE_MARGIN;
    return { unitBytes, concurrency, batchBytes, pageChunks, partBytes, rttMs: rtt, paceBytesPerSecond: pace ? Math.round(rate * margin) : 0 };
  }

  /**
   * How long to hold a unit of `bytes` that cannot reach the city before the
   * next cut of a link cut on a schedule (the last four up-periods within a
   * quarter of each other): sent anyway, its bytes would cross the link for
   * nothing — on flap64 the last 0.8 s of every 5 s up-period, and the unit
   * leaving then, were a quarter of the bytes sent. Held at most until past
   * the longest up-period seen: a link that stays up longer than usual gets
   * the unit then. 0: send now.
   */
  holdMs(bytes: number): number {
    const rate = this.bytesPerSecond;
    if (this.upSince === null || this.ups.length < 4 || rate === null) return 0;
    const shortest = Math.min(...this.ups);
    const longest = Math.max(...this.ups);
    if (longest > shortest * 1.25) return 0;
    const now = this.clock();
    const arrives = now + (bytes * 1000) / rate + (this.rttMs ?? GUESS.rttMs) / 2;
    if (arrives <= this.upSince + shortest) return 0;
    return Math.max(0, this.upSince + longest + 500 - now);
  }

  /**
   * How long to wait before trying again after a network failure: an eighth
   * of a typical outage (a try while the link is down costs a refused
   * connection; half a try's interval is link-up time lost after it returns), within bounds — or null (back off as usual) when no
   * outage was measured yet, or this one already lasts three times longer.
   */
  retryMs(): number | null {
    if (this.downEwma === null || this.downSince === null) return null;
    if (this.clock() - this.downSince > 3 * this.downEwma + 5_000) return null;
    return Math.round(Math.max(250, Math.min(5_000, this.downEwma / 8)));
  }

  /**
   * The longest wait between tries while the link is down, once up-periods
   * were measured: a quarter of a typical one (1 s–1 min). A link up 30 s
   * every 10 minutes was otherwise slept through by a backoff grown to
   * minutes; a try while it is down costs one refused connection.
   */
  pollCapMs(): number | null {
    if (this.upEwma === null) return null;
    return Math.round(Math.max(1_000, Math.min(60_000, this.upEwma / 4)));
  }

  snapshot(): LinkSnapshot {
    return { bytesPerSecond: round(this.bytesPerSecond), rttMs: round(this.rttMs), upPeriodMs: round(this.upEwma), downPeriodMs: round(this.downEwma), cuts: this.cuts, plan: this.plan() };
  }
}

function monotonic(): number {
  return globalThis.performance.now();
}

function push(list: number[], value: number): void {
  list.push(value);
  if (list.length > WINDOW) list.shift();
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function ewma(prev: number | null, sample: number): number {
  return prev === null ? sample : prev + EWMA * (sample - prev);
}

function floorPow2(n: number): number {
  return n < 1 ? 1 : 2 ** Math.floor(Math.log2(n));
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n);
}
