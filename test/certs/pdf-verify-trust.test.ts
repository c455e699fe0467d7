// Whom the verifier trusts: the chain to the given root (another CA's
// certificate, key usage, path length), validity at signing time, revocation
// from CRLs made in code (revoked, forged, out of date, missing → unknown),
// and `warddesk verify`'s report and exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKey, issueCertificate, type CertKind } from '../../certs/ca.js';
import { createCrl } from '../../certs/crl.js';
import { signAsAgency, signAsLeader, type Signer } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import type { PdfVerdict } from '../../certs/verdict.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-verify-trust-'));
const pki = makeTestPki();
const wardCa = { certPem: pki.wardCaPem, privateKey: pki.wardCa.privateKey };
const pdfsig = pdfsigWithRoot(dir, pki.rootPem);
let base: Awaited<ReturnType<typeof twoPagePdf>>;
let issued: Buffer;

test.before(async () => {
  base = await twoPagePdf();
  const leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust: { roots: [pki.rootPem], crls: pki.crl() } });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const sign = (signer: Signer) => signAsLeader(base.pdf, { signer, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
const has = (v: PdfVerdict, code: string) => v.signatures.some((s) => s.reasons.some((r) => r.code === code));
function issue(kind: CertKind, commonName: string, issuer: { certPem: string; privateKey: Signer['privateKey'] }, chainAbove: string[]): Signer {
  const key = generateKey(2048);
  const pem = issueCertificate({ kind, subject: { commonName }, publicKey: key.publicKey, issuer, days: 30 });
  return { privateKey: key.privateKey, chain: [pem, ...chainAbove] };
}

test('a certificate from another CA is untrusted, for pdfsig too', async () => {
  const stranger = sign(pki.stranger);
  const v = await verifyPdf(stranger, { roots: [pki.rootPem], crls: pki.crl() });
  assert.is(v.status, 'invalid');
  assert.is(v.signatures[0]!.chain, 'invalid');
  assert.ok(has(v, 'untrusted_chain'));
  assert.is.not(pdfsig(stranger, 'stranger.pdf')[0]!.certificate, 'Certificate is Trusted.');
});

test('a certificate expired at signing time is rejected', async () => {
  const expired = pki.issueLeader({ notBefore: new Date(Date.now() - 10 * 86_400_000), days: 2 });
  const v = await verifyPdf(sign(expired), { roots: [pki.rootPem], crls: pki.crl() });
  assert.is(v.status, 'invalid');
  assert.ok(has(v, 'expired_at_signing'));
});

test('a CA certificate used to sign a document has the wrong key usage; a CA below the ward CA breaks its path length', async () => {
  const caAsSigner = issue('ward-ca', 'Một CA ký văn bản', wardCa, [pki.wardCaPem, pki.rootPem]);
  const v1 = await verifyPdf(sign(caAsSigner), { roots: [pki.rootPem], crls: pki.crl() });
  assert.is(v1.signatures[0]!.chain, 'invalid');
  assert.ok(has(v1, 'wrong_key_usage'), JSON.stringify(v1.signatures[0]!.reasons));

  const subCaKey = generateKey(2048);
  const subCaPem = issueCertificate({ kind: 'ward-ca', subject: { commonName: 'CA cấp dưới' }, publicKey: subCaKey.publicKey, issuer: wardCa, days: 30 });
  const deep = issue('leader', 'Lê Văn Cường', { certPem: subCaPem, privateKey: subCaKey.privateKey }, [subCaPem, pki.wardCaPem, pki.rootPem]);
  const v2 = await verifyPdf(sign(deep), { roots: [pki.rootPem], crls: pki.crl() });
  assert.is(v2.signatures[0]!.chain, 'invalid');
  assert.ok(has(v2, 'path_too_long'), JSON.stringify(v2.signatures[0]!.reasons));
});

test('a revoked certificate without a timestamp is never valid (signing time unproven); the newest genuine list of an issuer is the one that counts', async () => {
  const revokedEntry = { serial: pki.serialOf(pki.leader.chain[0]!), date: new Date(Date.now() - 1000), reason: 'keyCompromise' as const };
  const v1 = await verifyPdf(issued, { roots: [pki.rootPem], crls: pki.crl([revokedEntry]) });
  assert.is(v1.status, 'unknown');
  assert.ok(has(v1, 'signing_time_unproven'));
  assert.equal(v1.signatures.map((s) => s.revocation), ['invalid', 'valid']);
  assert.ok(v1.signatures[0]!.reasons.some((r) => r.code === 'revoked' && /thu hồi/.test(r.vi) && /revoked/.test(r.en)));

  const now = Date.now();
  const newer = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked: [revokedEntry], crlNumber: 2, thisUpdate: new Date(now - 1000), nextUpdate: new Date(now + 86_400_000) });
  const v2 = await verifyPdf(issued, { roots: [pki.rootPem], crls: [...pki.crl(), newer] });
  assert.is(v2.signatures[0]!.revocation, 'invalid', 'an older, empty list does not hide the revocation');
});

