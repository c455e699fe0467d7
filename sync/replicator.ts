// Ward → city replication, driven from the edge (as CHT does): one-shot runs
// on a timer plus "sync now", never a live feed. A run pushes the ward's
// replicated documents (doc:, ev:, user:, blob:, audit: — never `_local/`, and
// the secrets database is not even opened here), then the chunks of files in
// a pass of their own (chunk-push.ts: binary, resumable, deduplicated, so
// records never wait behind scans), pulls the ward's inbox (what
// the city marked origin "city"), pushes again if the pull brought
// anything, so the confirmed checkpoint covers it, and fetches the chunks of
// the files the city sent (chunk-pull.ts) before its own chunks go up. Small batches, the batch
// halved on 413, exponential backoff with jitter and a cap, 401/403 fatal.
// The remote PouchDB is closed after every run (CHT found leaks otherwise).
//
// No Node or Express imports: PouchDB and fetch are handed in, so the same
// engine can later drive device ↔ node sync in the PWA.
import { ERRORS, type ErrorCode } from './errors.js';
import { pullGenuine } from './genuine-pull.js';
import type { Leaf } from './genuine.js';
import { INBOX_SELECTOR, WardCredentials, isChunkId, isReplicatedId } from './city-contract.js';
import { pushChunks, type ChunkMemory } from './chunk-push.js';
import { pushRecords } from './record-push.js';
import { pullChunks } from './chunk-pull.js';
import { computeStatus, type SyncFacts, type SyncStatus } from './status.js';
import { forgivingInfo } from './forgiving-info.js';
import { LinkEstimate, type LinkSnapshot } from './link-estimate.js';
import { gzipIfWorth } from './wire-gzip.js';
import { CHUNK_BYTES } from './city-names.js';

type FetchLike = (url: string, init: Record<string, unknown>) => Promise<{ status?: number; headers: { get(name: string): string | null } }>;

export interface ReplicatorOptions {
  local: PouchDB.Database;
  /** Opens the remote database; `fetch` must be passed on to PouchDB (it counts bytes and sets timeouts). */
  openRemote: (url: string, options: { auth: { username: string; password: string }; fetch: FetchLike; skip_setup: true }) => PouchDB.Database;
  /** The base fetch the counting wrapper calls (PouchDB's own). */
  baseFetch: FetchLike;
  /** Read before every run, so a new credentials file takes effect without a restart. */
  loadCredentials: () => Promise<WardCredentials | null>;
  /** Overrides the URL in the credentials file (WARDDESK_CITY_URL). */
  cityUrl?: string | undefined;
  intervalMs?: number;
  batchSize?: number;
  backoff?: { baseMs: number; capMs: number };
  requestTimeoutMs?: number;
  /** Chunks asked about per `_all_docs` (one checkpoint each) and sent at once, when the link is not measured (`adaptive: false`). */
  chunkPage?: number;
  chunkConcurrency?: number;
  /** Size units, concurrency and record batches from the measured link (sync/link-estimate.ts); on by default. */
  adaptive?: boolean;
  /** A monotonic clock for link measurements (tests); performance.now by default. */
  monotonic?: () => number;
  now?: () => number;
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** How a page of the city's inbox records is written locally (sync/genuine-pull.ts `write`); a plain `bulkDocs` by default. */
  writePulled?: (docs: Leaf[]) => Promise<void>;
}

const STATE_ID = '_local/warddesk-city-sync';
interface PersistedState { _id: string; _rev?: string; confirmedSeq: number | null; chunkSeq?: number | null; inboxFileSeq?: number | null; inboxSeq?: number | string | null; lastSuccessAt: number | null; refused: { id: string; reason: string }[]; badInbox?: SyncFacts['badInbox']; tamperedInbox?: SyncFacts['tamperedInbox'] }

const FATAL: ReadonlySet<ErrorCode> = new Set(['sync_unauthorized', 'sync_not_configured']);
const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|UND_ERR_SOCKET|ECONNABORTED)$/;

