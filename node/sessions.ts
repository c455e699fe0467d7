// Sessions live in the secrets store (never replicated) under the hash of
// their token, so a copy of the store does not hand out working cookies. They
// survive a node restart: an official on the LAN stays logged in.
import { createHash, randomBytes } from 'node:crypto';
import { isNotFound } from './store.js';

export interface Session { _id: string; _rev?: string; username: string; csrf: string; mustChange: boolean; createdAt: number; expiresAt: number; device: string }

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class Sessions {
  private readonly cache = new Map<string, Session>();

  constructor(private readonly db: PouchDB.Database, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** A fresh token every login: an attacker-planted cookie is never promoted (session fixation). */
  async create(username: string, device: string, mustChange: boolean): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { _id: `sess:${hashToken(token)}`, username, mustChange, csrf: randomBytes(24).toString('base64url'), createdAt: this.now(), expiresAt: this.now() + this.ttlMs, device: device.slice(0, 300) };
    const res = await this.db.put(session);
    session._rev = res.rev;
    this.cache.set(session._id, session);
    return { token, session };
  }

  async lookup(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const id = `sess:${hashToken(token)}`;
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
    try { const doc = await this.db.get<Session>(id); await this.db.remove({ _id: doc._id, _rev: doc._rev! }); } catch (err) { if (!isNotFound(err)) throw err; }
  }

  /** Ends every session of a user: after a password change, a reset or a disable. */
  async destroyAllFor(username: string): Promise<void> {
    const all = await this.db.allDocs({ startkey: 'sess:', endkey: 'sess:\uffff', include_docs: true });
    for (const row of all.rows) {
      const s = row.doc as unknown as Session;
      if (s.username === username) { this.cache.delete(s._id); await this.db.remove({ _id: s._id, _rev: s._rev! }); }
    }
  }
}
