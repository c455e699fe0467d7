// Officials and their roles. The public profile (name, title, role) is a
// replicated `user:` document; the password hash and login counters live in
// the secrets store and never leave the node.
import { z } from 'zod';
import { wardError } from '../sync/errors.js';
import { plainTextCheck } from '../sync/plain-text.js';
import type { Actor } from '../sync/schema.js';
import type { Role } from '../sync/workflow.js';
import { checkPassword, hashPassword, oneTimePassword, passwordRule, PasswordChecks, type PasswordHash } from './passwords.js';
import { LoginThrottle } from './login-throttle.js';
import type { Ledger } from './ledger.js';
import { isNotFound } from './store.js';
import { vnIso } from '../sync/vn-time.js';
import { KeyedMutex } from './keyed-mutex.js';

export const Username = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/);
/** The shape only; what makes a password good enough is passwordRule (passwords.ts). */
export const Password = z.string().min(10).max(200);

/** A name or title people read in lists, logs, CSV exports and signatures: plain text only (sync/plain-text.ts). */
const DisplayText = (min: number) => z.string().trim().min(min).max(200).superRefine(plainTextCheck());

export const NewUser = z.strictObject({
  username: Username,
  fullName: DisplayText(1),
  title: DisplayText(0).default(''),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin']),
  password: Password,
});
export const UserPatch = z.strictObject({
  fullName: DisplayText(1).optional(),
  title: DisplayText(0).optional(),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin']).optional(),
  active: z.boolean().optional(),
});

export interface UserProfile {
  _id: string; _rev?: string; type: 'user'; username: string; fullName: string; title: string; role: Role; active: boolean; updatedAt: string;
}
/** `failures` and `lockedUntil` are no longer used (the throttle counts in memory, login-throttle.ts); old records keep them. */
interface Credentials {
  _id: string; _rev?: string; password: PasswordHash; mustChange: boolean; failures?: number; lockedUntil?: number;
}

export type LoginVerdict =
  | { ok: true; user: UserProfile; mustChange: boolean }
  /** `checked`: false when the throttle refused before any password check. */
  | { ok: false; code: 'bad_credentials' | 'account_locked' | 'account_disabled'; retryAfterSeconds?: number; checked: boolean };

export interface UsersDeps { docs: PouchDB.Database; secrets: PouchDB.Database; ledger: Ledger; lockout: { maxFailures: number; minutes: number }; now?: () => number }

export class Users {
  readonly throttle: LoginThrottle;
  private readonly perUser = new KeyedMutex();
  /** One password hash at a time: a login flood must leave the thread pool to the store (LevelDB runs there too). */
  private readonly checks = new PasswordChecks(1, 64);
  private readonly profiles = new Map<string, UserProfile>();
  private written = 0;
  constructor(private readonly deps: UsersDeps) {
    const { maxFailures, minutes } = deps.lockout;
    this.throttle = new LoginThrottle({ perUsername: maxFailures, perAddress: maxFailures * 4, windowMs: minutes * 60_000 }, deps.now ?? Date.now);
  }

  /**
   * Every request's caller is looked up here: profiles are kept in memory once read (a ward has
   * tens of officials), and replaced by this class's own writes as they are applied, the only
   * ones a running node makes. A read that a write overtook is not kept.
   */
  async get(username: string): Promise<UserProfile | null> {
    const known = this.profiles.get(username);
    if (known) return known;
    const generation = this.written;
    let profile: UserProfile | null;
    try { profile = await this.deps.docs.get<UserProfile>(`user:${username}`) as UserProfile; } catch (err) { if (isNotFound(err)) return null; throw err; }
    if (generation === this.written) this.profiles.set(username, profile);
    return profile;
  }

  private wrote(profile: UserProfile): void {
    this.written += 1;
    this.profiles.set(profile.username, profile);
  }

  async list(): Promise<UserProfile[]> {
    const res = await this.deps.docs.allDocs({ startkey: 'user:', endkey: 'user:\uffff', include_docs: true });
    return res.rows.map((r) => r.doc as unknown as UserProfile);
  }

  async count(): Promise<number> {
    return (await this.deps.docs.allDocs({ startkey: 'user:', endkey: 'user:\uffff' })).rows.length;
  }

  /** Creates a user; `mustChange` for passwords someone else chose. */
  async create(actor: Actor, input: z.infer<typeof NewUser>, mustChange = true): Promise<UserProfile> {
    passwordRule(input.password);
    const password = await hashPassword(input.password);
    return this.deps.ledger.run(async (now) => {
      if (await this.get(input.username)) throw wardError('user_exists');
      const profile: UserProfile = { _id: `user:${input.username}`, type: 'user', username: input.username, fullName: input.fullName, title: input.title, role: input.role, active: true, updatedAt: vnIso(now) };
      // The credentials go first: a user doc without credentials could never log in, the reverse is
      // invisible (and overwritten here if an earlier attempt died between the two writes).
      const orphan = await this.credentials(input.username);
      await this.deps.secrets.put<Omit<Credentials, '_id'>>({ _id: `cred:${input.username}`, ...(orphan?._rev ? { _rev: orphan._rev } : {}), password, mustChange, failures: 0, lockedUntil: 0 });
      return { command: { actor, action: 'user.create', target: profile._id, docs: [profile as unknown as { _id: string }] }, result: profile, applied: () => this.wrote(profile) };
    });
  }

