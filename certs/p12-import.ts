// Import of an externally issued PKCS#12 (e.g. an official's key from the
// government CA). The key is accepted only when its certificate can sign
// (digitalSignature or nonRepudiation, not a CA, valid now) and a chain of
// genuine signatures leads from it to a root the ward trusts, built from the
// certificates inside the file plus any the caller supplies (a PKCS#12 often
// carries the leaf alone). The caller then re-encrypts it under the holder's
// PIN (Keystore.save). Returns a typed verdict: import refusals are expected.
import { X509Certificate } from 'node:crypto';
import { fromPkcs12, WrongPin, type Pkcs12Contents } from './ca.js';
import { readExtensions } from './cert-extensions.js';

export interface ImportInput {
  p12: Buffer;
  /** The password the issuer gave with the file. */
  password: string;
  /** Roots the ward trusts (PEM): its city root, plus any the city chose to trust. */
  trustedRoots: readonly string[];
  /** Intermediates (and root) supplied beside the file, PEM; several may share one string. */
  extraCerts?: readonly string[];
  now?: Date;
}

export type ImportVerdict =
  | { ok: true; contents: Pkcs12Contents }
  | { ok: false; reason: 'wrong_pin' | 'certificate_untrusted' | 'certificate_unsuitable' };

const splitPems = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

export function importPkcs12(input: ImportInput): ImportVerdict {
  let contents: Pkcs12Contents;
  try {
    contents = fromPkcs12(input.p12, input.password);
  } catch (err) {
    if (err instanceof WrongPin) return { ok: false, reason: 'wrong_pin' };
    throw err;
  }
  const now = input.now ?? new Date();
  const leaf = new X509Certificate(contents.chain[0]!);
  if (!leaf.checkPrivateKey(contents.privateKey) || !canSign(leaf, now)) return { ok: false, reason: 'certificate_unsuitable' };
  const roots = input.trustedRoots.flatMap(splitPems).map((p) => new X509Certificate(p));
  const pool = [...contents.chain.slice(1), ...(input.extraCerts ?? []).flatMap(splitPems)].map((p) => new X509Certificate(p));
  const chain = [leaf];
  for (let cur = leaf; chain.length <= 8;) {
    const root = roots.find((r) => cur.checkIssued(r) && cur.verify(r.publicKey));
    if (root) return { ok: true, contents: { privateKey: contents.privateKey, chain: [...chain, ...(root.fingerprint256 === cur.fingerprint256 ? [] : [root])].map((c) => c.toString()) } };
    if (roots.some((r) => r.fingerprint256 === cur.fingerprint256)) break;
    const next = pool.find((c) => !chain.includes(c) && c.ca && inDate(c, now) && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (!next) break;
    chain.push(next);
    cur = next;
  }
  return { ok: false, reason: 'certificate_untrusted' };
}

const inDate = (c: X509Certificate, now: Date) => new Date(c.validFrom) <= now && now <= new Date(c.validTo);

function canSign(c: X509Certificate, now: Date): boolean {
  if (c.ca || !inDate(c, now)) return false;
  const usage = readExtensions(Buffer.from(c.raw)).keyUsage;
  return usage === null || usage.has('digitalSignature') || usage.has('nonRepudiation');
}
