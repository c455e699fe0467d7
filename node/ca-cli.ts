// `warddesk ca …`: the PKI from the command line (`warddesk verify` is verify-cli.ts).
// PINs come from environment variables (never argv, which `ps` shows):
//   WARDDESK_CA_PIN       the city root's key        WARDDESK_WARD_CA_PIN  the ward CA's key (and its bundle)
//   WARDDESK_TLS_PIN      the TLS PKCS#12            WARDDESK_PIN          a holder's first PIN at enrolment
//   WARDDESK_P12_PIN      an imported PKCS#12's password
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPkcs12, generateKey, issueCertificate, toPkcs12 } from '../certs/ca.js';
import { createCrl, REVOCATION_REASONS, type RevocationReason, type Revoked } from '../certs/crl.js';
import { Keystore } from '../certs/keystore.js';
import { loadConfig } from './config.js';
import { holderOf, SEAL, WARD_CA } from './signing.js';

export const CA_USAGE = `  warddesk ca root create --out DIR [--name NAME]       city: root CA (DIR/city-root.pem, .p12, .crl); PIN: WARDDESK_CA_PIN
  warddesk ca ward issue --root DIR --ward CODE --name NAME --out DIR
                                  city: a ward's CA bundle (ward-ca.p12 under WARDDESK_WARD_CA_PIN) + city-root.crl
  warddesk ca ward install DIR    ward: install the bundle into the node's data/keys
  warddesk ca tls --host NAME [--host …] [--ip IP …] --out FILE.p12   the node's HTTPS certificate (WARDDESK_TLS_PIN)
  warddesk ca enrol USER|seal --name "FULL NAME"   a leader's signing key or the agency seal (first PIN: WARDDESK_PIN)
  warddesk ca import-p12 FILE.p12 --holder USER|seal [--root ROOT.pem]   an external key (WARDDESK_P12_PIN → WARDDESK_PIN)
  warddesk ca revoke SERIAL [--reason keyCompromise|…]   revoke and publish data/keys/ward-ca.crl
  warddesk ca list                list the node's keys and certificates`;

const YEAR = 365;

function opt(args: string[], name: string): string | undefined { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; }
function opts(args: string[], name: string): string[] { return args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : [])); }
function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`Thiếu ${what} / missing ${what}`);
  return value;
}
function pin(name: string): string {
  const v = process.env[name];
  if (!v || v.length < 6) throw new CliError(`Đặt biến môi trường ${name} (ít nhất 6 ký tự) / set ${name} (at least 6 characters)`);
  return v;
}
class CliError extends Error {}

function keystore(): Keystore { return new Keystore(join(loadConfig(process.env, { logLevel: 'warn' }).dataDir, 'keys')); }

function crlFor(issuerPem: string, issuerKey: Parameters<typeof createCrl>[0]['issuerKey'], revoked: Revoked[], n: number): Buffer {
  const now = new Date();
  return createCrl({ issuerCertPem: issuerPem, issuerKey, revoked, crlNumber: n, thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000) });
}

export async function caCommand(args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (err) {
    if (err instanceof CliError || (err as { code?: string }).code) { console.error((err as { vi?: string }).vi ? `${(err as { vi: string }).vi} / ${(err as { en: string }).en}` : (err as Error).message); return 1; }
    throw err;
  }
}

