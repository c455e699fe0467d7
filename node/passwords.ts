// scrypt from Node's crypto: memory-hard, no native add-on to build.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { wardError } from '../sync/errors.js';

export interface PasswordHash { algo: 'scrypt'; N: number; r: number; p: number; salt: string; hash: string }

const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;

function scrypt(password: string, salt: Uint8Array, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, 32, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, PARAMS);
  return { algo: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function checkPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scrypt(password, Buffer.from(stored.salt, 'base64'), { N: stored.N, r: stored.r, p: stored.p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password handed out once (first admin, resets): 16 chars from an unambiguous alphabet. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * What a new password must be: at least 10 characters once spaces at either
 * end are left out, at least 4 different characters, and not the old one.
 * Throws the catalogue error a person can act on.
 */
export function passwordRule(password: string, old?: string): void {
  const core = password.trim();
  if (core.length < 10 || new Set(core).size < 4) throw wardError('password_too_simple');
  if (old !== undefined && password.normalize('NFC') === old.normalize('NFC')) throw wardError('password_reused');
}

/**
 * Runs password hashes `limit` at a time, with at most `queue` waiting; past
 * that, the answer is "busy, try again" for anyone. After each hash the slot
 * rests `rest` times as long as the hash took, so hashing takes at most
 * 1/(1+rest) of a core, however fast logins pour in and whatever the
 * machine's speed. scrypt runs in libuv's thread pool, where LevelDB does its
 * reads and writes: unbounded, a login flood takes every thread and core and
 * stalls the officials' work (issue 15: 27 ms → 14 s).
 */
export class PasswordChecks {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number, private readonly queue: number, private readonly rest = 2) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queue) throw wardError('login_busy');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running += 1;
    const started = performance.now();
    try { return await fn(); } finally {
      // The answer goes out now; the next hash starts after the rest.
      setTimeout(() => this.release(), (performance.now() - started) * this.rest).unref();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.running -= 1;
  }
}
