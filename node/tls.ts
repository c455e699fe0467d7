// Loads the ward node's TLS identity: a PKCS#12 file whose PIN is read from
// the environment at start (WARDDESK_TLS_PIN), so the private key is never on
// disk in clear and never in a config file.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { fromPkcs12 } from '../certs/ca.js';
import type { Config } from './config.js';

/** `names`: the DNS names and IP addresses the node's certificate is issued for, in its order. */
export interface TlsIdentity { pfx: Buffer; passphrase: string; rootPem: string | null; names: string[] }

export function loadTls(config: Config, env: NodeJS.ProcessEnv = process.env): TlsIdentity | null {
  if (!config.tls.pfxFile) return null;
  const passphrase = env['WARDDESK_TLS_PIN'];
  if (!passphrase) throw new Error('WARDDESK_TLS_PFX is set but WARDDESK_TLS_PIN is not: the node cannot open its TLS key.');
  const pfx = readFileSync(config.tls.pfxFile);
  try {
    createSecureContext({ pfx, passphrase });
  } catch (err) {
    throw new Error(`Cannot open the TLS key in ${config.tls.pfxFile}: wrong PIN or damaged file (${(err as Error).message}).`);
  }
  const rootPem = config.tls.rootCaFile ? readFileSync(config.tls.rootCaFile, 'utf8') : null;
  return { pfx, passphrase, rootPem, names: certificateNames(fromPkcs12(pfx, passphrase).chain[0]!) };
}

/** The subject alternative names of a certificate: `DNS:a, IP Address:1.2.3.4` → ['a', '1.2.3.4'], lower-cased. */
export function certificateNames(pem: string): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san.split(/,\s*/).map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1]?.toLowerCase()).filter((n): n is string => !!n);
}
