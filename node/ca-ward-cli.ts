// `warddesk ca …` on the ward node: install the city's bundle, issue the TLS
// certificate, enrol officials and the seal, import an external PKCS#12,
// revoke and publish the ward CA's list, list the keys. All keys go to the
// node's data/keys (never replicated) under their holder's PIN.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../certs/atomic-file.js';
import { issueSigning, issueTls } from '../certs/ca-issue.js';
import { toPkcs12, type Pkcs12Contents } from '../certs/ca.js';
import type { RevocationReason } from '../certs/crl.js';
import { Keystore } from '../certs/keystore.js';
import { sameName } from '../certs/cert-subject.js';
import { importPkcs12 } from '../certs/p12-import.js';
import { RevocationRegister, normalizeSerial } from '../certs/revocation.js';
import { effectiveRole, RoleMappings } from '../certs/role-mappings.js';
import type { SignerRole } from '../certs/roles.js';
import { TrustedRoots } from '../certs/trusted-roots.js';
import { wardError } from '../sync/errors.js';
import { CliError, days, type CaContext } from './ca-cli-context.js';
import { loadConfig } from './config.js';
import { installHolderKey, publicationFor, trustedRootPems } from './holder-keys.js';
import { appendPkiJournal } from './pki-journal.js';
import { holderOf, SEAL, WARD_CA } from './signing.js';
import { checkWardBundle, installWardCa } from './ward-ca-install.js';
import { WardSettings } from './ward-settings.js';

const WARD_PIN = ['WARDDESK_WARD_CA_PIN', 'PIN CA phường / ward CA PIN'] as const;
const holderFor = (who: string) => (who === SEAL ? SEAL : holderOf(who));
const oneLine = (pem: string) => new X509Certificate(pem).subject.replace(/\n/g, ', ');

