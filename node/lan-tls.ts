// HTTPS on the ward LAN by default. At first start the node makes its own TLS
// certificate for its LAN names and addresses (host name, host name.local,
// localhost, every IPv4 address of its interfaces): issued by a bootstrap CA
// made on this node while no ward CA exists, and re-issued by the ward CA as
// soon as one is installed (the setup screen has the CA's key in hand then).
// Devices trust the root offered on the plain-HTTP /setup page.
//
// The TLS key is a PKCS#12 like every other key, but under a random
// passphrase kept beside it (data/tls/passphrase, owner-only) instead of a
// person's PIN: the node must come back alone after a power cut, and this key
// guards only the LAN transport, never a signature. An operator who wants a
// PIN for it uses `warddesk ca tls` + WARDDESK_TLS_PFX/WARDDESK_TLS_PIN.
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { writeAtomic } from '../certs/atomic-file.js';
import { createRootCa, issueTls } from '../certs/ca-issue.js';
import { fromPkcs12, toPkcs12, type Pkcs12Contents } from '../certs/ca.js';
import { certificateNames, type TlsIdentity } from './tls.js';

const HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Re-issued when it has less than this left. */
const RENEW_MS = 30 * 86_400_000;

export type TlsIssuer = 'bootstrap' | 'ward-ca';
export interface LanTlsState extends TlsIdentity { issuer: TlsIssuer }

/** The names a LAN device may use for this node. `host`: the configured listen address, when it is a single one. */
export function lanNames(host: string): { hosts: string[]; ips: string[] } {
  const name = hostname().toLowerCase();
  const hosts = [...new Set(['localhost', ...(HOST.test(name) ? [name, ...(name.includes('.') ? [] : [`${name}.local`])] : [])])];
  const ips = Object.values(networkInterfaces()).flat()
    .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
  const extra = host !== '0.0.0.0' && host !== '::' ? [host] : [];
  return {
    hosts: [...new Set([...hosts, ...extra.filter((h) => isIP(h) === 0 && HOST.test(h))])],
    ips: [...new Set(['127.0.0.1', ...ips, ...extra.filter((h) => isIP(h) === 4)])],
  };
}

export class LanTls {
  private state: LanTlsState;
  private readonly listeners = new Set<(s: LanTlsState) => void>();
  private readonly passphrase: string;

  /** Loads the node's certificate from `dir` (data/tls), making or renewing it when it is missing, old or misses a name. */
  constructor(private readonly dir: string, private readonly host: string, private readonly log: Logger) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const secret = join(dir, 'passphrase');
    if (!existsSync(secret)) writeAtomic(secret, Buffer.from(randomBytes(24).toString('base64url')));
    this.passphrase = readFileSync(secret, 'utf8').trim();
    this.state = this.loadOrIssue();
  }

  get current(): LanTlsState { return this.state; }

  onChange(fn: (s: LanTlsState) => void): void { this.listeners.add(fn); }

  /** The ward CA is installed: from now on the node's certificate comes from it. */
  reissueFromWardCa(ca: Pkcs12Contents): void {
    this.save(issueTls(ca, lanNames(this.host)));
    this.state = this.read()!;
    this.log.info({ names: this.state.names }, 'tls: certificate re-issued by the ward CA');
    for (const fn of this.listeners) fn(this.state);
  }

  private loadOrIssue(): LanTlsState {
    const wanted = lanNames(this.host);
    const have = this.read();
    if (have) {
      const cert = new X509Certificate(have.pfxChainLeaf);
      const missing = [...wanted.hosts, ...wanted.ips].filter((n) => !have.names.includes(n));
      const fresh = Date.parse(cert.validTo) - Date.now() > RENEW_MS;
      if (fresh && missing.length === 0) return have;
      // The ward CA's key needs its PIN, which the node does not keep: a ward-issued
      // certificate that misses a new address stays until the admin re-issues it.
      if (have.issuer === 'ward-ca' && fresh) {
        this.log.warn({ missing }, 'tls: the certificate does not name every LAN address; re-issue it from the setup screen');
        return have;
      }
    }
    this.save(issueTls(this.bootstrapCa(), wanted));
    const made = this.read()!;
    this.log.info({ names: made.names, issuer: made.issuer }, 'tls: certificate made for the LAN');
    return made;
  }

  /** The bootstrap CA made on this node before a ward CA exists (kept to re-issue when addresses change). */
  private bootstrapCa(): Pkcs12Contents {
    const file = join(this.dir, 'bootstrap-ca.p12');
    if (existsSync(file)) return fromPkcs12(readFileSync(file), this.passphrase);
    const ca = createRootCa(`WardDesk ${hostname().slice(0, 60)} — chứng thư tạm (bootstrap)`, 10 * 365);
    writeAtomic(file, toPkcs12(ca, this.passphrase, undefined, 'bootstrap-ca'));
    writeAtomic(join(this.dir, 'bootstrap-root.pem'), Buffer.from(ca.chain[0]!), 0o644);
    return ca;
  }

  private save(tls: Pkcs12Contents): void {
    writeAtomic(join(this.dir, 'node.p12'), toPkcs12(tls, this.passphrase, undefined, 'warddesk-tls'));
  }

  private read(): (LanTlsState & { pfxChainLeaf: string }) | null {
    const file = join(this.dir, 'node.p12');
    if (!existsSync(file)) return null;
    const pfx = readFileSync(file);
    let chain: string[];
    try { chain = fromPkcs12(pfx, this.passphrase).chain; } catch { return null; }
    const rootPem = chain[chain.length - 1]!;
    const bootstrap = join(this.dir, 'bootstrap-root.pem');
    const issuer: TlsIssuer = existsSync(bootstrap) && new X509Certificate(readFileSync(bootstrap)).fingerprint256 === new X509Certificate(rootPem).fingerprint256 ? 'bootstrap' : 'ward-ca';
    return { pfx, passphrase: this.passphrase, rootPem, names: certificateNames(chain[0]!), issuer, pfxChainLeaf: chain[0]! };
  }
}
