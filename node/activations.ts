// One-time activations: how a signing key reaches its holder without the
// admin ever knowing its PIN. At enrolment (the admin, with the ward CA's PIN)
// the key and certificate are made and the key is kept encrypted under a
// random activation code (data/keys/pending/, never replicated). The official,
// logged in as themselves, gives the code and chooses a PIN: the key is
// re-encrypted under that PIN into the keystore and the pending copy deleted.
// A code works once, for its holder, until it expires; only its SHA-256 is
// stored. The admin who saw the code still cannot use it for a leader's key:
// it is bound to the leader's own login.
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../certs/atomic-file.js';
import { fromPkcs12, toPkcs12, type Pkcs12Contents } from '../certs/ca.js';
import { checkPin, type Keystore } from '../certs/keystore.js';
import { wardError } from '../sync/errors.js';

export interface Activation {
  id: string; holder: string; kind: 'leader' | 'agency';
  /** The official who may redeem it; null for the seal (any clerk or admin). */
  user: string | null;
  codeHash: string; serial: string; createdAt: string; createdBy: string; expiresAt: string;
  usedAt?: string; usedBy?: string; supersededAt?: string;
}

export const ACTIVATION_HOURS = 72;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read aloud or typed on a phone

/** 20 characters from a 32-letter alphabet (100 bits), shown as XXXX-XXXX-XXXX-XXXX-XXXX. */
function newCode(): string {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => ALPHABET[b % 32]!).join('');
  return chars.match(/.{4}/g)!.join('-');
}
const normalise = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
const hashOf = (code: string) => createHash('sha256').update(normalise(code)).digest('hex');

export class Activations {
  private readonly file: string;
  private readonly pendingDir: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly keys: Keystore, private readonly now: () => number = Date.now) {
    this.file = join(keys.dir, 'activations.json');
    this.pendingDir = join(keys.dir, 'pending');
    mkdirSync(this.pendingDir, { recursive: true, mode: 0o700 });
  }

  list(): Activation[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Activation[]) : [];
  }

  /** Open activations (not used, not expired, not superseded), for the admin's screen. */
  open(): Activation[] {
    return this.list().filter((a) => !a.usedAt && !a.supersededAt && Date.parse(a.expiresAt) > this.now());
  }

  /**
   * Stores `issued` (key + chain) under a new code for `holder`; an earlier
   * open activation of the same holder is superseded (its code stops working).
   */
  create(input: { holder: string; kind: 'leader' | 'agency'; user: string | null; issued: Pkcs12Contents; createdBy: string; hours?: number }): Promise<{ activation: Activation; code: string }> {
    return this.serial(() => {
      const code = newCode();
      const at = this.now();
      const activation: Activation = {
        id: randomUUID(), holder: input.holder, kind: input.kind, user: input.user, codeHash: hashOf(code),
        serial: serialOf(input.issued), createdAt: new Date(at).toISOString(), createdBy: input.createdBy,
        expiresAt: new Date(at + (input.hours ?? ACTIVATION_HOURS) * 3_600_000).toISOString(),
      };
      // Fewer PBKDF2 rounds than a PIN would need: the code has 100 random bits and the file never leaves the node.
      writeAtomic(this.pending(activation.id), toPkcs12(input.issued, normalise(code), 2_000, input.holder));
      const all = this.list().map((a) => (a.holder === input.holder && !a.usedAt && !a.supersededAt ? { ...a, supersededAt: activation.createdAt } : a));
      // Superseded and expired codes lose their key here too, not only when someone tries them.
      for (const a of all) if ((a.supersededAt || Date.parse(a.expiresAt) <= at) && existsSync(this.pending(a.id))) rmSync(this.pending(a.id));
      this.write([...all, activation]);
      return { activation, code };
    });
  }

  /**
   * The holder's first use: checks the code and the caller, then saves the key
   * under `pin`. A refused PIN consumes nothing; an expired code's key is deleted.
   */
  redeem(code: string, caller: { username: string; role: string }, pin: string): Promise<Activation> {
    return this.serial(() => {
      const all = this.list();
      const found = all.find((a) => a.codeHash === hashOf(code));
      if (!found || found.supersededAt) throw wardError('activation_unknown');
      if (found.usedAt) throw wardError('activation_used');
      if (Date.parse(found.expiresAt) <= this.now()) {
        if (existsSync(this.pending(found.id))) rmSync(this.pending(found.id));
        throw wardError('activation_expired');
      }
      const allowed = found.user === null ? ['clerk', 'admin'].includes(caller.role) : found.user === caller.username.toLowerCase();
      if (!allowed) throw wardError('activation_other_holder');
      checkPin(pin);
      if (!existsSync(this.pending(found.id))) throw wardError('activation_unknown');
      const contents = fromPkcs12(readFileSync(this.pending(found.id)), normalise(code));
      this.keys.save(found.holder, contents, pin);
      const used: Activation = { ...found, usedAt: new Date(this.now()).toISOString(), usedBy: caller.username };
      this.write(all.map((a) => (a.id === found.id ? used : a)));
      rmSync(this.pending(found.id));
      return used;
    });
  }

  private pending(id: string): string { return join(this.pendingDir, `${id}.p12`); }
  private write(all: Activation[]): void { writeAtomic(this.file, Buffer.from(JSON.stringify(all, null, 1))); }

  /** One change at a time: two redemptions of one code must not both pass. */
  private serial<T>(fn: () => T): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function serialOf(issued: Pkcs12Contents): string {
  return new X509Certificate(issued.chain[0]!).serialNumber.toLowerCase();
}
