// `warddesk ca …`: the PKI from the command line (`warddesk verify` is verify-cli.ts).
// City side here (root, ward bundles, the root's revocations); ward side in ca-ward-cli.ts.
// PINs come from environment variables or, when unset, a no-echo prompt on the terminal (never argv):
//   WARDDESK_CA_PIN       the city root's key        WARDDESK_WARD_CA_PIN  the ward CA's key (and its bundle)
//   WARDDESK_TLS_PIN      the TLS PKCS#12            WARDDESK_PIN          a holder's first PIN at enrolment
//   WARDDESK_P12_PIN      an imported PKCS#12's password
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../certs/atomic-file.js';
import { createRootCa, issueWardCa } from '../certs/ca-issue.js';
import { fromPkcs12, toPkcs12, type Pkcs12Contents } from '../certs/ca.js';
import { readCrl, type RevocationReason } from '../certs/crl.js';
import { RevocationRegister } from '../certs/revocation.js';
import { WardError } from '../sync/errors.js';
import { CliError, days, type CaContext, type CaIo } from './ca-cli-context.js';
import { wardSide } from './ca-ward-cli.js';
import { PinUnavailable, pinFrom } from './pin-input.js';

export const CA_USAGE = `  warddesk ca root create --out DIR [--name NAME]       city: root CA (DIR/city-root.pem, .p12, .crl); PIN: WARDDESK_CA_PIN
  warddesk ca root revoke SERIAL --root DIR [--reason R]  city: revoke a ward CA, rewrite DIR/city-root.crl
  warddesk ca root crl --root DIR [--days N]              city: a fresh root CRL (before the current one expires)
  warddesk ca ward issue --root DIR --ward CODE --name NAME --out DIR [--pki-url http://CITY/pki]
                                  city: a ward's CA bundle (ward-ca.p12 under WARDDESK_WARD_CA_PIN, city-root.pem/.crl)
  warddesk ca ward install DIR    ward: install the bundle into the node's data/keys
  warddesk ca tls --host NAME [--host …] [--ip IP …] --out FILE.p12   the node's HTTPS certificate (WARDDESK_TLS_PIN)
  warddesk ca enrol USER|seal --name "FULL NAME"   a leader's signing key or the agency seal (first PIN: WARDDESK_PIN);
                                  the seal's certificate always names the agency (--name may be left out)
  warddesk ca import-p12 FILE.p12 --holder USER|seal [--chain CHAIN.pem …] [--as leader|seal]
                                  an external key, re-encrypted under the holder's PIN (WARDDESK_P12_PIN → WARDDESK_PIN);
                                  refused unless its certificate fits the holder's role (--as: the admin's mapping
                                  for a certificate whose profile names no role, audited)
  warddesk ca trust add ROOT.pem | remove SHA256 | list   roots the ward trusts besides the city root (audited)
  warddesk ca revoke SERIAL [--reason keyCompromise|…]   revoke and rewrite data/keys/ward-ca.crl
  warddesk ca crl [--days N]      a fresh ward CRL (run before the current one expires, default every 30 days)
  warddesk ca list                the node's keys and certificates (revoked ones marked)`;

const consoleIo: CaIo = { out: (l) => console.log(l), err: (l) => console.error(l) };


export async function caCommand(args: string[], env: NodeJS.ProcessEnv = process.env, io: CaIo = consoleIo): Promise<number> {
  const ctx: CaContext = {
    args, env, io,
    opt: (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; },
    opts: (name) => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : [])),
    need: (value, what) => { if (!value) throw new CliError(`Thiếu ${what} / missing ${what}`); return value; },
    pin: (name, label) => pinFrom(env, name, label),
  };
  try {
    const code = (await citySide(ctx)) ?? (await wardSide(ctx));
    if (code === null) { io.err(CA_USAGE); return 2; }
    return code;
  } catch (err) {
    if (err instanceof WardError) {
      io.err(`${err.vi} / ${err.en}${(err.details ?? []).map((d) => `\n  ${d.path}: ${d.vi} / ${d.en}`).join('')}`);
      return 1;
    }
    if (err instanceof CliError || err instanceof PinUnavailable) { io.err(err.message); return 1; }
    throw err;
  }
}

