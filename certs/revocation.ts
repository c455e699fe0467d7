// A CA's revocations and the lists it publishes. One register per CA, kept
// beside its CRL file: `<dir>/<name>.crl` (DER, what verifiers and the node's
// publisher read) and `<dir>/<name>.revoked.json` (the entries). Each new list
// takes the next CRL number (read from the current list, so numbers only grow
// and a replicated `crl:<issuer>:<n>` is never rewritten). Both files are
// written to a temp file and renamed: a crash leaves the old list or the new
// one, never half of one. The register holds no key: the caller unlocks the
// CA and passes it in.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wardError } from '../sync/errors.js';
import { writeAtomic } from './atomic-file.js';
import type { Pkcs12Contents } from './ca.js';
import { createCrl, readCrl, REVOCATION_REASONS, type RevocationReason, type Revoked } from './crl.js';

/** How long a list stays current. A ward must publish a fresh one (`warddesk ca crl`) before then. */
export const CRL_DAYS = 30;
const SERIAL = /^[0-9a-f]{1,40}$/;

export interface RevokedEntry { serial: string; date: string; reason: RevocationReason }

export class RevocationRegister {
  readonly crlFile: string;
  private readonly listFile: string;

  constructor(readonly dir: string, readonly name: string) {
    this.crlFile = join(dir, `${name}.crl`);
    this.listFile = join(dir, `${name}.revoked.json`);
  }

  entries(): RevokedEntry[] {
    // `revoked.json` is where the first `warddesk ca revoke` kept the ward CA's entries.
    const file = existsSync(this.listFile) ? this.listFile : this.name === 'ward-ca' && existsSync(join(this.dir, 'revoked.json')) ? join(this.dir, 'revoked.json') : null;
    return file ? (JSON.parse(readFileSync(file, 'utf8')) as RevokedEntry[]) : [];
  }

  /**
   * A new CA key takes over this register (a ward re-installs a new bundle):
   * the old CA's entries are kept aside as `<name>.revoked.<time>.json`, not
   * listed by the new CA; the CRL number keeps growing so no list id repeats.
   */
  startOver(now = new Date()): void {
    const entries = this.entries();
    if (entries.length === 0) return;
    writeAtomic(join(this.dir, `${this.name}.revoked.${now.toISOString().replace(/[:.]/g, '-')}.json`), Buffer.from(JSON.stringify(entries, null, 2)));
    writeAtomic(this.listFile, Buffer.from('[]'));
  }

  /** The current list (DER), or null before the first one. */
  current(): Buffer | null { return existsSync(this.crlFile) ? readFileSync(this.crlFile) : null; }

  /**
   * Adds `serial` (hex, as `openssl x509 -serial` or `warddesk ca list` print
   * it) and publishes a new list signed by `ca`. Revoking a serial twice keeps
   * the first date and reason. Throws `invalid_serial` for anything not hex.
   */
  revoke(ca: Pkcs12Contents, serial: string, reason: RevocationReason = 'unspecified', now = new Date()): Buffer {
    const s = normalizeSerial(serial);
    if (!(reason in REVOCATION_REASONS)) throw wardError('invalid_input', [{ path: 'reason', vi: `Lý do: ${Object.keys(REVOCATION_REASONS).join(', ')}`, en: `reason: ${Object.keys(REVOCATION_REASONS).join(', ')}` }]);
    const entries = this.entries();
    if (!entries.some((e) => e.serial === s)) entries.push({ serial: s, date: now.toISOString(), reason });
    const crl = this.sign(ca, entries, now);
    writeAtomic(this.listFile, Buffer.from(JSON.stringify(entries, null, 2)));
    writeAtomic(this.crlFile, crl);
    return crl;
  }

  /** A fresh list with the same entries and the next number, current for `days`. */
  publish(ca: Pkcs12Contents, now = new Date(), days = CRL_DAYS): Buffer {
    const crl = this.sign(ca, this.entries(), now, days);
    writeAtomic(this.crlFile, crl);
    return crl;
  }

  private sign(ca: Pkcs12Contents, entries: RevokedEntry[], now: Date, days = CRL_DAYS): Buffer {
    const previous = this.current();
    const crlNumber = (previous ? readCrl(previous).crlNumber : 0) + 1;
    const revoked: Revoked[] = entries.map((e) => ({ serial: e.serial, date: new Date(e.date), reason: e.reason }));
    return createCrl({ issuerCertPem: ca.chain[0]!, issuerKey: ca.privateKey, revoked, crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + days * 86_400_000) });
  }
}

/** Lower-case hex without leading zero bytes; `invalid_serial` otherwise. Accepts `0A:1B` and `serial=0A1B`. */
export function normalizeSerial(serial: string): string {
  const hex = serial.trim().replace(/^serial=/i, '').replace(/:/g, '').toLowerCase();
  if (!SERIAL.test(hex)) throw wardError('invalid_serial');
  return hex.replace(/^(00)+(?=.)/, '');
}

/**
 * Every revocation list a verifier should know: the `*.crl` files of `dir`
 * (the node's own CA's, the root's from the bundle) and the `der` (base64) of
 * replicated `crl:*` documents. Anything that does not parse as a CRL is
 * skipped; the verifier itself picks the newest genuine list per issuer.
 */
export function loadCrls(o: { dir?: string; docs?: readonly { der?: unknown }[] }): Buffer[] {
  const files = o.dir && existsSync(o.dir) ? readdirSync(o.dir).filter((f) => f.endsWith('.crl')).map((f) => readFileSync(join(o.dir!, f))) : [];
  const docs = (o.docs ?? []).flatMap((d) => (typeof d.der === 'string' ? [Buffer.from(d.der, 'base64')] : []));
  return [...files, ...docs].filter((b) => {
    try { readCrl(b); return true; } catch { return false; }
  });
}