async function run(args: string[]): Promise<number> {
  const [a, b] = args;
  if (a === 'root' && b === 'create') {
    const out = need(opt(args, '--out'), '--out');
    mkdirSync(out, { recursive: true });
    const key = generateKey(3072);
    const pem = issueCertificate({ kind: 'root', subject: { commonName: opt(args, '--name') ?? 'WardDesk City Root CA' }, publicKey: key.publicKey, issuer: { self: key.privateKey }, days: 20 * YEAR });
    writeFileSync(join(out, 'city-root.pem'), pem);
    writeFileSync(join(out, 'city-root.p12'), toPkcs12({ privateKey: key.privateKey, chain: [pem] }, pin('WARDDESK_CA_PIN')), { mode: 0o600 });
    writeFileSync(join(out, 'city-root.crl'), crlFor(pem, key.privateKey, [], 1));
    console.log(`city root: ${join(out, 'city-root.pem')} (serial ${new X509Certificate(pem).serialNumber})`);
    return 0;
  }
  if (a === 'ward' && b === 'issue') {
    const rootDir = need(opt(args, '--root'), '--root');
    const out = need(opt(args, '--out'), '--out');
    const root = fromPkcs12(readFileSync(join(rootDir, 'city-root.p12')), pin('WARDDESK_CA_PIN'));
    const key = generateKey(2048);
    const ward = need(opt(args, '--ward'), '--ward');
    const pem = issueCertificate({ kind: 'ward-ca', subject: { commonName: `${need(opt(args, '--name'), '--name')} CA`, organization: ward }, publicKey: key.publicKey, issuer: { certPem: root.chain[0]!, privateKey: root.privateKey }, days: 5 * YEAR });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'ward-ca.p12'), toPkcs12({ privateKey: key.privateKey, chain: [pem, root.chain[0]!] }, pin('WARDDESK_WARD_CA_PIN')), { mode: 0o600 });
    copyFileSync(join(rootDir, 'city-root.crl'), join(out, 'city-root.crl'));
    console.log(`ward CA bundle for ${ward}: ${out}`);
    return 0;
  }
  if (a === 'ward' && b === 'install') {
    const dir = need(args[2], 'the bundle folder');
    const ks = keystore();
    const bundlePin = pin('WARDDESK_WARD_CA_PIN');
    const contents = fromPkcs12(readFileSync(join(dir, 'ward-ca.p12')), bundlePin);
    ks.save(WARD_CA, contents, bundlePin);
    if (existsSync(join(dir, 'city-root.crl'))) copyFileSync(join(dir, 'city-root.crl'), join(ks.dir, 'city-root.crl'));
    writeFileSync(join(ks.dir, 'ward-ca.crl'), crlFor(contents.chain[0]!, contents.privateKey, [], 1));
    console.log(`ward CA installed in ${ks.dir}: ${new X509Certificate(contents.chain[0]!).subject.replace(/\n/g, ', ')}`);
    return 0;
  }
  if (a === 'tls') {
    const ca = await keystore().unlock(WARD_CA, pin('WARDDESK_WARD_CA_PIN'));
    const hosts = opts(args, '--host');
    const ips = opts(args, '--ip');
    const key = generateKey(2048);
    const pem = issueCertificate({ kind: 'tls', subject: { commonName: hosts[0] ?? ips[0] ?? 'warddesk' }, publicKey: key.publicKey, issuer: { certPem: ca.chain[0]!, privateKey: ca.privateKey }, days: 2 * YEAR, hosts, ips });
    const out = need(opt(args, '--out'), '--out');
    writeFileSync(out, toPkcs12({ privateKey: key.privateKey, chain: [pem, ...ca.chain] }, pin('WARDDESK_TLS_PIN')), { mode: 0o600 });
    console.log(`TLS certificate for ${[...hosts, ...ips].join(', ')}: ${out} (start the node with WARDDESK_TLS_PFX=${out} and WARDDESK_TLS_PIN)`);
    return 0;
  }
  if (a === 'enrol') {
    const who = need(b, 'USER|seal');
    const ks = keystore();
    const ca = await ks.unlock(WARD_CA, pin('WARDDESK_WARD_CA_PIN'));
    const key = generateKey(2048);
    const kind = who === SEAL ? 'agency' : 'leader';
    const pem = issueCertificate({ kind, subject: { commonName: need(opt(args, '--name'), '--name') }, publicKey: key.publicKey, issuer: { certPem: ca.chain[0]!, privateKey: ca.privateKey }, days: 3 * YEAR });
    const holder = who === SEAL ? SEAL : holderOf(who);
    ks.save(holder, { privateKey: key.privateKey, chain: [pem, ...ca.chain] }, pin('WARDDESK_PIN'));
    console.log(`${holder}: ${new X509Certificate(pem).subject.replace(/\n/g, ', ')} serial ${new X509Certificate(pem).serialNumber.toLowerCase()}`);
    return 0;
  }
  if (a === 'import-p12') {
    // An externally issued key (e.g. from the government CA): its chain must end at a root the ward trusts.
    const file = need(b, 'FILE.p12');
    const who = need(opt(args, '--holder'), '--holder USER|seal');
    const ks = keystore();
    const contents = fromPkcs12(readFileSync(file), pin('WARDDESK_P12_PIN'));
    const trusted = [...opts(args, '--root').map((p) => readFileSync(p, 'utf8')), ...(ks.has(WARD_CA) ? [ks.chain(WARD_CA).at(-1)!] : [])].map((p) => new X509Certificate(p));
    const chain = contents.chain.map((p) => new X509Certificate(p));
    const top = chain[chain.length - 1]!;
    const linked = chain.every((c, i) => i === chain.length - 1 || (c.checkIssued(chain[i + 1]!) && c.verify(chain[i + 1]!.publicKey)));
    const anchored = trusted.some((r) => r.fingerprint256 === top.fingerprint256 || (top.checkIssued(r) && top.verify(r.publicKey)));
    if (!linked || !anchored) throw new CliError('Chuỗi chứng thư không dẫn tới CA gốc tin cậy (thêm --root GOC.pem nếu thành phố tin CA đó) / the chain does not lead to a trusted root (add --root ROOT.pem if the city trusts that CA)');
    const holder = who === SEAL ? SEAL : holderOf(who);
    ks.save(holder, contents, pin('WARDDESK_PIN'));
    console.log(`${holder}: imported ${chain[0]!.subject.replace(/\n/g, ', ')}`);
    return 0;
  }
  if (a === 'revoke') {
    const serial = need(b, 'SERIAL').toLowerCase();
    const reason = (opt(args, '--reason') ?? 'unspecified') as RevocationReason;
    if (!(reason in REVOCATION_REASONS)) throw new CliError(`reason: ${Object.keys(REVOCATION_REASONS).join('|')}`);
    const ks = keystore();
    const ca = await ks.unlock(WARD_CA, pin('WARDDESK_WARD_CA_PIN'));
    const listFile = join(ks.dir, 'revoked.json');
    const revoked = (existsSync(listFile) ? JSON.parse(readFileSync(listFile, 'utf8')) as { serial: string; date: string; reason: RevocationReason }[] : []);
    if (!revoked.some((r) => r.serial === serial)) revoked.push({ serial, date: new Date().toISOString(), reason });
    writeFileSync(listFile, JSON.stringify(revoked, null, 2));
    writeFileSync(join(ks.dir, 'ward-ca.crl'), crlFor(ca.chain[0]!, ca.privateKey, revoked.map((r) => ({ ...r, date: new Date(r.date) })), revoked.length + 1));
    console.log(`revoked ${serial}; CRL: ${join(ks.dir, 'ward-ca.crl')} (${revoked.length} entries)`);
    return 0;
  }
  if (a === 'list') {
    const ks = keystore();
    for (const h of ks.holders()) {
      const c = new X509Certificate(ks.chain(h)[0]!);
      console.log(`${h}\t${c.serialNumber.toLowerCase()}\t${c.validTo}\t${c.subject.replace(/\n/g, ', ')}`);
    }
    return 0;
  }
  console.error(CA_USAGE);
  return 2;
}