export async function wardSide(ctx: CaContext): Promise<number | null> {
  const [a, b] = ctx.args;
  const config = () => loadConfig(ctx.env, { logLevel: 'warn' });
  const keystore = () => new Keystore(join(config().dataDir, 'keys'));
  // The agency as the admin last named it (ward settings override the config file's name).
  const agencyName = () => WardSettings.stored(config()).agencyName;
  const wardCa = async (ks: Keystore): Promise<Pkcs12Contents> => {
    if (!ks.has(WARD_CA)) throw wardError('ca_missing');
    return ks.unlock(WARD_CA, await ctx.pin(...WARD_PIN));
  };
  if (a === 'ward' && b === 'install') {
    const dir = ctx.need(ctx.args[2], 'the bundle folder');
    const bundlePin = await ctx.pin(...WARD_PIN);
    // The same checks and writes as the setup screen (node/ward-ca-install.ts): nothing is written unless all pass.
    const rootFile = join(dir, 'city-root.pem');
    const checked = checkWardBundle(readFileSync(join(dir, 'ward-ca.p12')), bundlePin, { wardCode: config().ward.code, rootPem: existsSync(rootFile) ? readFileSync(rootFile, 'utf8') : undefined });
    const ks = keystore();
    installWardCa(ks, checked.contents, bundlePin, existsSync(join(dir, 'city-root.crl')) ? readFileSync(join(dir, 'city-root.crl')) : undefined);
    ctx.io.out(`ward CA installed in ${ks.dir}: ${oneLine(checked.contents.chain[0]!)}`);
    return 0;
  }
  if (a === 'tls') {
    const out = ctx.need(ctx.opt('--out'), '--out');
    const ca = await wardCa(keystore());
    const tlsPin = await ctx.pin('WARDDESK_TLS_PIN', 'PIN cho khóa TLS / TLS key PIN');
    const tls = issueTls(ca, { hosts: ctx.opts('--host'), ips: ctx.opts('--ip') }, days(ctx), publicationFor(config(), keystore()));
    writeAtomic(out, toPkcs12(tls, tlsPin, undefined, 'warddesk-tls'));
    ctx.io.out(`TLS certificate for ${new X509Certificate(tls.chain[0]!).subjectAltName}: ${out} (start the node with WARDDESK_TLS_PFX=${out} and WARDDESK_TLS_PIN)`);
    return 0;
  }
  if (a === 'enrol') {
    const who = ctx.need(b, 'USER|seal');
    const agency = agencyName();
    // A seal's certificate always names the agency: --name may be left out, and must not name another.
    const name = who === SEAL ? ctx.opt('--name') ?? agency : ctx.need(ctx.opt('--name'), '--name');
    if (who === SEAL && !sameName(name, agency)) throw wardError('certificate_wrong_agency', [{ path: '--name', vi: `${name} ≠ ${agency}`, en: `${name} ≠ ${agency}` }]);
    const ks = keystore();
    const ca = await wardCa(ks);
    const pin = await ctx.pin('WARDDESK_PIN', `PIN mới cho ${who} / new PIN for ${who}`);
    const issued = issueSigning(ca, who === SEAL ? 'agency' : 'leader', { commonName: name, organization: agency }, undefined, publicationFor(config(), ks));
    installHolderKey(ks, { holder: holderFor(who), contents: issued, agencyName: agency, pin });
    const serial = new X509Certificate(issued.chain[0]!).serialNumber.toLowerCase();
    appendPkiJournal(ks.dir, 'certificate.enrol', `${holderFor(who)}:${serial}`);
    ctx.io.out(`${holderFor(who)}: ${oneLine(issued.chain[0]!)} serial ${serial}`);
    return 0;
  }
  if (a === 'import-p12') {
    const file = ctx.need(b, 'FILE.p12');
    const who = ctx.need(ctx.opt('--holder'), '--holder USER|seal');
    const as = ctx.opt('--as');
    if (as !== undefined && as !== 'leader' && as !== 'seal') throw new CliError('--as leader|seal');
    const mappedRole: SignerRole | undefined = as === undefined ? undefined : as === 'seal' ? 'agency' : 'leader';
    // Trust is the ward's, never the command line's: a root given here would bypass the audited list.
    if (ctx.opts('--root').length) throw new CliError('--root: hãy tin CA gốc trước bằng `warddesk ca trust add GOC.pem` (có ghi nhật ký) / trust the root first with `warddesk ca trust add ROOT.pem` (audited)');
    const ks = keystore();
    const verdict = importPkcs12({ p12: readFileSync(file), password: await ctx.pin('WARDDESK_P12_PIN', 'Mật khẩu tệp PKCS#12 / PKCS#12 password'), trustedRoots: trustedRootPems(ks), extraCerts: ctx.opts('--chain').map((p) => readFileSync(p, 'utf8')) });
    if (!verdict.ok) {
      if (verdict.reason === 'certificate_untrusted') throw new CliError('Chuỗi chứng thư không dẫn tới CA gốc tin cậy (thêm --chain TRUNG-GIAN.pem; tin CA gốc bằng `warddesk ca trust add`) / the chain does not lead to a trusted root (add --chain INTERMEDIATE.pem; trust a root with `warddesk ca trust add`)');
      throw wardError(verdict.reason);
    }
    const holder = holderFor(who);
    const pin = await ctx.pin('WARDDESK_PIN', `PIN mới cho ${who} / new PIN for ${who}`);
    const check = installHolderKey(ks, { holder, contents: verdict.contents, agencyName: agencyName(), pin, ...(mappedRole ? { mappedRole } : {}) });
    const serial = check.chain[0]!.serialNumber.toLowerCase();
    appendPkiJournal(ks.dir, 'certificate.import', `${holder}:${serial} role=${check.role} from=${check.roleFrom === 'mapping' ? 'admin-mapping' : 'certificate'}`);
    ctx.io.out(`${holder}: imported ${oneLine(verdict.contents.chain[0]!)} (${check.role}${check.roleFrom === 'mapping' ? ', vai trò do quản trị viên chỉ định / role mapped by the admin' : ''})`);
    return 0;
  }
  if (a === 'trust') {
    const roots = new TrustedRoots(keystore().dir);
    if (b === 'add') {
      const root = roots.add(readFileSync(ctx.need(ctx.args[2], 'ROOT.pem'), 'utf8'));
      appendPkiJournal(keystore().dir, 'trust.root.add', `${root.fingerprint} ${root.subject}`);
      ctx.io.out(`trusted root added: ${root.subject} sha256 ${root.fingerprint}`);
      return 0;
    }
    if (b === 'remove') {
      const root = roots.remove(ctx.need(ctx.args[2], 'FINGERPRINT'));
      appendPkiJournal(keystore().dir, 'trust.root.remove', `${root.fingerprint} ${root.subject}`);
      ctx.io.out(`trusted root removed: ${root.subject}`);
      return 0;
    }
    if (b === 'list') {
      const ks = keystore();
      if (ks.has(WARD_CA)) ctx.io.out(`city\t${oneLine(ks.chain(WARD_CA).at(-1)!)}`);
      for (const r of roots.list()) ctx.io.out(`${r.fingerprint}\t${r.validTo}\t${r.subject}`);
      return 0;
    }
    return null;
  }
  if (a === 'revoke' || a === 'crl') {
    const serial = a === 'revoke' ? normalizeSerial(ctx.need(b, 'SERIAL')) : '';
    const ks = keystore();
    const ca = await wardCa(ks);
    const register = new RevocationRegister(ks.dir, WARD_CA);
    if (a === 'revoke') register.revoke(ca, serial, (ctx.opt('--reason') ?? 'unspecified') as RevocationReason);
    else register.publish(ca, new Date(), days(ctx));
    ctx.io.out(`${a === 'revoke' ? `revoked ${serial}; ` : ''}CRL: ${register.crlFile} (${register.entries().length} entries)`);
    return 0;
  }
  if (a === 'list') {
    const ks = keystore();
    const revoked = new Set(new RevocationRegister(ks.dir, WARD_CA).entries().map((e) => e.serial));
    const mappings = new RoleMappings(ks.dir).all();
    for (const h of ks.holders()) {
      const c = new X509Certificate(ks.chain(h)[0]!);
      const serial = c.serialNumber.toLowerCase();
      ctx.io.out(`${h}\t${serial}\t${effectiveRole(c, mappings).role}\t${c.validTo}\t${c.subject.replace(/\n/g, ', ')}${revoked.has(normalizeSerial(serial)) ? '\tREVOKED' : ''}`);
    }
    return 0;
  }
  return null;
}
