// Roles at the server's console: `warddesk ca enrol seal` names the agency
// and nothing else, `ca import-p12` refuses a TLS certificate as the seal and
// a foreign certificate until its root is trusted (`ca trust add`) and, when
// its profile names no role, until the admin maps it (`--as seal`); the
// console's changes reach the node's audit log once it runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueTls } from '../../certs/ca-issue.js';
import { fromPkcs12, toPkcs12 } from '../../certs/ca.js';
import { caCommand } from '../../node/ca-cli.js';
import { foreignCert, foreignRoot, OID } from '../helpers/foreign-ca.js';
import { startTestWard } from '../helpers/ward.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-ca-roles-'));
const data = join(dir, 'data');
const keys = join(data, 'keys');
const city = join(dir, 'city');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const PINS = { WARDDESK_CA_PIN: 'city-root-pin-1', WARDDESK_WARD_CA_PIN: 'ward-ca-pin-12', WARDDESK_PIN: '246810', WARDDESK_P12_PIN: 'issuer-pass' };
async function ca(...args: string[]) {
  const lines: string[] = [];
  const code = await caCommand(args, { WARDDESK_DATA_DIR: data, WARDDESK_PKI_URL: 'http://warddesk.local:8080/pki', ...PINS }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}
const sealSubject = () => new X509Certificate(readFileSync(join(keys, 'seal.pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----)/)[0]!);

test.before(async () => {
  assert.is((await ca('root', 'create', '--out', city)).code, 0);
  const issued = await ca('ward', 'issue', '--root', city, '--ward', 'phuong-mau', '--name', 'UBND Phường Mẫu', '--out', join(dir, 'bundle'), '--pki-url', 'http://city.example/pki');
  assert.is(issued.code, 0, issued.out);
  assert.is((await ca('ward', 'install', join(dir, 'bundle'))).code, 0);
});

test('the seal is enrolled in the agency\'s name only, with the node\'s and the city\'s CRL distribution points', async () => {
  const other = await ca('enrol', 'seal', '--name', 'UBND Phường Khác');
  assert.is(other.code, 1);
  assert.match(other.out, /another agency/);
  assert.not.ok(existsSync(join(keys, 'seal.p12')), 'nothing stored');
  const ok = await ca('enrol', 'seal');
  assert.is(ok.code, 0, ok.out);
  assert.match(sealSubject().subject, /CN=UBND PHƯỜNG MẪU/);
  writeFileSync(join(dir, 'seal.pem'), sealSubject().toString());
  const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'seal.pem')], { encoding: 'utf8' }).stdout;
  assert.match(text, /URI:http:\/\/warddesk\.local:8080\/pki\/phuong-mau\.crl[\s\S]*URI:http:\/\/city\.example\/pki\/phuong-mau\.crl/);
});

test('the ward\'s TLS certificate is refused as the seal and the seal stays as it was', async () => {
  const before = sealSubject().fingerprint256;
  const wardCa = fromPkcs12(readFileSync(join(dir, 'bundle', 'ward-ca.p12')), PINS.WARDDESK_WARD_CA_PIN);
  writeFileSync(join(dir, 'tls.p12'), toPkcs12(issueTls(wardCa, { hosts: ['warddesk.local'], ips: [] }), 'issuer-pass'));
  const r = await ca('import-p12', join(dir, 'tls.p12'), '--holder', 'seal');
  assert.is(r.code, 1);
  assert.match(r.out, /not a signing certificate/);
  assert.match(r.out, /không phải chứng thư ký số/);
  assert.is(sealSubject().fingerprint256, before);
});

test('a foreign certificate needs its root trusted and, with no role in its profile, the admin\'s mapping; the node audits both', async () => {
  const gov = foreignRoot();
  const vague = foreignCert(gov, [{ type: OID.C, value: 'VN' }, { type: OID.CN, value: 'UBND Phường Mẫu' }], { eku: ['emailProtection', 'clientAuth'] });
  writeFileSync(join(dir, 'vague.p12'), toPkcs12(vague, 'issuer-pass'));
  writeFileSync(join(dir, 'gov-root.pem'), gov.chain[0]!);
  assert.match((await ca('import-p12', join(dir, 'vague.p12'), '--holder', 'seal')).out, /trusted root/);
  assert.is((await ca('trust', 'add', join(dir, 'city', 'city-root.p12'))).code, 1, 'not a certificate');
  const added = await ca('trust', 'add', join(dir, 'gov-root.pem'));
  assert.is(added.code, 0, added.out);
  assert.match((await ca('trust', 'list')).out, /Cục Chứng thực số Thử/);
  const unknown = await ca('import-p12', join(dir, 'vague.p12'), '--holder', 'seal');
  assert.is(unknown.code, 1);
  assert.match(unknown.out, /--as leader\|seal/);
  const leaderMap = await ca('import-p12', join(dir, 'vague.p12'), '--holder', 'seal', '--as', 'leader');
  assert.is(leaderMap.code, 1, 'mapped as an official, it cannot be the seal');
  const mapped = await ca('import-p12', join(dir, 'vague.p12'), '--holder', 'seal', '--as', 'seal');
  assert.is(mapped.code, 0, mapped.out);
  assert.match(mapped.out, /role mapped by the admin/);

  const ward = await startTestWard({}, data);
  try {
    let entries: { action: string; target: string; actor: { user: string } }[] = [];
    for (let i = 0; i < 100 && !entries.some((e) => e.action === 'certificate.import'); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      entries = (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as typeof entries[number]);
    }
    assert.ok(entries.some((e) => e.action === 'trust.root.add' && /Cục Chứng thực số Thử/.test(e.target) && e.actor.user.startsWith('console')));
    assert.ok(entries.some((e) => e.action === 'certificate.import' && /^seal:[0-9a-f]+ role=agency from=admin-mapping/.test(e.target)), JSON.stringify(entries.map((e) => e.action)));
    assert.is(entries.filter((e) => e.action === 'certificate.enrol').length, 1, 'each console line once');
  } finally { await ward.stop(); }
});

test.run();
