// Login attempts go into the audit chain in batches: a failed attempt waits
// up to a second for others to join it (its answer waits too: slower
// failures cost an attacker, not the node), then all go in one write (one
// LevelDB batch, one fsync), so a flood of failed logins costs one write a
// second, not one each. A successful login is written at once, taking along
// whatever waits. An attempt refused by the throttle without a password check is only
// counted, per address, and written as one entry per address and batch.
//
// A login never waits for the disk: when a write fails (disk full, store
// down) the attempts stay in a bounded in-memory tail and are written with
// the next batch once the store takes writes again (the node retries every
// second). Past the bound, attempts are counted, not kept, and the count
// is written as its own entry. A crash loses the tail; a clean stop writes it.
import type { Logger } from 'pino';
import type { Command, Ledger } from './ledger.js';

export interface LoginAttempt { at: Date; user: string; role: string; device: string; action: string }

const CAPACITY = 2_000;
const WINDOW_MS = 1_000;
const BATCH = 500;

/** A user name as typed, cut to `max` UTF-16 units without splitting a character, and well-formed. */
export function boundedName(name: string, max = 64): string {
  let cut = name.toWellFormed().slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

export class LoginAudit {
  private queue: LoginAttempt[] = [];
  private throttled = new Map<string, { count: number; since: Date; user: string }>();
  private dropped = 0;
  private writing: Promise<void> | null = null;
  private window: Promise<void> | null = null;
  /** When the last batch was written: batches of failures stay at least a window apart. */
  private lastWriteAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ledger: Ledger, private readonly log?: Logger, retryMs = 1_000) {
    // The retry (what a full disk held back) never races a batch window: one write a second at most.
    this.timer = setInterval(() => { if (this.pending > 0 && !this.window && Date.now() - this.lastWriteAt >= WINDOW_MS) void this.flush(); }, retryMs);
    this.timer.unref();
  }

  get pending(): number { return this.queue.length + this.throttled.size + (this.dropped > 0 ? 1 : 0); }

  /**
   * Records a checked attempt and resolves once it is written, or kept for
   * later when the store cannot write now. `now`: write at once (a success);
   * otherwise wait for the batch window.
   */
  record(attempt: LoginAttempt, now = false): Promise<void> {
    if (this.queue.length >= CAPACITY) this.dropped += 1;
    else this.queue.push({ ...attempt, user: boundedName(attempt.user) });
    if (now) return this.flush();
    const wait = Math.max(WINDOW_MS, this.lastWriteAt + WINDOW_MS - Date.now());
    this.window ??= new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => { this.window = null; return this.flush(); });
    return this.window;
  }

  /** Counts an attempt the throttle refused; written with the next batch. */
  refused(address: string, user: string): void {
    const seen = this.throttled.get(address);
    if (seen) { seen.count += 1; seen.user = boundedName(user); return; }
    if (this.throttled.size >= CAPACITY) { this.dropped += 1; return; }
    this.throttled.set(address, { count: 1, since: new Date(), user: boundedName(user) });
  }

  /** Writes whatever waits; attempts arriving meanwhile go into the next write. */
  flush(): Promise<void> {
    if (this.writing) return this.writing.then(() => (this.pending > 0 ? this.flush() : undefined));
    const run = this.writeOnce().finally(() => { this.writing = null; });
    this.writing = run;
    return run;
  }

  stop(): void { clearInterval(this.timer); }

  private async writeOnce(): Promise<void> {
    this.lastWriteAt = Date.now();
    const attempts = this.queue.splice(0, BATCH);
    const throttled = [...this.throttled].slice(0, BATCH);
    for (const [address] of throttled) this.throttled.delete(address);
    const dropped = this.dropped;
    this.dropped = 0;
    const commands: Command[] = attempts.map((a) => ({
      actor: { user: a.user, role: a.role as Command['actor']['role'], device: a.device }, action: a.action, target: `attempt-at:${a.at.toISOString()}`, docs: [],
    }));
    for (const [address, t] of throttled) {
      commands.push({ actor: { user: t.user, role: 'specialist', device: address }, action: 'auth.throttled', target: `attempts:${t.count} since:${t.since.toISOString()}`, docs: [] });
    }
    if (dropped > 0) commands.push({ actor: { user: 'system', role: 'admin', device: 'node' }, action: 'auth.audit-overflow', target: `attempts-not-kept:${dropped}`, docs: [] });
    if (commands.length === 0) return;
    try {
      await this.ledger.append(commands);
    } catch (err) {
      // Kept for the next batch, oldest first; what does not fit is counted.
      this.queue = [...attempts, ...this.queue];
      const over = this.queue.length - CAPACITY;
      if (over > 0) { this.queue.splice(CAPACITY); this.dropped += over; }
      for (const [address, t] of throttled) {
        const now = this.throttled.get(address);
        this.throttled.set(address, now ? { ...t, count: t.count + now.count } : t);
      }
      this.dropped += dropped;
      this.log?.warn({ err, waiting: this.pending }, 'login attempts not audited yet; kept in memory and retried');
    }
  }
}