test('without a genuine, current CRL for an issuer revocation is unknown, never valid', async () => {
  const now = Date.now();
  const [, rootCrl] = pki.crl();
  const forged = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: generateKey(2048).privateKey, revoked: [], crlNumber: 9, thisUpdate: new Date(now - 1000), nextUpdate: new Date(now + 86_400_000) });
  const stale = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked: [], crlNumber: 1, thisUpdate: new Date(now - 3 * 86_400_000), nextUpdate: new Date(now - 86_400_000) });
  for (const [what, crls] of [['no CRL', []], ['a CRL signed by another key', [forged, rootCrl!]], ['an out-of-date CRL', [stale, rootCrl!]], ['only the root\'s CRL', [rootCrl!]]] as const) {
    const v = await verifyPdf(issued, { roots: [pki.rootPem], crls: [...crls] });
    assert.is(v.status, 'unknown', what);
    assert.ok(v.signatures.every((s) => s.revocation === 'unknown' && s.integrity === 'valid' && s.chain === 'valid'), what);
    assert.ok(has(v, 'revocation_unknown'), what);
  }
  const garbage = await verifyPdf(issued, { roots: [pki.rootPem], crls: [Buffer.from('not a CRL')] });
  assert.is(garbage.status, 'unknown');
});

const run = promisify(execFile);
async function warddesk(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = join(process.cwd(), 'node', 'cli.ts');
  try {
    const r = await run(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, WARDDESK_DATA_DIR: join(dir, 'no-node') }, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('warddesk verify reports in Vietnamese and English and exits 0 valid, 1 invalid, 2 unknown, 3 usage', async () => {
  const file = (name: string, bytes: Buffer | string) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
  const pdf = file('issued.pdf', issued);
  const root = file('root.pem', pki.rootPem);
  const [wardCrl, rootCrl] = pki.crl().map((c, i) => file(`${i}.crl`, c));
  const tampered = Buffer.from(issued);
  tampered[2000] = tampered[2000]! ^ 0x01;
  const [valid, unknown, invalid, usage] = await Promise.all([
    warddesk(['verify', pdf, '--root', root, '--crl', wardCrl!, '--crl', rootCrl!]),
    warddesk(['verify', pdf, '--root', root]),
    warddesk(['verify', file('tampered.pdf', tampered), '--root', root, '--crl', wardCrl!, '--crl', rootCrl!, '--json']),
    warddesk(['verify', '--root', root]),
  ]);
  assert.is(valid.code, 0, valid.stdout + valid.stderr);
  assert.match(valid.stdout, /Kết quả \/ result: HỢP LỆ \/ VALID/);
  assert.match(valid.stdout, /Chữ ký \/ signature #1 — lãnh đạo \/ leader: Nguyễn Văn An/);
  assert.match(valid.stdout, /Chữ ký \/ signature #2 — cơ quan \/ agency/);
  assert.is(unknown.code, 2);
  assert.match(unknown.stdout, /CHƯA XÁC ĐỊNH \/ UNKNOWN/);
  assert.match(unknown.stdout, /Không kiểm tra được tình trạng thu hồi/);
  assert.match(unknown.stdout, /Revocation could not be checked/);
  assert.is(invalid.code, 1);
  const json = JSON.parse(invalid.stdout) as PdfVerdict;
  assert.is(json.status, 'invalid');
  assert.ok(has(json, 'digest_mismatch'));
  assert.is(usage.code, 3);
  assert.match(usage.stderr, /missing the PDF file/);
});

test.run();