export class Replicator {
  private readonly o: Required<Omit<ReplicatorOptions, 'cityUrl' | 'log' | 'monotonic' | 'writePulled'>> & Pick<ReplicatorOptions, 'cityUrl' | 'log' | 'writePulled'>;
  private readonly estimate: LinkEstimate;
  /** Documents a batch may hold at most: halved on every 413, whatever the byte budget says. */
  private batchCap = Infinity;
  /**
   * Documents a batch may hold after cuts: halved when cuts end two records
   * passes in a row before any batch was acknowledged, doubled after each
   * acknowledged batch (a quarter more was too slow: on flap64 under load the
   * cap sat at one record a batch). The byte
   * budget comes from measured throughput, and a link whose every batch is
   * cut never yields a measurement: without this, a first guess too large
   * for the up-period was retried unchanged forever (`flap64`).
   */
  private cutCap = Infinity;
  /** Records passes in a row that a cut ended before any batch was acknowledged. */
  private fruitless = 0;
  private pullingInbox = false;
  /** Average bytes of a record still to go up (sampled before each records pass). */
  private recordBytes = 1_000;
  private facts: SyncFacts;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  /** Did the city answer any request of the current run? */
  private answered = false;
  /** Did the current run get anything confirmed by the city? */
  private moved = false;
  private stopped = false;
  /** Requests whose timeout has not run out yet: stop() aborts them. */
  private readonly live = new Set<AbortController>();
  private pendingKey = '';
  /** When this process last had the records both ways. */
  private recordsDone: { at: number } | null = null;
  /** Where the chunk pass stopped at the last cut, and the chunks going up in parts (in memory only: a restart asks the city again). */
  private readonly chunkMemory: ChunkMemory = { stopped: null };
  /** Set when a run fails: the retry may resume the files where they stopped. */
  private retrying = false;
  /** Local sequence up to which every file the city sent is whole here (chunk-pull.ts). */
  private inboxFileSeq: number | null = null;
  /** The city's sequence up to which the inbox was pulled (genuine-pull.ts keeps its own checkpoint). */
  private inboxSeq: number | string | null = null;

  constructor(options: ReplicatorOptions) {
    this.o = {
      intervalMs: 60_000, batchSize: 100, backoff: { baseMs: 2_000, capMs: 10 * 60_000 }, requestTimeoutMs: 120_000,
      chunkPage: 64, chunkConcurrency: 3, adaptive: true, now: Date.now, random: Math.random, ...options,
    };
    this.estimate = new LinkEstimate(CHUNK_BYTES, options.monotonic);
    this.facts = {
      configured: true, phase: 'idle', confirmedSeq: null, chunkSeq: null, localSeq: 0, pendingDocs: 0, pendingBytes: 0, reachable: null,
      lastAttemptAt: null, lastSuccessAt: null, nextRunAt: null, lastError: null, refused: [], rate: null, batchSize: this.o.batchSize, badInbox: [], tamperedInbox: [],
    };
  }

  /** Loads the persisted checkpoint and schedules the first run right away. */
  async start(): Promise<void> {
    const saved = await this.readState();
    this.facts.confirmedSeq = saved.confirmedSeq;
    this.facts.chunkSeq = saved.chunkSeq ?? null;
    this.inboxFileSeq = saved.inboxFileSeq ?? null;
    this.inboxSeq = saved.inboxSeq ?? null;
    this.facts.lastSuccessAt = saved.lastSuccessAt;
    this.facts.refused = saved.refused;
    this.facts.badInbox = saved.badInbox ?? [];
    this.facts.tamperedInbox = saved.tamperedInbox ?? [];
    this.schedule(0);
  }

  /** Stops the timer and waits for a run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A run waiting on a dead link would hold the stop for a whole request
    // timeout (two minutes), and whoever stops us then closes the database
    // under it; leveldown's exit cleanup was seen spinning on such a
    // half-closed database. Its requests are aborted instead.
    for (const c of this.live) c.abort();
    this.live.clear();
    await this.running;
  }

  /** "Sync now": runs at once (or joins the run under way), also after a fatal error. */
  syncNow(): Promise<void> {
    if (!this.running) this.retrying = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.run();
  }

