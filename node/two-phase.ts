// Two-phase signing with a key the node never holds: the leader's own token
// on their PC, reached by the PWA through `warddesk signer`. prepare() builds
// the signed revision with a stand-in signer and keeps it in memory only; the
// PC's signer signs the returned attributes; complete() checks the signature,
// puts it in place, verifies the PDF and only then stores it and records the
// `sign` event. A signing nobody completes is forgotten after `ttlMs`: nothing
// of it was ever written. One signing per document at a time: a second one
// started meanwhile, or a second completion of the same, is a 409.
import { randomBytes } from 'node:crypto';
import { algorithmOf } from '../certs/pdf-external-sign.js';
import { wardError } from '../sync/errors.js';
import type { Actor } from '../sync/schema.js';
import type { Role } from '../sync/workflow.js';
import type { Documents } from './documents.js';
import type { DocView } from './projection.js';
import type { PreparedLeader, Signing } from './signing.js';
import type { Users } from './users.js';

/** A name as people write it: NFC, one space between words, any case. */
const sameName = (a: string, b: string) => {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  return norm(a) === norm(b);
};

interface Pending { id: string; docId: string; user: string; prepared: PreparedLeader | null; claimed: boolean; expiresAt: number; timer: NodeJS.Timeout }

export interface PreparedSigning {
  signingId: string;
  /** Base64 DER of the CMS signed attributes: what the token signs (SHA-256 with its key). */
  toSign: string;
  algorithm: 'rsa' | 'ecdsa';
  expiresAt: string;
  /** What the signer shows the official before asking the PIN. */
  document: { id: string; number: string | null; subject: string; docType: string };
}

export class TwoPhaseSigning {
  private readonly pending = new Map<string, Pending>();
  private readonly byDoc = new Map<string, Pending>();

  constructor(private readonly deps: { signing: Signing; documents: Documents; users: Users; ttlMs?: number; now?: () => number }) {}

  private get ttl(): number { return this.deps.ttlMs ?? 120_000; }
  private now(): number { return (this.deps.now ?? Date.now)(); }

  async prepare(actor: Actor, role: Role, docId: string, certificates: string[]): Promise<PreparedSigning> {
    const view: DocView = await this.deps.documents.checkStep(actor, role, docId, 'sign');
    if (this.byDoc.has(docId)) throw wardError('signing_in_progress');
    const user = await this.deps.users.get(actor.user);
    if (!user) throw wardError('user_not_found');
    if (this.byDoc.has(docId)) throw wardError('signing_in_progress');
    // Checked again and reserved with no await in between: two prepares arriving together cannot both pass.
    const id = randomBytes(18).toString('base64url');
    const entry: Pending = { id, docId, user: actor.user, prepared: null, claimed: false, expiresAt: this.now() + this.ttl, timer: setTimeout(() => this.drop(entry), this.ttl) };
    entry.timer.unref();
    this.byDoc.set(docId, entry);
    this.pending.set(id, entry);
    try {
      entry.prepared = await this.deps.signing.prepareLeader(view, actor, certificates, (cn) => sameName(cn, user.fullName));
    } catch (err) { this.drop(entry); throw err; }
    return {
      signingId: id, toSign: entry.prepared.toSign.toString('base64'), algorithm: algorithmOf(entry.prepared.chain[0]!),
      expiresAt: new Date(entry.expiresAt).toISOString(),
      document: { id: docId, number: view.numberText ?? null, subject: view.record.content.subject, docType: view.record.content.docType },
    };
  }

  async complete(actor: Actor, role: Role, signingId: string, signature: Buffer): Promise<DocView> {
    const entry = this.pending.get(signingId);
    if (!entry || !entry.prepared || entry.expiresAt <= this.now() || entry.user !== actor.user) throw wardError('signing_expired');
    if (entry.claimed) throw wardError('signing_in_progress');
    entry.claimed = true;
    try {
      const data = await this.deps.signing.finishLeader(entry.prepared, actor, signature);
      return await this.deps.documents.recordSigned(actor, role, entry.docId, 'sign', data);
    } finally {
      // Done or refused, this signing is over: a new attempt starts with a new prepare.
      this.drop(entry);
    }
  }

  /** How many signings wait (for tests and the health of a long-running node). */
  size(): number { return this.pending.size; }

  close(): void { for (const e of [...this.pending.values()]) this.drop(e); }

  private drop(entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry.id);
    if (this.byDoc.get(entry.docId) === entry) this.byDoc.delete(entry.docId);
  }
}