  /**
   * Makes sure an administrator can log in: on a first boot, or after a ward
   * was restored from the city (profiles came back, password hashes never
   * left the node), gives `admin` a one-time password to print once.
   */
  async ensureAdmin(): Promise<{ username: string; password: string } | null> {
    const admins = (await this.list()).filter((u) => u.role === 'admin' && u.active);
    for (const a of admins) if (await this.credentials(a.username)) return null;
    const existing = await this.get('admin');
    if (!existing) return this.createFirstAdmin();
    const password = oneTimePassword();
    const hash = await hashPassword(password);
    const creds = await this.credentials('admin');
    await this.deps.secrets.put({ _id: 'cred:admin', ...(creds?._rev ? { _rev: creds._rev } : {}), password: hash, mustChange: true, failures: 0, lockedUntil: 0 });
    if (existing.role !== 'admin' || !existing.active) await this.update({ user: 'system', role: 'admin', device: 'boot' }, 'admin', { role: 'admin', active: true });
    return { username: 'admin', password };
  }

  /** The first admin, with a one-time password shown once to whoever installs the node. */
  async createFirstAdmin(): Promise<{ username: string; password: string }> {
    const password = oneTimePassword();
    await this.create({ user: 'system', role: 'admin', device: 'boot' }, { username: 'admin', fullName: 'Quản trị viên', title: '', role: 'admin', password }, true);
    return { username: 'admin', password };
  }

  async update(actor: Actor, username: string, patch: z.infer<typeof UserPatch>): Promise<UserProfile> {
    return this.deps.ledger.run(async (now) => {
      const current = await this.get(username);
      if (!current) throw wardError('user_not_found');
      const stopsBeingAdmin = current.role === 'admin' && current.active && (patch.active === false || (patch.role !== undefined && patch.role !== 'admin'));
      if (stopsBeingAdmin && !(await this.list()).some((u) => u.username !== username && u.role === 'admin' && u.active)) throw wardError('last_admin');
      const next: UserProfile = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), updatedAt: vnIso(now) };
      return { command: { actor, action: 'user.update', target: current._id, docs: [next as unknown as { _id: string }] }, result: next, applied: () => this.wrote(next) };
    });
  }

  /**
   * Checks a password under the throttle (login-throttle.ts). Writes nothing:
   * a login needs no free disk. Unknown names cost what known ones cost (the
   * same reads, one scrypt against a stand-in hash) and lock the same way.
   */
  async login(username: string, password: string, address: string): Promise<LoginVerdict> {
    const slot = this.throttle.begin(address, username);
    if (!slot.ok) return { ok: false, code: 'account_locked', retryAfterSeconds: slot.retryAfterSeconds, checked: false };
    let verdict: LoginVerdict;
    try {
      verdict = await this.checkLogin(username, password);
    } catch (err) {
      slot.release(true); // not the caller's failure: give the slot back
      throw err;
    }
    const wait = slot.release(verdict.ok || verdict.code === 'account_disabled');
    if (!verdict.ok && verdict.code === 'bad_credentials' && wait > 0) return { ok: false, code: 'account_locked', retryAfterSeconds: wait, checked: true };
    return verdict;
  }

  private async checkLogin(username: string, password: string): Promise<LoginVerdict> {
    const [user, creds] = await Promise.all([this.get(username), this.credentials(username)]);
    const matches = await this.checks.run(() => checkPassword(password, creds?.password ?? STAND_IN));
    if (!user || !creds || !matches) return { ok: false, code: 'bad_credentials', checked: true };
    if (!user.active) return { ok: false, code: 'account_disabled', checked: true };
    return { ok: true, user, mustChange: creds.mustChange };
  }

  async changePassword(username: string, oldPassword: string, newPassword: string, address: string): Promise<void> {
    const verdict = await this.login(username, oldPassword, address);
    if (!verdict.ok) throw wardError(verdict.code);
    passwordRule(newPassword, oldPassword);
    const password = await hashPassword(newPassword);
    await this.perUser.run(username, async () => {
      const creds = await this.credentials(username);
      await this.deps.secrets.put({ ...creds!, password, mustChange: false });
    });
  }

  /** Admin reset: a new one-time password the user must change at next login; audited, and the user's login lock is lifted. */
  async resetPassword(actor: Actor, username: string): Promise<string> {
    const password = oneTimePassword();
    const hash = await hashPassword(password);
    await this.perUser.run(username, async () => {
      const creds = await this.credentials(username);
      if (!creds || !(await this.get(username))) throw wardError('user_not_found');
      await this.deps.secrets.put({ ...creds, password: hash, mustChange: true, failures: 0, lockedUntil: 0 });
      // After the secret changed: a reset that did not happen is never in the chain. If this write fails the
      // admin sees the error and resets again; the password just set is never shown.
      await this.deps.ledger.run(() => ({ command: { actor, action: 'user.password-reset', target: `user:${username}`, docs: [] }, result: undefined }));
    });
    this.throttle.unlock(username);
    return password;
  }

  /** The stored hash, read fresh. */
  private async credentials(username: string): Promise<Credentials | null> {
    try { return await this.deps.secrets.get<Credentials>(`cred:${username}`) as Credentials; } catch (err) { if (isNotFound(err)) return null; throw err; }
  }
}

/** Checked when a user name is unknown, so that an unknown name costs what a known one does. */
const STAND_IN: PasswordHash = { algo: 'scrypt', N: 1 << 15, r: 8, p: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' };
