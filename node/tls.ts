// Loads the ward node's TLS identity: a PKCS#12 file whose PIN is read from
// the environment at start (WARDDESK_TLS_PIN), so the private key is never on
// disk in clear and never in a config file.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Config } from './config.js';

export interface TlsIdentity { pfx: Buffer; passphrase: string; rootPem: string | null }

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
  return { pfx, passphrase, rootPem };
}
