// Roles enforced on a real ward node over HTTP: the admin cannot install the
// ward's TLS certificate, the leader's key or another agency's seal as the
// agency seal (nothing stored); a foreign CA's certificates import only once
// its root is trusted, with the role from the certificate's profile or the
// admin's mapping, both in the audit log; a rename makes the seal stale (a
// settings notice, the clerk's step refuses) until it is re-issued; and the
// node serves its CRLs and CA certificates without login at the URL its
// certificates carry, which openssl parses and pdfsig's signed PDF shows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueSigning, issueTls } from '../../certs/ca-issue.js';
import { toPkcs12, type Pkcs12Contents } from '../../certs/ca.js';
import { SEAL } from '../../node/signing.js';
import { foreignCert, foreignRoot, OID } from '../helpers/foreign-ca.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { CA_PIN, SEAL_PIN, startSigningWard, LEADER_PIN } from '../helpers/signing-ward.js';
import { Client, sampleDraft, type TestWard } from '../helpers/ward.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-holder-keys-'));
let ward: TestWard;
const AGENCY = 'UBND PHƯỜNG MẪU';
const P12_PASS = 'issuer-pass';

test.before(async () => {
  ward = await startSigningWard();
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

/** The helper's ward CA, unlocked the way the node does it: certificates it issues are genuine, only their profile is wrong. */
const wardCa = (): Promise<Pkcs12Contents> => ward.node.signing.keys.unlock('ward-ca', CA_PIN);
const sealFingerprint = () => new X509Certificate(ward.node.signing.keys.chain(SEAL)[0]!).fingerprint256;
const importP12 = (holder: string, contents: Pkcs12Contents, extra: Record<string, unknown> = {}) =>
  ward.admin.post('/api/certificates/import', { holder, p12: toPkcs12(contents, P12_PASS).toString('base64'), password: P12_PASS, pin: '864209', ...extra });
const audit = async () => (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as { action: string; target: string });

/**
 * Key generation is synchronous and, on a loaded machine, blocks the loop longer than the server's
 * keep-alive: undici would then write on a socket whose close it has not yet seen ("fetch failed").
 * One turn of the loop lets it see the close first.
 */
const settle = () => new Promise((r) => setTimeout(r, 100));

async function login(username: string): Promise<Client> {
  const c = new Client(ward.url);
  await c.login(username, `${username}-real-password`);
  return c;
}

test('the ward\'s TLS certificate, the leader\'s key and another agency\'s seal are refused as the seal, and nothing is stored', async () => {
  const ca = await wardCa();
  const before = sealFingerprint();
  const files = readdirSync(ward.node.signing.keys.dir).sort();
  const cases: [string, Pkcs12Contents, string][] = [
    [SEAL, issueTls(ca, { hosts: ['warddesk.local'], ips: ['127.0.0.1'] }), 'certificate_not_for_signing'],
    [SEAL, issueSigning(ca, 'leader', { commonName: 'Nguyễn Văn An', organization: AGENCY }), 'certificate_wrong_role'],
    [SEAL, issueSigning(ca, 'agency', { commonName: 'UBND Phường Khác' }), 'certificate_wrong_agency'],
    ['lanhdao', issueSigning(ca, 'agency', { commonName: AGENCY }), 'certificate_wrong_role'],
  ];
  await settle();
  for (const [holder, contents, code] of cases) {
    const r = await importP12(holder, contents);
    assert.is(r.status, 422, `${code}: ${JSON.stringify(r.body)}`);
    assert.is(r.body.code, code);
    assert.ok(r.body.message.vi && r.body.message.en);
  }
  assert.is(sealFingerprint(), before, 'the seal is the one enrolled before');
  assert.equal(readdirSync(ward.node.signing.keys.dir).sort(), files, 'no file written');
});

test('a foreign CA\'s certificate is refused until its root is trusted; then the role comes from its profile or the admin\'s audited mapping', async () => {
  const gov = foreignRoot();
  const org = foreignCert(gov, [{ type: OID.C, value: 'VN' }, { type: OID.O, value: 'UBND Phường Mẫu' }, { type: OID.UID, value: 'MST:0312345678' }, { type: OID.CN, value: 'UBND Phường Mẫu' }]);
  const vague = foreignCert(gov, [{ type: OID.C, value: 'VN' }, { type: OID.CN, value: 'UBND Phường Mẫu' }], { eku: ['emailProtection', 'clientAuth'] });
  await settle();
  const untrusted = await importP12(SEAL, org);
  assert.is(untrusted.status, 422);
  assert.is(untrusted.body.code, 'certificate_untrusted');

  assert.is((await ward.admin.post('/api/trusted-roots', { pem: org.chain[0]! })).body.code, 'root_not_ca', 'a leaf is no root');
  const added = await ward.admin.post('/api/trusted-roots', { pem: gov.chain[0]! });
  assert.is(added.status, 201, JSON.stringify(added.body));
  const roots = await ward.admin.get('/api/trusted-roots');
  assert.equal(roots.body.imported.map((r: { fingerprint: string }) => r.fingerprint), [added.body.fingerprint]);

  const fromProfile = await importP12(SEAL, org);
  assert.is(fromProfile.status, 201, JSON.stringify(fromProfile.body));
  assert.is(fromProfile.body.role, 'agency');
  assert.is(fromProfile.body.roleFrom, 'certificate');

  const unknown = await importP12(SEAL, vague);
  assert.is(unknown.status, 422);
  assert.is(unknown.body.code, 'certificate_role_unknown');
  const mapped = await importP12(SEAL, vague, { as: 'seal' });
  assert.is(mapped.status, 201, JSON.stringify(mapped.body));
  assert.is(mapped.body.roleFrom, 'mapping');

  const entries = await audit();
  assert.ok(entries.some((e) => e.action === 'trust.root.add' && e.target.startsWith(added.body.fingerprint)));
  assert.ok(entries.some((e) => e.action === 'certificate.import' && /role=agency from=certificate/.test(e.target)));
  assert.ok(entries.some((e) => e.action === 'certificate.import' && e.target.startsWith(`seal:${mapped.body.serial}`) && /from=admin-mapping/.test(e.target)));

  // Mapped certificates sign in their mapped role, and the node's lists and verdicts say so rather than 'unknown'.
  const person = foreignCert(gov, [{ type: OID.C, value: 'VN' }, { type: OID.CN, value: 'Nguyễn Văn An' }], { eku: ['emailProtection', 'clientAuth'] });
  await settle();
  const mappedLeader = await importP12('lanhdao', person, { as: 'leader', pin: LEADER_PIN });
  assert.is(mappedLeader.status, 201, JSON.stringify(mappedLeader.body));
  const listed = (await ward.admin.get('/api/certificates')).body.items as { holder: string; role: string }[];
  assert.equal(listed.filter((i) => i.holder === 'user.lanhdao' || i.holder === SEAL).map((i) => i.role).sort(), ['agency', 'leader']);
  const { id, clerk } = await signedDocument();
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: '864209' } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  const verdict = (await clerk.get(`/api/documents/${id}/verification`)).body.verdict as { signatures: { role: string; roleFrom?: string; status: string }[] };
  assert.equal(verdict.signatures.map((s) => [s.role, s.roleFrom]), [['leader', 'mapping'], ['agency', 'mapping']]);
  assert.ok(verdict.signatures.every((s) => s.status !== 'invalid'), JSON.stringify(verdict));

  // The ward's own keys back, for the tests after this one.
  assert.is((await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN })).status, 201);
  assert.is((await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN })).status, 201);
});

