// Officials and their roles. The public profile (name, title, role) is a
// replicated `user:` document; the password hash and login counters live in
// the secrets store and never leave the node.
import { z } from 'zod';
import { wardError } from '../sync/errors.js';
import type { Actor } from '../sync/schema.js';
import type { Role } from '../sync/workflow.js';
import { checkPassword, hashPassword, oneTimePassword, type PasswordHash } from './passwords.js';
import type { Ledger } from './ledger.js';
import { isNotFound } from './store.js';
import { vnIso } from '../sync/vn-time.js';
import { KeyedMutex } from './keyed-mutex.js';

export const Username = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/);
export const Password = z.string().min(10).max(200);

export const NewUser = z.strictObject({
  username: Username,
  fullName: z.string().trim().min(1).max(200),
  title: z.string().trim().max(200).default(''),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin']),
  password: Password,
});
export const UserPatch = z.strictObject({
  fullName: z.string().trim().min(1).max(200).optional(),
  title: z.string().trim().max(200).optional(),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin']).optional(),
  active: z.boolean().optional(),
});

export interface UserProfile {
  _id: string; _rev?: string; type: 'user'; username: string; fullName: string; title: string; role: Role; active: boolean; updatedAt: string;
}
interface Credentials {
  _id: string; _rev?: string; password: PasswordHash; mustChange: boolean; failures: number; lockedUntil: number;
}

export type LoginVerdict =
  | { ok: true; user: UserProfile; mustChange: boolean }
  | { ok: false; code: 'bad_credentials' | 'account_locked' | 'account_disabled'; retryAfterSeconds?: number };

export interface UsersDeps { docs: PouchDB.Database; secrets: PouchDB.Database; ledger: Ledger; lockout: { maxFailures: number; minutes: number }; now?: () => number }

export class Users {
  private readonly now: () => number;
  private readonly perUser = new KeyedMutex();
  constructor(private readonly deps: UsersDeps) { this.now = deps.now ?? Date.now; }

  async get(username: string): Promise<UserProfile | null> {
    try { return await this.deps.docs.get<UserProfile>(`user:${username}`) as UserProfile; } catch (err) { if (isNotFound(err)) return null; throw err; }
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
    const password = await hashPassword(input.password);
    return this.deps.ledger.run(async (now) => {
      if (await this.get(input.username)) throw wardError('user_exists');
      const profile: UserProfile = { _id: `user:${input.username}`, type: 'user', username: input.username, fullName: input.fullName, title: input.title, role: input.role, active: true, updatedAt: vnIso(now) };
      // The credentials go first: a user doc without credentials could never log in, the reverse is
      // invisible (and overwritten here if an earlier attempt died between the two writes).
      const orphan = await this.credentials(input.username);
      await this.deps.secrets.put<Omit<Credentials, '_id'>>({ _id: `cred:${input.username}`, ...(orphan?._rev ? { _rev: orphan._rev } : {}), password, mustChange, failures: 0, lockedUntil: 0 });
      return { command: { actor, action: 'user.create', target: profile._id, docs: [profile as unknown as { _id: string }] }, result: profile };
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
      const next: UserProfile = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), updatedAt: vnIso(now) };
      return { command: { actor, action: 'user.update', target: current._id, docs: [next as unknown as { _id: string }] }, result: next };
    });
  }

  login(username: string, password: string): Promise<LoginVerdict> {
    return this.perUser.run(username, () => this.checkLogin(username, password));
  }

  private async checkLogin(username: string, password: string): Promise<LoginVerdict> {
    const user = await this.get(username);
    const creds = user ? await this.credentials(username) : null;
    if (!user || !creds) {
      await hashPassword(password); // same cost as a real check, so timing does not reveal who exists
      return { ok: false, code: 'bad_credentials' };
    }
    const now = this.now();
    if (creds.lockedUntil > now) return { ok: false, code: 'account_locked', retryAfterSeconds: Math.ceil((creds.lockedUntil - now) / 1000) };
    if (!(await checkPassword(password, creds.password))) {
      const failures = creds.failures + 1;
      const locked = failures >= this.deps.lockout.maxFailures;
      await this.deps.secrets.put({ ...creds, failures: locked ? 0 : failures, lockedUntil: locked ? now + this.deps.lockout.minutes * 60_000 : 0 });
      return locked ? { ok: false, code: 'account_locked', retryAfterSeconds: this.deps.lockout.minutes * 60 } : { ok: false, code: 'bad_credentials' };
    }
    if (!user.active) return { ok: false, code: 'account_disabled' };
    if (creds.failures > 0 || creds.lockedUntil > 0) await this.deps.secrets.put({ ...creds, failures: 0, lockedUntil: 0 });
    return { ok: true, user, mustChange: creds.mustChange };
  }

  async changePassword(username: string, oldPassword: string, newPassword: string): Promise<void> {
    const verdict = await this.login(username, oldPassword);
    if (!verdict.ok) throw wardError(verdict.code);
    const password = await hashPassword(newPassword);
    await this.perUser.run(username, async () => {
      const creds = await this.credentials(username);
      await this.deps.secrets.put({ ...creds!, password, mustChange: false });
    });
  }

  /** Admin reset: a new one-time password the user must change at next login. */
  async resetPassword(username: string): Promise<string> {
    const password = oneTimePassword();
    const hash = await hashPassword(password);
    await this.perUser.run(username, async () => {
      const creds = await this.credentials(username);
      if (!creds) throw wardError('user_not_found');
      await this.deps.secrets.put({ ...creds, password: hash, mustChange: true, failures: 0, lockedUntil: 0 });
    });
    return password;
  }

  private async credentials(username: string): Promise<Credentials | null> {
    try { return await this.deps.secrets.get<Credentials>(`cred:${username}`) as Credentials; } catch (err) { if (isNotFound(err)) return null; throw err; }
  }
}
