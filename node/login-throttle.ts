// Failed logins, counted in memory per client address and per user name,
// whether or not that user exists: an attacker learns nothing from which
// names lock (the answer and its cost are the same), and a flood of unknown
// names locks its addresses instead of costing a password hash each.
//
// Attempts are counted when they start, so guesses fired at once cannot slip
// past the limit; a success gives its slot back.
//
// The node's own console (127.0.0.1, ::1) is never throttled: whoever sits at
// the server can always log in as admin, and a LAN attacker cannot send from
// those addresses (the kernel drops them on any other interface). That is the
// admin's recovery path; `warddesk admin unlock` is the other.
//
// In memory on purpose: counting a failure must not need the disk (a full
// disk must not stop logins), and a restart forgets the counts, which only
// someone at the server can cause.

export interface ThrottleLimits {
  /** Failed logins for one user name before it locks (from any address). */
  perUsername: number;
  /** Failed logins from one address before it locks (any user names). */
  perAddress: number;
  /** How long a lock lasts, and the window the failures are counted in. */
  windowMs: number;
  /** Names and addresses remembered at most (oldest forgotten first). */
  maxKeys?: number;
}

interface Bucket { failures: number; inFlight: number; since: number; lockedUntil: number }

export type ThrottleVerdict = { ok: true; release: (succeeded: boolean) => number } | { ok: false; retryAfterSeconds: number };

const CONSOLE = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isConsole(address: string): boolean { return CONSOLE.has(address); }

export class LoginThrottle {
  private readonly names = new Map<string, Bucket>();
  private readonly addresses = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(private readonly limits: ThrottleLimits, private readonly now: () => number = Date.now) {
    this.maxKeys = limits.maxKeys ?? 10_000;
  }

  /**
   * Takes a slot for one attempt, or says how long to wait. Call `release`
   * with the outcome; it returns the seconds to wait if this very failure
   * locked the name or the address (0 otherwise).
   */
  begin(address: string, username: string): ThrottleVerdict {
    if (isConsole(address)) return { ok: true, release: () => 0 };
    const now = this.now();
    const name = this.bucket(this.names, username, now);
    const from = this.bucket(this.addresses, address, now);
    const wait = Math.max(this.blocked(name, this.limits.perUsername, now), this.blocked(from, this.limits.perAddress, now));
    if (wait > 0) return { ok: false, retryAfterSeconds: wait };
    name.inFlight += 1;
    from.inFlight += 1;
    let released = false;
    return {
      ok: true,
      release: (succeeded) => {
        if (released) return 0;
        released = true;
        name.inFlight -= 1;
        from.inFlight -= 1;
        if (succeeded) { name.failures = 0; return 0; }
        const at = this.now();
        name.failures += 1;
        from.failures += 1;
        let wait = 0;
        for (const [b, limit] of [[name, this.limits.perUsername], [from, this.limits.perAddress]] as const) {
          if (b.failures >= limit) { b.lockedUntil = at + this.limits.windowMs; wait = Math.max(wait, Math.ceil(this.limits.windowMs / 1000)); }
        }
        return wait;
      },
    };
  }

  /** Lifts the lock and forgets the failures of one user name (or of every name and address): `warddesk admin unlock`, an admin's password reset. */
  unlock(username?: string): number {
    if (username === undefined) {
      const n = this.names.size + this.addresses.size;
      this.names.clear();
      this.addresses.clear();
      return n;
    }
    return this.names.delete(username) ? 1 : 0;
  }

  private blocked(b: Bucket, limit: number, now: number): number {
    if (b.lockedUntil > now) return Math.ceil((b.lockedUntil - now) / 1000);
    // Attempts still being checked count: twenty guesses at once get `limit` checks, not twenty.
    if (b.failures + b.inFlight >= limit) return Math.ceil(this.limits.windowMs / 1000);
    return 0;
  }

  private bucket(map: Map<string, Bucket>, key: string, now: number): Bucket {
    let b = map.get(key);
    if (b && b.inFlight === 0 && b.lockedUntil <= now && now - b.since >= this.limits.windowMs) { map.delete(key); b = undefined; }
    if (!b) {
      if (map.size >= this.maxKeys) this.evictOne(map, now);
      b = { failures: 0, inFlight: 0, since: now, lockedUntil: 0 };
      map.set(key, b);
    }
    return b;
  }

  /** Forgets the oldest entry that holds no lock (or the oldest of all when every one does). */
  private evictOne(map: Map<string, Bucket>, now: number): void {
    for (const [key, b] of map) if (b.inFlight === 0 && b.lockedUntil <= now) { map.delete(key); return; }
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
}
