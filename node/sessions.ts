// Sessions live in the secrets store (never replicated) under the hash of
// their token, so a copy of the store does not hand out working cookies. They
// survive a node restart: an official on the LAN stays logged in.
//
// A login must not need free disk: when the disk is full, a new session lives
// in memory only (at most MAX_UNSAVED of them) and is saved with the next
// login, or at shutdown, once the store takes writes again. Until then a
// restart ends it.
import { createHash, randomBytes } from 'node:crypto';
import { wardError } from '../sync/errors.js';
import { isDiskFull, isNotFound } from './store.js';

const MAX_UNSAVED = 1_000;

export interface Session { _id: string; _rev?: string; username: string; csrf: string; mustChange: boolean; createdAt: number; expiresAt: number; device: string }

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class Sessions {
  private readonly cache = new Map<string, Session>();
  private readonly unsaved = new Set<string>();
  /** Ended while the disk was full: refused from memory, removed from the store later. */
  private readonly ended = new Set<string>();

  constructor(private readonly db: PouchDB.Database, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** A fresh token every login: an attacker-planted cookie is never promoted (session fixation). */
  async create(username: string, device: string, mustChange: boolean): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { _id: `sess:${hashToken(token)}`, username, mustChange, csrf: randomBytes(24).toString('base64url'), createdAt: this.now(), expiresAt: this.now() + this.ttlMs, device: device.slice(0, 300) };
    await this.persistPending().catch(() => undefined);
    try {
      session._rev = (await this.db.put(session)).rev;
    } catch (err) {
      if (!isDiskFull(err) || this.unsaved.size >= MAX_UNSAVED) throw isDiskFull(err) ? wardError('disk_full') : err;
      this.unsaved.add(session._id);
    }
    this.cache.set(session._id, session);
    return { token, session };
  }

  /** Saves the sessions made while the disk was full; leaves them in memory if it still is. */
  async persistPending(): Promise<void> {
    for (const id of [...this.unsaved]) {
      const session = this.cache.get(id);
      if (!session) { this.unsaved.delete(id); continue; }
      try { session._rev = (await this.db.put(session)).rev; this.unsaved.delete(id); } catch (err) { if (isDiskFull(err)) return; throw err; }
    }
    for (const id of [...this.ended]) { await this.remove(id); this.ended.delete(id); }
  }

  async lookup(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const id = `sess:${hashToken(token)}`;
    if (this.ended.has(id)) return null;
    let session = this.cache.get(id) ?? null;
    if (!session) {
      try { session = await this.db.get<Session>(id); } catch (err) { if (isNotFound(err)) return null; throw err; }
      this.cache.set(id, session);
    }
    if (session.expiresAt <= this.now()) { await this.destroy(token); return null; }
    return session;
  }

  async destroy(token: string): Promise<void> {
    const id = `sess:${hashToken(token)}`;
    this.cache.delete(id);
    if (this.unsaved.delete(id)) return;
    try { await this.remove(id); } catch (err) {
      if (!isDiskFull(err) || this.ended.size >= MAX_UNSAVED) throw isDiskFull(err) ? wardError('disk_full') : err;
      this.ended.add(id);
    }
  }

  private async remove(id: string): Promise<void> {
    try { const doc = await this.db.get<Session>(id); await this.db.remove({ _id: doc._id, _rev: doc._rev! }); } catch (err) { if (!isNotFound(err)) throw err; }
  }

  /** Ends every session of a user: after a password change, a reset or a disable. */
  async destroyAllFor(username: string): Promise<void> {
    for (const id of [...this.unsaved]) if (this.cache.get(id)?.username === username) { this.unsaved.delete(id); this.cache.delete(id); }
    const all = await this.db.allDocs({ startkey: 'sess:', endkey: 'sess:\uffff', include_docs: true });
    for (const row of all.rows) {
      const s = row.doc as unknown as Session;
      if (s.username === username) { this.cache.delete(s._id); await this.db.remove({ _id: s._id, _rev: s._rev! }); }
    }
  }
}
