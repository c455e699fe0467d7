// `warddesk token add`: the admin puts a holder's key on a PKCS#11 token
// plugged into the ward node (the same checks as POST /api/certificates/token:
// certificate from the token or --cert, leader or seal role, chain to the city
// root, key = certificate's). Runs on the node's data directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keystore } from '../certs/keystore.js';
import { WardError } from '../sync/errors.js';
import { loadConfig } from './config.js';
import { holderOf, SEAL, WARD_CA } from './signing.js';
import { TokenHolders } from './token-holders.js';

export const TOKEN_USAGE = `  warddesk token add --holder seal|USERNAME --module LIB.so [--token-label L | --slot N] --key-id HEX [--cert chain.pem]
                                  sign as the seal (or a leader) with a key on a PKCS#11 token plugged into this node`;

export async function tokenCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const opt = (n: string) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
  const holder = opt('--holder');
  const module = opt('--module');
  const keyId = opt('--key-id');
  if (args[0] !== 'add' || !holder || !module || !keyId) { console.error(TOKEN_USAGE); return 2; }
  const config = loadConfig(env, { logLevel: 'warn' });
  const dir = join(config.dataDir, 'keys');
  const keys = new Keystore(dir);
  try {
    if (!keys.has(WARD_CA)) { console.error('Chưa cài CA phường / the ward CA is not installed (warddesk ca ward install)'); return 1; }
    const chain = keys.chain(WARD_CA);
    const label = opt('--token-label');
    const slot = opt('--slot');
    const cert = opt('--cert');
    const target = holder === SEAL ? SEAL : holderOf(holder);
    const stored = await new TokenHolders(dir, config.tokens.modules).configure(target, {
      module, keyId, role: holder === SEAL ? 'agency' : 'leader', ...(label !== undefined ? { tokenLabel: label } : { slot: Number(slot ?? 0) }),
    }, config.ward.agencyName, [chain[chain.length - 1]!], cert ? readFileSync(cert, 'utf8') : undefined, chain);
    console.log(`Đã cấu hình token cho ${target} / token configured for ${target}: ${stored[0]!.split('\n')[1]!.slice(0, 40)}…`);
    return 0;
  } catch (err) {
    if (err instanceof WardError) { console.error(`${err.vi} / ${err.en}`); return 1; }
    throw err;
  }
}