  /** What the replicator measured of the link, and what it sends from that. */
  link(): LinkSnapshot {
    return this.estimate.snapshot();
  }

  async status(): Promise<SyncStatus> {
    await this.refreshPending();
    return computeStatus(this.facts, this.o.now());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.facts.nextRunAt = this.o.now() + delayMs;
    this.timer = setTimeout(() => { this.timer = null; void this.run(); }, delayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => { this.running = null; });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    this.facts.phase = 'running';
    this.facts.nextRunAt = null;
    this.facts.lastAttemptAt = this.o.now();
    const credentials = await this.o.loadCredentials().catch(() => null);
    const url = this.o.cityUrl ?? credentials?.url;
    if (!credentials || !url) {
      this.facts.configured = false;
      this.finish('sync_not_configured');
      return;
    }
    this.facts.configured = true;
    const meter = { bytes: 0 };
    const remote = forgivingInfo(this.o.openRemote(`${url.replace(/\/+$/, '')}/${encodeURIComponent(credentials.db)}`, {
      auth: { username: credentials.username, password: credentials.password }, fetch: this.countingFetch(meter), skip_setup: true,
    }));
    const started = this.o.now();
    let written = 0;
    this.moved = false;
    this.answered = false;
    try {
      if (await this.resumingFiles()) {
        // Records are up to date both ways and nothing was written here
        // since: straight back to the files. The inbox is still pulled once
        // an interval, alongside the upload (its round trips then cost no
        // link time) rather than before it.
        written += await alongside(this.pushFiles(remote), this.inboxDue() ? this.syncInbox(remote) : Promise.resolve(0));
      } else {
        // Records first, both ways; the chunks of files last, so neither the
        // city's view nor the ward's inbox ever waits behind a large scan.
        written += await this.push(remote);
        written += await this.syncInbox(remote);
        written += await this.pushFiles(remote);
      }
      const ms = Math.max(1, this.o.now() - started);
      if (written > 0) this.facts.rate = { docsPerSecond: round(written * 1000 / ms), bytesPerSecond: round(meter.bytes * 1000 / ms) };
      this.facts.lastSuccessAt = this.o.now();
      await this.writeState();
      this.finish(this.facts.refused.length > 0 ? 'sync_refused' : null);
    } catch (err) {
      // Stopped mid-run (the node shutting down): its aborted requests are not a link failure to report.
      if (this.stopped) { this.facts.phase = 'idle'; return; }
      // A run that moved data before the link dropped proves the link works:
      // retry soon (a link cut every few seconds must not push retries out to minutes).
      // So does one the city answered before a cut took it: on a link up 5 s at 800 ms each way
      // the first runs may confirm nothing (their batch too large for an up-period, until it halves),
      // and a backoff growing to minutes then left the link idle through its up-periods.
      const code = classify(err);
      if (this.moved || (this.answered && (code === 'sync_offline' || code === 'sync_timeout'))) this.failures = 0;
      this.retrying = true;
      this.finish(classify(err), describe(err));
    } finally {
      await remote.close().catch(() => undefined);
    }
  }

  /**
   * A retry after a cut goes straight back to the chunks when the records
   * went both ways in this process and nothing was written locally since: on
   * a link cut every 20 s with 300 ms of latency, a full run's checkpoint
   * reads and inbox query (~7 round trips, ~4 s) took a fifth of every up
   * period. Timer runs and "sync now" do the full run.
   */
  private async resumingFiles(): Promise<boolean> {
    const retry = this.retrying;
    this.retrying = false;
    if (!retry || !this.recordsDone) return false;
    return !(await this.recordsWaiting());
  }

  /** The inbox is pulled at least once an interval, even while a long upload resumes cut after cut. */
  private inboxDue(): boolean {
    return !this.recordsDone || this.o.now() - this.recordsDone.at >= this.o.intervalMs;
  }