async function openRoot(ctx: CaContext, dir: string): Promise<Pkcs12Contents> {
  const file = join(dir, 'city-root.p12');
  if (!existsSync(file)) throw new CliError(`Không thấy ${file} / ${file} not found`);
  try {
    return fromPkcs12(readFileSync(file), await ctx.pin('WARDDESK_CA_PIN', 'PIN CA gốc / city root PIN'));
  } catch (err) {
    if (err instanceof WardError || err instanceof PinUnavailable) throw err;
    throw new CliError('PIN CA gốc không đúng / wrong city root PIN');
  }
}

function describeCrl(crl: Buffer, file: string): string {
  const parsed = readCrl(crl);
  return `CRL ${file}: number ${parsed.crlNumber}, ${parsed.revoked.size} revoked, next update ${parsed.nextUpdate?.toISOString() ?? '-'}`;
}

async function citySide(ctx: CaContext): Promise<number | null> {
  const [a, b] = ctx.args;
  if (a === 'root' && b === 'create') {
    const out = ctx.need(ctx.opt('--out'), '--out');
    if (existsSync(join(out, 'city-root.p12'))) throw new CliError(`${out} đã có CA gốc, không ghi đè / ${out} already holds a root CA, not overwritten`);
    const pin = await ctx.pin('WARDDESK_CA_PIN', 'PIN mới cho CA gốc / new city root PIN');
    const root = createRootCa(ctx.opt('--name'));
    mkdirSync(out, { recursive: true });
    writeAtomic(join(out, 'city-root.p12'), toPkcs12(root, pin, undefined, 'city-root'));
    writeAtomic(join(out, 'city-root.pem'), Buffer.from(root.chain[0]!), 0o644);
    new RevocationRegister(out, 'city-root').publish(root);
    ctx.io.out(`city root: ${join(out, 'city-root.pem')} (serial ${new X509Certificate(root.chain[0]!).serialNumber.toLowerCase()})`);
    return 0;
  }
  if (a === 'root' && (b === 'revoke' || b === 'crl')) {
    const dir = ctx.need(ctx.opt('--root'), '--root DIR');
    const serial = b === 'revoke' ? ctx.need(ctx.args[2], 'SERIAL') : '';
    const root = await openRoot(ctx, dir);
    const register = new RevocationRegister(dir, 'city-root');
    const crl = b === 'revoke' ? register.revoke(root, serial, (ctx.opt('--reason') ?? 'unspecified') as RevocationReason) : register.publish(root, new Date(), days(ctx));
    ctx.io.out(describeCrl(crl, register.crlFile));
    return 0;
  }
  if (a === 'ward' && b === 'issue') {
    const rootDir = ctx.need(ctx.opt('--root'), '--root');
    const out = ctx.need(ctx.opt('--out'), '--out');
    const code = ctx.need(ctx.opt('--ward'), '--ward');
    const name = ctx.need(ctx.opt('--name'), '--name');
    const root = await openRoot(ctx, rootDir);
    const bundlePin = await ctx.pin('WARDDESK_WARD_CA_PIN', 'PIN cho gói CA phường / ward CA bundle PIN');
    // --pki-url: the city's plain-HTTP /pki, written into the ward CA certificate (CRL distribution point, AIA).
    const pkiUrl = ctx.opt('--pki-url');
    const ward = issueWardCa(root, { code, name }, undefined, pkiUrl ? { baseUrls: [pkiUrl], ca: 'city-root' } : undefined);
    mkdirSync(out, { recursive: true });
    writeAtomic(join(out, 'ward-ca.p12'), toPkcs12(ward, bundlePin, undefined, 'ward-ca'));
    writeAtomic(join(out, 'city-root.pem'), Buffer.from(root.chain[0]!), 0o644);
    if (existsSync(join(rootDir, 'city-root.crl'))) copyFileSync(join(rootDir, 'city-root.crl'), join(out, 'city-root.crl'));
    ctx.io.out(`ward CA bundle for ${code}: ${out} (serial ${new X509Certificate(ward.chain[0]!).serialNumber.toLowerCase()})`);
    return 0;
  }
  return null;
}
