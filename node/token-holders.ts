// Holders whose key sits on a PKCS#11 token plugged into the ward node
// (typically the agency seal the clerk keeps), instead of a PIN-encrypted
// PKCS#12 in the keystore. data/keys/<holder>.token.json says where the key
// is (library, token, key id); <holder>.pem is its certificate chain, read
// from the token or given at configuration, checked then (fits the role,
// chains to a trusted root, belongs to the token's key). The PIN is asked at
// each use and goes only to the token. Wrong PINs are counted here as for a
// PKCS#12 and the node stops trying before a real token's own counter
// (often 3 to 10 tries) would lock the card for good.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../certs/atomic-file.js';
import type { ExternalSigner } from '../certs/pdf-signature.js';
import { readTokenPublic, withTokenKey, type TokenRef } from '../certs/pkcs11-token.js';
import { checkTokenCertificate, type HolderRole } from '../certs/token-cert-check.js';
import { wardError } from '../sync/errors.js';

/** Libraries the node may load besides those the config lists (tokens.modules, WARDDESK_PKCS11_MODULES): loading one runs its code. */
export const KNOWN_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
  '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so',
];

export interface TokenConfig extends TokenRef { role: HolderRole }
interface Attempts { failures: number; lockedUntil: number }

export class TokenHolders {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly allowed: Set<string>;

  constructor(readonly dir: string, modules: readonly string[] = [], private readonly o = { maxFailures: 3, lockMinutes: 15, now: Date.now }) {
    this.allowed = new Set([...KNOWN_MODULES, ...modules]);
  }

  has(holder: string): boolean { return existsSync(this.file(holder, 'token.json')); }

  holders(): string[] { return existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.endsWith('.token.json')).map((f) => f.slice(0, -'.token.json'.length)) : []; }

  config(holder: string): TokenConfig { return JSON.parse(readFileSync(this.file(holder, 'token.json'), 'utf8')) as TokenConfig; }

  chain(holder: string): string[] {
    return readFileSync(this.file(holder, 'token.pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----)\s*/).filter((p) => p.includes('BEGIN'));
  }

  /**
   * Checks and records where `holder`'s key is. `certificatePem`: the leaf and its issuers when the
   * token stores none; `intermediates`: CA certificates the node already knows. Nothing is written unless every check passes.
   */
  async configure(holder: string, ref: TokenConfig, agencyName: string, trustedRoots: string[], certificatePem?: string, intermediates: string[] = []): Promise<string[]> {
    if (!this.allowed.has(ref.module)) throw wardError('token_module_missing');
    if (!/^([0-9a-f]{2}){1,64}$/i.test(ref.keyId)) throw wardError('invalid_input', [{ path: 'keyId', vi: 'Mã khóa (key id) phải là chuỗi thập lục phân.', en: 'The key id must be hexadecimal.' }]);
    const onToken = await readTokenPublic(ref, 'token_slot_missing');
    const given = certificatePem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const certificates = [...onToken.certificatesDer.map((d) => new X509Certificate(d).toString()), ...given];
    if (certificates.length === 0) throw wardError(onToken.publicKey ? 'token_certificate_missing' : 'token_key_missing');
    const leaf = new X509Certificate(certificates[0]!);
    // The token's public key under this id must be the certificate's: else every signature would fail to verify.
    if (!onToken.publicKey) throw wardError('token_key_missing');
    if (!leaf.publicKey.equals(onToken.publicKey)) throw wardError('token_certificate_mismatch');
    // A token often stores the leaf alone: the ward CA's own chain fills the gap to the city root.
    const check = checkTokenCertificate([...certificates, ...intermediates], ref.role, agencyName, trustedRoots);
    if (!check.ok) throw wardError(check.code);
    const stored: TokenConfig = { module: ref.module, keyId: ref.keyId.toLowerCase(), role: ref.role, ...(ref.tokenLabel !== undefined ? { tokenLabel: ref.tokenLabel } : { slot: ref.slot ?? 0 }) };
    writeAtomic(this.file(holder, 'token.pem'), Buffer.from(check.chain.join('\n')));
    writeAtomic(this.file(holder, 'token.json'), Buffer.from(JSON.stringify(stored, null, 2)));
    this.writeAttempts(holder, { failures: 0, lockedUntil: 0 });
    return check.chain;
  }

  /** Logs in with `pin`, hands `fn` a signer for the token's key, closes the session after. */
  use<T>(holder: string, pin: string, fn: (signer: ExternalSigner) => Promise<T>): Promise<T> {
    return this.serial(holder, async () => {
      const attempts = this.readAttempts(holder);
      if (attempts.lockedUntil > this.o.now()) throw wardError('key_locked');
      const chain = this.chain(holder);
      try {
        const result = await withTokenKey(this.config(holder), pin, (key) => fn({ external: { algorithm: key.algorithm, sign: key.sign }, chain }));
        if (attempts.failures > 0) this.writeAttempts(holder, { failures: 0, lockedUntil: 0 });
        return result;
      } catch (err) {
        if ((err as { code?: string }).code !== 'wrong_pin') throw err;
        const failures = attempts.failures + 1;
        const locked = failures >= this.o.maxFailures;
        this.writeAttempts(holder, { failures: locked ? 0 : failures, lockedUntil: locked ? this.o.now() + this.o.lockMinutes * 60_000 : 0 });
        throw wardError(locked ? 'key_locked' : 'wrong_pin');
      }
    });
  }

  private serial<T>(holder: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(holder) ?? Promise.resolve()).then(fn, fn);
    this.queues.set(holder, next.catch(() => undefined));
    return next;
  }

  private file(holder: string, ext: 'token.json' | 'token.pem' | 'token-attempts.json'): string {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(holder)) throw wardError('invalid_input');
    return join(this.dir, `${holder}.${ext}`);
  }

  private readAttempts(holder: string): Attempts {
    try { return JSON.parse(readFileSync(this.file(holder, 'token-attempts.json'), 'utf8')) as Attempts; } catch { return { failures: 0, lockedUntil: 0 }; }
  }

  private writeAttempts(holder: string, a: Attempts): void {
    writeAtomic(this.file(holder, 'token-attempts.json'), Buffer.from(JSON.stringify(a)));
  }
}