  /**
   * Pulls the ward's inbox; pushes again if the pull brought anything (what
   * it wrote got local sequence numbers, and the city's checkpoint must cover
   * them); then fetches the chunks of the files the city sent, before the
   * ward's own chunks go up (the chunk push then passes over them).
   */
  private async syncInbox(remote: PouchDB.Database): Promise<number> {
    this.pullingInbox = true;
    try { return await this.pullInbox(remote); } finally { this.pullingInbox = false; }
  }

  private async pullInbox(remote: PouchDB.Database): Promise<number> {
    // Only the city's own revision of each inbox record comes home: a branch the ward's
    // credentials added at the city (CouchDB keeps it, and it may win) is left there.
    // Pages of at most batchSize, smaller where the byte budget says so (a page of 100 records cannot cross
    // a 5 s up-period at 64 kbit/s; each page is checkpointed).
    const pulled = await pullGenuine({
      remote, local: this.o.local, since: this.inboxSeq ?? 0, selector: INBOX_SELECTOR, batch: Math.min(this.o.batchSize, this.batchDocs()),
      ...(this.o.writePulled ? { write: this.o.writePulled } : {}),
      onPage: async (seq) => { this.inboxSeq = seq; await this.writeState(); },
      onTampered: (id, integrity) => {
        const reason = integrity.state === 'tampered' ? integrity.reason : 'ok';
        if (!this.facts.tamperedInbox.some((t) => t.id === id)) this.facts.tamperedInbox.push({ id, reason });
        this.o.log?.('error', 'a record in the inbox at the city has a second branch or a hash that does not hold; only the city\'s revision was taken', { id, reason });
      },
    });
    let written = pulled.written;
    if (pulled.written > 0) written += await this.push(remote);
    written += await this.pullFiles(remote);
    this.recordsDone = { at: this.o.now() };
    return written;
  }