async function signedDocument(): Promise<{ id: string; clerk: Client }> {
  const specialist = await login('chuyenvien');
  const leader = await login('lanhdao');
  const clerk = await login('vanthu');
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const signed = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(signed.status, 200, JSON.stringify(signed.body));
  assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).status, 200);
  return { id, clerk };
}

test('after a rename the settings say the seal must be re-issued and the clerk\'s step refuses it; the re-issued seal issues, pdfsig trusts both signatures', async () => {
  assert.equal((await ward.admin.get('/api/settings')).body.notices, []);
  assert.is((await ward.admin.request('PATCH', '/api/settings', { agencyName: 'UBND Phường Mới' })).status, 200);
  const settings = (await ward.admin.get('/api/settings')).body;
  assert.is(settings.seal.stale, true);
  assert.equal(settings.notices.map((n: { code: string }) => n.code), ['seal_reissue_required']);
  assert.match(settings.notices[0].vi, /cấp lại/);

  const { id, clerk } = await signedDocument();
  const refused = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: SEAL_PIN } });
  assert.is(refused.status, 409, JSON.stringify(refused.body));
  assert.is(refused.body.code, 'seal_reissue_required');
  assert.is((await clerk.get(`/api/documents/${id}`)).body.state, 'numbered', 'nothing issued');

  assert.is((await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN })).status, 201);
  assert.equal((await ward.admin.get('/api/settings')).body.notices, []);
  const issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: SEAL_PIN } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  const verification = (await clerk.get(`/api/documents/${id}/verification`)).body;
  assert.is(verification.verdict.status, 'valid', JSON.stringify(verification.verdict));

  const pdf = Buffer.from(await (await fetch(`${ward.url}/api/blobs/${verification.pdf}`, { headers: { cookie: clerk.cookie } })).arrayBuffer());
  const check = pdfsigWithRoot(join(dir, 'pdfsig'), ward.node.signing.root());
  const entries = check(pdf, 'issued.pdf');
  assert.is(entries.length, 2);
  for (const e of entries) { assert.is(e.signature, 'Signature is Valid.'); assert.is(e.certificate, 'Certificate is Trusted.'); }

  // The seal's certificate inside the PDF carries the node's CRL distribution point and AIA.
  const file = join(dir, 'pdfsig', 'issued.pdf');
  const dump = spawnSync('pdfsig', ['-nssdir', `sql:${join(dir, 'pdfsig', 'nss')}`, '-dump', file], { cwd: join(dir, 'pdfsig'), encoding: 'utf8' });
  assert.is(dump.status, 0, dump.stderr);
  const sig = readdirSync(join(dir, 'pdfsig')).filter((f) => /^issued\.pdf\.sig\d+$/.test(f)).sort().at(-1)!;
  const certs = execFileSync('openssl', ['pkcs7', '-inform', 'DER', '-in', join(dir, 'pdfsig', sig), '-print_certs'], { encoding: 'utf8' });
  // The signature carries its chain: the seal's certificate is the one of the seal's role.
  const texts = (certs.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem, i) => {
    writeFileSync(join(dir, `c${i}.pem`), pem);
    return execFileSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8', '-in', join(dir, `c${i}.pem`)], { encoding: 'utf8' });
  });
  const leaf = texts.find((t) => /Subject:.*WardDesk Agency Seal/.test(t)) ?? '';
  assert.match(leaf, /CN ?= ?UBND Phường Mới/);
  assert.match(leaf, /X509v3 CRL Distribution Points:[\s\S]*URI:http:\/\/[^\s]+\/pki\/phuong-mau\.crl/);
  assert.match(leaf, /CA Issuers - URI:http:\/\/[^\s]+\/pki\/phuong-mau\.cer/);
});

test('the node serves its CA\'s CRL and certificate and the city root\'s without login; openssl parses them', async () => {
  const get = async (path: string) => { const r = await fetch(`${ward.url}${path}`); return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) }; };
  for (const [path, kind] of [['/pki/phuong-mau.crl', 'crl'], ['/pki/ward-ca.crl', 'crl'], ['/pki/city-root.crl', 'crl'], ['/pki/phuong-mau.cer', 'x509'], ['/pki/city-root.cer', 'x509']] as const) {
    const r = await get(path);
    assert.is(r.status, 200, path);
    assert.match(r.type, kind === 'crl' ? /pkix-crl/ : /pkix-cert/);
    const f = join(dir, `served.${kind}`);
    writeFileSync(f, r.body);
    const parsed = spawnSync('openssl', [kind, '-inform', 'DER', '-noout', '-text', '-in', f], { encoding: 'utf8' });
    assert.is(parsed.status, 0, `${path}: ${parsed.stderr}`);
    if (kind === 'crl') assert.match(parsed.stdout, /Certificate Revocation List/);
  }
  const missing = await get('/pki/other-ward.crl');
  assert.is(missing.status, 404);
  assert.is(JSON.parse(missing.body.toString()).code, 'not_found');
});

test.run();
