// Private keys at rest on the ward node: one PKCS#12 per holder (an
// official, the agency seal, the ward CA, the TLS key), encrypted under the
// holder's PIN, which is never stored. Five wrong PINs lock the key for a
// while; the counter is on disk (a restart does not reset it) and attempts on
// one key run one at a time (parallel guesses cannot slip past the limit).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wardError } from '../sync/errors.js';
import { writeAtomic } from './atomic-file.js';
import { fromPkcs12, toPkcs12, unlockKeyNative, WrongPin, type Pkcs12Contents } from './ca.js';

export interface KeystoreOptions { maxFailures?: number; lockMinutes?: number; now?: () => number }
interface Attempts { failures: number; lockedUntil: number }

const HOLDER = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The PIN rule: 6 to 32 characters (digits for a keypad, or a passphrase); `weak_pin` otherwise. */
export function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !/^.{6,32}$/u.test(pin)) throw wardError('weak_pin');
}

export class Keystore {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly max: number;
  private readonly lockMs: number;
  private readonly now: () => number;

  constructor(readonly dir: string, o: KeystoreOptions = {}) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.max = o.maxFailures ?? 5;
    this.lockMs = (o.lockMinutes ?? 15) * 60_000;
    this.now = o.now ?? Date.now;
  }

  has(holder: string): boolean { return existsSync(this.file(holder, 'p12')); }

  holders(): string[] { return readdirSync(this.dir).filter((f) => f.endsWith('.p12')).map((f) => f.slice(0, -4)); }

  /** The holder's certificate (public), leaf first with its chain. */
  chain(holder: string): string[] {
    return readFileSync(this.file(holder, 'pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----)\s*/).filter((p) => p.includes('BEGIN'));
  }

  /** Stores a key under `pin`, replacing any earlier one, and resets the attempt counter. */
  save(holder: string, contents: Pkcs12Contents, pin: string): void {
    checkPin(pin);
    writeAtomic(this.file(holder, 'p12'), toPkcs12(contents, pin, undefined, holder));
    writeAtomic(this.file(holder, 'pem'), Buffer.from(contents.chain.join('\n')));
    this.writeAttempts(holder, { failures: 0, lockedUntil: 0 });
  }

  /** Opens the key with the PIN: `wrong_pin` (401) or `key_locked` (429) otherwise. */
  unlock(holder: string, pin: string): Promise<Pkcs12Contents> {
    return this.serial(holder, async () => this.open(holder, pin));
  }

  /** Re-encrypts the key under `newPin`; the old PIN is checked (and counted) like any unlock, in the same turn. */
  async changePin(holder: string, oldPin: string, newPin: string): Promise<void> {
    checkPin(newPin);
    return this.serial(holder, async () => this.save(holder, this.open(holder, oldPin), newPin));
  }

  private open(holder: string, pin: string): Pkcs12Contents {
    if (!this.has(holder)) throw wardError('certificate_missing');
    const attempts = this.readAttempts(holder);
    if (attempts.lockedUntil > this.now()) throw wardError('key_locked');
    try {
      const p12 = readFileSync(this.file(holder, 'p12'));
      const key = unlockKeyNative(p12, pin);
      const contents = key ? { privateKey: key, chain: this.chain(holder) } : fromPkcs12(p12, pin);
      if (attempts.failures > 0 || attempts.lockedUntil > 0) this.writeAttempts(holder, { failures: 0, lockedUntil: 0 });
      return contents;
    } catch (err) {
      if (!(err instanceof WrongPin)) throw err;
      // A wrong PIN leaves nothing behind but this counter.
      const failures = attempts.failures + 1;
      const locked = failures >= this.max;
      this.writeAttempts(holder, { failures: locked ? 0 : failures, lockedUntil: locked ? this.now() + this.lockMs : 0 });
      throw wardError(locked ? 'key_locked' : 'wrong_pin');
    }
  }

  private serial<T>(holder: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(holder) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.queues.set(holder, next.catch(() => undefined));
    return next;
  }

  private file(holder: string, ext: 'p12' | 'pem' | 'attempts.json'): string {
    if (!HOLDER.test(holder)) throw wardError('invalid_input');
    return join(this.dir, `${holder}.${ext}`);
  }

  private readAttempts(holder: string): Attempts {
    try { return JSON.parse(readFileSync(this.file(holder, 'attempts.json'), 'utf8')) as Attempts; } catch { return { failures: 0, lockedUntil: 0 }; }
  }

  private writeAttempts(holder: string, a: Attempts): void {
    writeAtomic(this.file(holder, 'attempts.json'), Buffer.from(JSON.stringify(a)));
  }
}
