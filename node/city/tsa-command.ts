// `warddesk city tsa issue`: the city's time-stamping authority certificate,
// under the city root (EKU timeStamping, critical), kept only as a
// PIN-encrypted PKCS#12 in a keystore directory (certs/keystore.ts; holder
// `city-tsa`). `city start --tsa DIR` unlocks it with WARDDESK_TSA_PIN and
// serves RFC 3161 at POST /_tsa.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fromPkcs12, WrongPin, type Pkcs12Contents } from '../../certs/ca.js';
import { Keystore } from '../../certs/keystore.js';
import { issueTsa } from '../../certs/tsa.js';
import { WardError, wardError } from '../../sync/errors.js';

export const TSA_HOLDER = 'city-tsa';
export const TSA_USAGE = `  warddesk city tsa issue --root DIR --out DIR [--name NAME] [--days N]
                                 the city time-stamping authority's key and certificate (EKU timeStamping) under the
                                 city root in DIR (PIN: WARDDESK_CA_PIN), kept in --out as a PKCS#12 under WARDDESK_TSA_PIN;
                                 then: warddesk city start --tsa DIR serves RFC 3161 at POST /_tsa to wards`;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw wardError('invalid_input', [{ path: name, vi: `Đặt PIN trong biến môi trường ${name}.`, en: `Set the PIN in the environment variable ${name}.` }]);
  return v;
}

export async function tsaCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub !== 'issue') { console.error(TSA_USAGE); return 2; }
    const { values } = parseArgs({ args: rest, strict: true, options: { root: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } } });
    if (!values.root || !values.out) { console.error(TSA_USAGE); return 2; }
    const rootFile = join(resolve(values.root), 'city-root.p12');
    if (!existsSync(rootFile)) throw wardError('certificate_missing');
    let root: Pkcs12Contents;
    try { root = fromPkcs12(readFileSync(rootFile), env('WARDDESK_CA_PIN')); } catch (err) { if (err instanceof WrongPin) throw wardError('wrong_pin'); throw err; }
    const tsa = issueTsa(root, { ...(values.name ? { name: values.name } : {}), ...(values.days ? { days: Number(values.days) } : {}) });
    new Keystore(resolve(values.out)).save(TSA_HOLDER, tsa, env('WARDDESK_TSA_PIN'));
    const cert = new X509Certificate(tsa.chain[0]!);
    console.log(`city TSA: ${join(resolve(values.out), `${TSA_HOLDER}.p12`)} (serial ${cert.serialNumber.toLowerCase()}, valid to ${new Date(cert.validTo).toISOString()})`);
    return 0;
  } catch (err) {
    if (!(err instanceof WardError)) throw err;
    console.error(`${err.vi}\n${err.en}`);
    for (const d of err.details ?? []) console.error(`  ${d.path}: ${d.vi} / ${d.en}`);
    return 1;
  }
}

/** The TSA for `city start --tsa DIR`: unlocked once with WARDDESK_TSA_PIN (wrong PIN: the keystore's own errors). */
export function openTsa(dir: string): Promise<Pkcs12Contents> {
  return new Keystore(resolve(dir)).unlock(TSA_HOLDER, env('WARDDESK_TSA_PIN'));
}