  /**
   * Pushes the records (sync/record-push.ts) in batches sized by bytes: as
   * many records as the link's byte budget holds at the pending records'
   * average size; halved on 413 until it fits (down to one document). The
   * checkpoint is written after every batch the city acknowledged.
   */
  private async push(remote: PouchDB.Database): Promise<number> {
    await this.sampleRecordBytes();
    let written = 0;
    let acked = 0;
    for (;;) {
      try {
        return written + await pushRecords({
          local: this.o.local, remote, since: this.facts.confirmedSeq ?? 0,
          batchDocs: () => (this.facts.batchSize = this.batchDocs()),
          onBatch: async (seq, n) => {
            written = n;
            acked += 1;
            this.fruitless = 0;
            if (this.cutCap !== Infinity) {
              this.cutCap = this.cutCap >= 256 ? Infinity : this.cutCap * 2;
              this.o.log?.('info', 'records batch cap after cuts', { cap: this.cutCap });
            }
            this.confirm(seq);
            await this.writeState();
          },
          onRefused: (id, reason) => {
            if (!this.facts.refused.some((r) => r.id === id)) this.facts.refused.push({ id, reason });
            this.o.log?.('error', 'the city refused a document', { id, reason });
          },
        });
      } catch (err) {
        const code = classify(err);
        // Only after two passes in a row that a cut ended with nothing acknowledged: a cut at the end of
        // an up-period catches some batch anyway, and halving then starved a link up 2 s at a time.
        // And only passes the city answered: tries while the link is down (five per 2 s outage on flap64)
        // each counted, and halved the batch to one record within a few cuts.
        if ((code === 'sync_offline' || code === 'sync_timeout') && acked === 0 && this.answered && this.facts.batchSize > 1) {
          this.fruitless += 1;
          if (this.fruitless >= 2) {
            this.fruitless = 0;
            this.cutCap = Math.max(1, Math.floor(this.facts.batchSize / 2));
            this.o.log?.('info', 'records batch cap after cuts', { cap: this.cutCap });
          }
        }
        if (status(err) === 413 && this.facts.batchSize > 1) {
          this.batchCap = Math.max(1, Math.floor(this.facts.batchSize / 2));
          this.o.log?.('warn', 'city refused a batch as too large; halving', { batchSize: this.batchCap });
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Between two pages of chunks: records written at the ward since the
   * records last went both ways go up now, and the inbox is pulled when an
   * interval has passed, so neither waits behind a large file (issue 19,
   * fairness). Nothing is asked of the city when nothing changed.
   */
  private async betweenPages(remote: PouchDB.Database): Promise<void> {
    // A retry pulls the inbox alongside the files: that pull pushes what it brought itself.
    if (this.pullingInbox) return;
    if (await this.recordsWaiting()) await this.push(remote);
    if (this.inboxDue()) await this.syncInbox(remote);
  }

  /**
   * Whether a record was written locally after what the city confirmed
   * (chunks do not count). Asked of the checkpoint, not of the local
   * sequence when the records last went: a record written during the inbox
   * pull came after the push but before that sequence was read.
   */
  private async recordsWaiting(): Promise<boolean> {
    const page = await this.o.local.changes({ since: this.facts.confirmedSeq ?? 0, limit: 1, filter: (doc: { _id: string }) => isReplicatedId(doc._id) });
    return page.results.length > 0;
  }

  /** The average size of the next records to go up, from a few of them (a month of pending records is not read for this). */
  private async sampleRecordBytes(): Promise<void> {
    const page = await this.o.local.changes({ since: this.facts.confirmedSeq ?? 0, limit: 20, include_docs: true, filter: (doc: { _id: string }) => isReplicatedId(doc._id) });
    const sizes = page.results.flatMap((c) => (c.doc ? [JSON.stringify(c.doc).length] : []));
    if (sizes.length > 0) this.recordBytes = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  }

  private batchDocs(): number {
    const fromBytes = this.o.adaptive ? Math.floor(this.estimate.plan().batchBytes / Math.max(200, this.recordBytes)) : this.o.batchSize;
    return Math.max(1, Math.min(this.batchCap, this.cutCap, 500, fromBytes));
  }

  /** The chunks of files, after the records; the chunk checkpoint is saved after every page. */
  private async pushFiles(remote: PouchDB.Database): Promise<number> {
    return pushChunks({
      local: this.o.local, remote, since: this.facts.chunkSeq ?? 0, page: this.o.chunkPage, concurrency: this.o.chunkConcurrency, memory: this.chunkMemory,
      ...(this.o.adaptive ? { plan: () => this.estimate.plan(), hold: (bytes: number) => this.estimate.holdMs(bytes) } : {}),
      between: () => this.betweenPages(remote),
      onPage: async (seq) => { this.facts.chunkSeq = seq; await this.writeState(); },
      onSent: () => { this.moved = true; },
      onRefused: (id, reason) => {
        if (!this.facts.refused.some((r) => r.id === id)) this.facts.refused.push({ id, reason });
        this.o.log?.('error', 'a file chunk was not accepted', { id, reason });
      },
    });
  }

  /** The chunks of the files the city sent, fetched by the ward; the checkpoint passes only whole files. */
  private async pullFiles(remote: PouchDB.Database): Promise<number> {
    return pullChunks({
      local: this.o.local, remote, since: this.inboxFileSeq ?? 0, page: this.o.chunkPage,
      concurrency: this.o.adaptive ? this.estimate.plan().concurrency : this.o.chunkConcurrency,
      onPage: async (seq) => { this.inboxFileSeq = seq; await this.writeState(); },
      onFetched: () => { this.moved = true; },
      onIncomplete: (blob, chunk, reason) => this.o.log?.('warn', 'a file from the city is not complete yet', { blob, chunk, reason }),
      bad: new Set(this.facts.badInbox.map((b) => b.chunk)),
      onBad: (blob, chunk, reason) => {
        // Kept (persisted with the next checkpoint) so the chunk is not fetched again at every run.
        if (!this.facts.badInbox.some((b) => b.chunk === chunk && b.blob === blob)) this.facts.badInbox.push({ blob, chunk, reason });
        this.o.log?.('error', 'a file from the city has a chunk too large or corrupt; skipped', { blob, chunk, reason });
      },
    });
  }



  private confirm(seq: number | string): void {
    const n = Number(seq);
    if (Number.isFinite(n) && (this.facts.confirmedSeq === null || n > this.facts.confirmedSeq)) { this.facts.confirmedSeq = n; this.moved = true; }
  }


  private finish(code: ErrorCode | null, detail?: string): void {
    this.facts.phase = 'idle';
    const reached = code === null || code === 'sync_refused' || code === 'sync_server_error' || code === 'sync_too_large' || code === 'sync_unauthorized';
    this.facts.reachable = code === 'sync_not_configured' ? null : reached;
    if (code === null) {
      this.failures = 0;
      this.facts.lastError = null;
      this.schedule(this.o.intervalMs);
      return;
    }
    this.facts.lastError = { code, at: this.o.now(), ...(detail ? { detail } : {}) };
    if (code === 'sync_refused') { this.failures = 0; this.schedule(this.o.intervalMs); return; }
    this.o.log?.('warn', `city sync: ${ERRORS[code].en}`, { detail });
    if (FATAL.has(code)) { this.facts.phase = 'stopped'; return; }
    this.failures += 1;
    // A link that drops for seconds at a time is retried about when it
    // comes back (the outages measured so far), not after a growing backoff
    // that would spend much of each up-period waiting; one down for longer
    // than its outages usually last falls back to the backoff.
    const network = code === 'sync_offline' || code === 'sync_timeout';
    const soon = network ? this.estimate.retryMs() : null;
    const delay = soon !== null ? Math.min(this.backoffMs(), Math.round(soon * (0.75 + this.o.random() / 2))) : this.backoffMs();
    // Never so long that a short up-period of this link passes unseen.
    const cap = network ? this.estimate.pollCapMs() : null;
    this.schedule(cap !== null ? Math.min(delay, Math.round(cap * (0.75 + this.o.random() / 2))) : delay);
  }

  /** Full jitter between half and all of base·2^failures, capped. */
  private backoffMs(): number {
    const { baseMs, capMs } = this.o.backoff;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(ceiling / 2 + this.o.random() * ceiling / 2);
  }

  /**
   * Counts what the ward sends and receives, bounds each request (half-open
   * sockets), gzips JSON bodies where that pays (sync/wire-gzip.ts), and
   * times every request for the link estimate.
   */
  private countingFetch(meter: { bytes: number }): FetchLike {
    return async (url, init) => {
      let body = init['body'];
      const headers = init['headers'] as { get(name: string): string | null; set(name: string, value: string): void } | undefined;
      if (typeof body === 'string' && headers && !headers.get('Content-Encoding')) {
        const packed = await gzipIfWorth(body);
        if (packed) { this.estimate.compressed(body.length, packed.byteLength); headers.set('Content-Encoding', 'gzip'); body = packed; }
      }
      const sent = body as { length?: number; byteLength?: number; size?: number } | undefined;
      const up = sent ? (sent.byteLength ?? sent.length ?? sent.size ?? 0) : 0;
      meter.bytes += up;
      const mark = this.estimate.started(up);
      let res: Awaited<ReturnType<FetchLike>>;
      try {
        res = await this.o.baseFetch(url, { ...init, ...(body !== undefined ? { body } : {}), signal: this.requestSignal() });
      } catch (err) {
        const code = classify(err);
        this.estimate.ended(mark, 0, code === 'sync_offline' || code === 'sync_timeout' ? 'network' : 'other');
        throw err;
      }
      this.estimate.answered(mark, res.status === undefined || (res.status >= 200 && res.status < 300));
      this.answered = true;
      const down = Number(res.headers.get('content-length') ?? 0);
      meter.bytes += down;
      this.estimate.ended(mark, down, null);
      return res;
    };
  }

  /**
   * A request's signal: aborted after the request timeout (its answer's body
   * included: a half-open socket can stall mid-body) or when the replicator
   * stops. A plain timer rather than AbortSignal.any over AbortSignal.timeout:
   * with that, a half-open test run hung once (suspected: a timeout signal
   * held only by the combined one is collected before it fires, Node 20).
   */
  private requestSignal(): AbortSignal {
    const controller = new AbortController();
    this.live.add(controller);
    const timer = setTimeout(() => { this.live.delete(controller); controller.abort(new DOMException('request timed out', 'TimeoutError')); }, this.o.requestTimeoutMs);
    (timer as { unref?: () => void }).unref?.();
    return controller.signal;
  }

  /** Documents and bytes the city has not confirmed; recomputed only when something moved. */
  private async refreshPending(): Promise<void> {
    const info = await this.o.local.info();
    this.facts.localSeq = Number(info.update_seq);
    const key = `${this.facts.localSeq}/${this.facts.confirmedSeq}/${this.facts.chunkSeq}`;
    if (key === this.pendingKey) return;
    let docs = 0;
    let bytes = 0;
    const since = this.facts.confirmedSeq ?? 0;
    const page = await this.o.local.changes({ since, include_docs: true, return_docs: true, filter: (doc) => isReplicatedId(doc._id) });
    for (const change of page.results) {
      docs += 1;
      const doc = change.doc;
      if (!doc) continue;
      const { _attachments: atts, ...rest } = doc;
      bytes += JSON.stringify(rest).length;
      for (const att of Object.values(atts ?? {})) bytes += att.length ?? 0;
    }
    // Chunks count from their own checkpoint: the records' checkpoint passes them by.
    const chunks = await this.o.local.changes({ since: this.facts.chunkSeq ?? 0, include_docs: true, return_docs: true, filter: (doc) => isChunkId(doc._id) });
    for (const change of chunks.results) {
      docs += 1;
      for (const att of Object.values(change.doc?._attachments ?? {})) bytes += att.length ?? 0;
    }
    this.facts.pendingDocs = docs;
    this.facts.pendingBytes = bytes;
    this.pendingKey = key;
  }

  private async readState(): Promise<PersistedState> {
    try { return await this.o.local.get<PersistedState>(STATE_ID); } catch { return { _id: STATE_ID, confirmedSeq: null, lastSuccessAt: null, refused: [] }; }
  }

  private async writeState(): Promise<void> {
    const current = await this.readState();
    await this.o.local.put<PersistedState>({ ...current, confirmedSeq: this.facts.confirmedSeq, chunkSeq: this.facts.chunkSeq, inboxFileSeq: this.inboxFileSeq, inboxSeq: this.inboxSeq, lastSuccessAt: this.facts.lastSuccessAt, refused: this.facts.refused.slice(0, 1000), badInbox: this.facts.badInbox.slice(0, 1000), tamperedInbox: this.facts.tamperedInbox.slice(0, 1000) });
  }
}

/** Both passes run to the end; the first failure is rethrown after both settled (the remote closes after the run). */
async function alongside(a: Promise<number>, b: Promise<number>): Promise<number> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return x.value + y.value;
}

function round(n: number): number { return Math.round(n * 10) / 10; }

function status(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** Maps a failure to a code a person can act on. */
export function classify(err: unknown): ErrorCode {
  const e = (err ?? {}) as { status?: number; code?: string; name?: string; type?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted' || code === 'ETIMEDOUT') return 'sync_timeout';
  if (NETWORK_CODES.test(code) || e.name === 'FetchError' || /fetch failed|socket hang up|network/i.test(e.message ?? '')) return 'sync_offline';
  if (e.status === 401 || e.status === 403) return 'sync_unauthorized';
  if (e.status === 413) return 'sync_too_large';
  if (typeof e.status === 'number' && e.status >= 500) return 'sync_server_error';
  return 'sync_failed';
}

function describe(err: unknown): string {
  const e = (err ?? {}) as { status?: number; name?: string; message?: string; code?: string };
  return [e.status, e.name, e.code, e.message].filter((x) => x !== undefined && x !== '').join(' ').slice(0, 300);
}
