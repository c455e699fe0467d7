// The roots a ward trusts besides its city root: CAs the admin imports (the
// Government's specialised CA, a commercial CA whose certificates officials
// hold). One PEM per root in `<keys>/trusted-roots/<sha256>.pem`, named by
// its fingerprint so importing the same root twice is one file; written
// atomically. Only self-signed CA certificates in date are accepted: an
// intermediate is not a root, and a leaf trusted as a root would let anyone
// with that one key sign as anybody. The city root is never stored here: it
// is the top of the installed ward CA's chain. Who imported what is the
// caller's audit entry.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { wardError } from '../sync/errors.js';
import { writeAtomic } from './atomic-file.js';
import { readExtensions } from './cert-extensions.js';

export interface TrustedRoot { fingerprint: string; subject: string; validTo: string; pem: string }

const FINGERPRINT = /^[0-9a-f]{64}$/;
const fingerprintOf = (c: X509Certificate) => c.fingerprint256.replace(/:/g, '').toLowerCase();

export class TrustedRoots {
  readonly dir: string;
  constructor(keysDir: string) { this.dir = join(keysDir, 'trusted-roots'); }

  list(): TrustedRoot[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => /^[0-9a-f]{64}\.pem$/.test(f)).flatMap((f) => {
      try { return [describe(new X509Certificate(readFileSync(join(this.dir, f), 'utf8')))]; } catch { return []; }
    });
  }

  pems(): string[] { return this.list().map((r) => r.pem); }

  /** Checks `pem` is one in-date, self-signed CA certificate and stores it; `root_not_ca` otherwise, nothing written. */
  add(pem: string, now = new Date()): TrustedRoot {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    let cert: X509Certificate;
    try {
      if (blocks.length !== 1) throw new Error('one certificate expected');
      cert = new X509Certificate(blocks[0]!);
    } catch { throw wardError('root_not_ca'); }
    const usage = readExtensions(Buffer.from(cert.raw)).keyUsage;
    const selfSigned = cert.checkIssued(cert) && cert.verify(cert.publicKey);
    const inDate = new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
    if (!cert.ca || !selfSigned || !inDate || (usage && !usage.has('keyCertSign'))) throw wardError('root_not_ca');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const root = describe(cert);
    writeAtomic(join(this.dir, `${root.fingerprint}.pem`), Buffer.from(root.pem), 0o644);
    return root;
  }

  /** Removes a root by its SHA-256 fingerprint (hex, colons allowed); `root_not_found` when it is not there. */
  remove(fingerprint: string): TrustedRoot {
    const fp = fingerprint.replace(/:/g, '').toLowerCase();
    const file = join(this.dir, `${fp}.pem`);
    if (!FINGERPRINT.test(fp) || !existsSync(file)) throw wardError('root_not_found');
    const root = describe(new X509Certificate(readFileSync(file, 'utf8')));
    rmSync(file);
    return root;
  }
}

function describe(c: X509Certificate): TrustedRoot {
  return { fingerprint: fingerprintOf(c), subject: c.subject.replace(/\n/g, ', '), validTo: new Date(c.validTo).toISOString(), pem: c.toString() };
}
