// PAdES baseline levels on an issued two-signature document: B-B (no CMS
// signing-time, /M, ESS signing-certificate-v2), B-T (a signature timestamp
// from the city TSA), B-LT/B-LTA (DSS and a document timestamp the city
// appends), checked by openssl, pdfsig and qpdf as well as our verifier; and
// backdating: an expired or revoked certificate is valid only with a
// timestamp proving the signature was made while it was valid.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCms } from '../../certs/cms-read.js';
import { createCrl } from '../../certs/crl.js';
import { appendLtv, type Timestamper } from '../../certs/pdf-ltv.js';
import { locateSignatures } from '../../certs/pdf-revisions.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { addSignatureTimestamp } from '../../certs/pdf-timestamp.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { issueToken, issueTsa } from '../../certs/tsa.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-pades-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const pki = makeTestPki();
const tsa = issueTsa(pki.root);
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const stamp = (at?: () => Date): Timestamper => async (imprint) => issueToken(tsa, { imprint }, at?.());
const pdfsig = pdfsigWithRoot(dir, pki.rootPem);
const base = await twoPagePdf();

async function issue(o: { leader?: typeof pki.leader; signingTime?: Date; bt?: boolean } = {}): Promise<Buffer> {
  let leader = signAsLeader(base.pdf, { signer: o.leader ?? pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout, ...(o.signingTime ? { signingTime: o.signingTime } : {}) });
  if (o.bt) leader = await addSignatureTimestamp(leader, stamp(o.signingTime ? () => o.signingTime! : undefined));
  let issued = await signAsAgency(leader, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '07', date: { day: '02', month: '03', year: '2026' }, trust: { ...trust, ...(o.signingTime ? {} : {}) } });
  if (o.bt) issued = await addSignatureTimestamp(issued, stamp());
  return issued;
}

test('B-B: the CMS has no signing-time attribute but ESS signing-certificate-v2; the time is /M and verify reads it; pdfsig says both valid', async () => {
  const issued = await issue();
  const located = locateSignatures(issued.toString('latin1'));
  assert.is(located.length, 2);
  for (const l of located) {
    if (!l.ok) throw new Error(l.problem);
    const cms = readCms(l.range.contents);
    assert.is(cms.signingTime, null);
    assert.ok(cms.signingCertHash && cms.signingCertHash.length === 32);
    const derFile = join(dir, `sig-${l.range.revision}.der`);
    const der = l.range.contents.subarray(0, 4 + l.range.contents.readUInt16BE(2));
    writeFileSync(derFile, der);
    const printed = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', derFile], { encoding: 'utf8' });
    assert.is(printed.status, 0, printed.stderr);
    assert.not.match(printed.stdout, /signingTime/);
    assert.match(printed.stdout, /id-smime-aa-signingCertificateV2/);
  }
  assert.match(issued.toString('latin1'), /\/M \(D:\d{14}\+07'00'\)/);
  const v = await verifyPdf(issued, trust);
  assert.is(v.status, 'valid', JSON.stringify(v.signatures.map((s) => s.reasons)));
  assert.ok(v.signatures.every((s) => s.signingTimeSource === 'claimed' && s.signingTime && Math.abs(Date.parse(s.signingTime) - Date.now()) < 120_000));
  assert.equal(pdfsig(issued, 'bb.pdf').map((e) => e.signature), ['Signature is Valid.', 'Signature is Valid.']);
});

test('B-T: a signature timestamp over each signature value gives the proven signing time; pdfsig still says both valid', async () => {
  const issued = await issue({ bt: true });
  const v = await verifyPdf(issued, trust);
  assert.is(v.status, 'valid', JSON.stringify(v.signatures.map((s) => s.reasons)));
  assert.ok(v.signatures.every((s) => s.signingTimeSource === 'timestamp' && s.timestamp?.status === 'valid' && s.timestamp.tsaName === 'WardDesk City TSA'));
  assert.equal(pdfsig(issued, 'bt.pdf').map((e) => [e.signature, e.certificate]), [['Signature is Valid.', 'Certificate is Trusted.'], ['Signature is Valid.', 'Certificate is Trusted.']]);
});

test('LTV: the city\'s DSS and document timestamp are accepted and reported; pdfsig says both signatures valid and trusted; qpdf --check passes', async () => {
  const issued = await issue();
  const ltv = await appendLtv(issued, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: pki.crl(), timestamper: stamp() });
  assert.ok(ltv.subarray(0, issued.length).equals(issued), 'the signed bytes are untouched');
  const v = await verifyPdf(ltv, trust);
  assert.is(v.status, 'valid', JSON.stringify([v.reasons, v.signatures.map((s) => [s.reasons, s.changes])]));
  assert.is(v.signatures.length, 2);
  assert.is(v.documentTimestamps?.length, 1);
  assert.is(v.documentTimestamps![0]!.status, 'valid');
  assert.is(v.documentTimestamps![0]!.tsaName, 'WardDesk City TSA');
  const entries = pdfsig(ltv, 'ltv.pdf');
  assert.equal(entries.slice(0, 2).map((e) => [e.signature, e.certificate]), [['Signature is Valid.', 'Certificate is Trusted.'], ['Signature is Valid.', 'Certificate is Trusted.']]);
  const q = spawnSync('qpdf', ['--check', join(dir, 'ltv.pdf')], { encoding: 'utf8' });
  assert.is(q.status, 0, q.stdout + q.stderr);
  assert.match(ltv.toString('latin1'), /\/Type \/DocTimeStamp/);
  assert.match(ltv.toString('latin1'), /\/DSS \d+ 0 R/);
});

test('LTV: anything else in the revision after the last signature, or a document timestamp over other data, makes the file invalid', async () => {
  const issued = await issue();
  const ltv = await appendLtv(issued, { certificates: pki.leader.chain, crls: [], timestamper: async () => issueToken(tsa, { imprint: Buffer.alloc(32, 9) }) });
  const v = await verifyPdf(ltv, trust);
  assert.is(v.status, 'invalid');
  assert.is(v.documentTimestamps![0]!.reasons[0]!.code, 'bad_timestamp');
  const good = await appendLtv(issued, { certificates: pki.leader.chain, crls: [], timestamper: stamp() });
  const extra = Buffer.concat([good, Buffer.from('1 0 obj\n<< /Evil true >>\nendobj\n')]);
  assert.is((await verifyPdf(extra, trust)).status, 'invalid');
});

test('LTV years later: the CRLs in the DSS under the document timestamp prove revocation when the ward CA\'s own list is gone; a forged list there counts for nothing', async () => {
  const issued = await issue();
  const [wardCrl, rootCrl] = pki.crl();
  const ltv = await appendLtv(issued, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: [wardCrl!, rootCrl!], timestamper: stamp() });
  // Three days on, every list in the file has expired; the city still publishes its root's list.
  const later = new Date(Date.now() + 3 * 86_400_000);
  const freshRootCrl = createCrl({ issuerCertPem: pki.rootPem, issuerKey: pki.root.privateKey, revoked: [], crlNumber: 2, thisUpdate: new Date(later.getTime() - 60_000), nextUpdate: new Date(later.getTime() + 86_400_000) });
  const years = { roots: [pki.rootPem], crls: [freshRootCrl], now: later };
  const v = await verifyPdf(ltv, years);
  assert.is(v.status, 'valid', JSON.stringify(v.signatures.map((s) => s.reasons)));
  assert.equal(v.signatures.map((s) => s.revocation), ['valid', 'valid']);

  // The same update without the ward CA's list in its DSS: the signatures' revocation cannot be known.
  const bare = await appendLtv(issued, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: [rootCrl!], timestamper: stamp() });
  const vb = await verifyPdf(bare, years);
  assert.is(vb.status, 'unknown');
  assert.ok(vb.signatures.every((s) => s.reasons.some((r) => r.code === 'revocation_unknown')));

  // A list naming the ward CA as issuer but signed by another key, in the DSS, is not the ward CA's.
  const forged = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.root.privateKey, revoked: [], crlNumber: 9, thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 10 * 86_400_000) });
  const withForged = await appendLtv(issued, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: [forged, rootCrl!], timestamper: stamp() });
  assert.is((await verifyPdf(withForged, years)).status, 'unknown');

  // A DSS list that revokes the leader before the document timestamp makes the leader's signature invalid.
  const revoking = pki.crl([{ serial: pki.serialOf(pki.leader.chain[0]!), date: new Date(Date.now() - 30_000), reason: 'keyCompromise' }]);
  const revoked = await appendLtv(issued, { certificates: [...pki.leader.chain, ...pki.agency.chain, ...tsa.chain], crls: revoking, timestamper: stamp() });
  const vr = await verifyPdf(revoked, years);
  assert.is(vr.status, 'invalid');
  assert.ok(vr.signatures[0]!.reasons.some((r) => r.code === 'revoked'), JSON.stringify(vr.signatures[0]!.reasons));
});

test('backdating: an expired certificate with a claimed time inside validity and no timestamp is unknown (signing time unproven), never valid', async () => {
  // The test PKI is minutes old: a leader certificate valid for two minutes, expired a minute ago.
  const old = pki.issueLeader({ notBefore: new Date(Date.now() - 4 * 60_000), days: 3 / 1440 });
  const claimed = new Date(Date.now() - 3 * 60_000);
  const signed = signAsLeader(base.pdf, { signer: old, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout, signingTime: claimed });
  const v = await verifyPdf(signed, trust);
  assert.is(v.status, 'unknown', JSON.stringify(v.signatures[0]!.reasons));
  const r = v.signatures[0]!.reasons.find((x) => x.code === 'signing_time_unproven');
  assert.ok(r, JSON.stringify(v.signatures[0]!.reasons));
  assert.match(r!.vi, /chưa được chứng minh/);
  assert.match(r!.en, /signing time is unproven/);
});

test('backdating: the same expired certificate with a valid timestamp inside its validity is valid', async () => {
  const old = pki.issueLeader({ notBefore: new Date(Date.now() - 4 * 60_000), days: 3 / 1440 });
  const at = new Date(Date.now() - 3 * 60_000);
  const signed = signAsLeader(base.pdf, { signer: old, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout, signingTime: at });
  const stamped = await addSignatureTimestamp(signed, stamp(() => at));
  const v = await verifyPdf(stamped, trust);
  assert.is(v.status, 'valid', JSON.stringify(v.signatures[0]!.reasons));
  assert.is(v.signatures[0]!.signingTimeSource, 'timestamp');
  // A timestamp made after the certificate expired proves nothing about validity: still unknown.
  const late = await addSignatureTimestamp(signed, stamp());
  assert.is((await verifyPdf(late, trust)).status, 'unknown');
});

test('backdating: a revoked certificate is valid with a timestamp before its revocation, unknown without one, invalid with one after', async () => {
  const leaderOnly = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  const revokedAt = new Date(Date.now() + 60_000);
  const crls = pki.crl([{ serial: pki.serialOf(pki.leader.chain[0]!), date: revokedAt, reason: 'keyCompromise' }]);
  const before = await addSignatureTimestamp(leaderOnly, stamp());
  assert.is((await verifyPdf(before, { roots: [pki.rootPem], crls })).status, 'valid');
  const none = await verifyPdf(leaderOnly, { roots: [pki.rootPem], crls });
  assert.is(none.status, 'unknown');
  assert.ok(none.signatures[0]!.reasons.some((r) => r.code === 'signing_time_unproven'));
  const after = await addSignatureTimestamp(leaderOnly, stamp(() => new Date(revokedAt.getTime() + 120_000)));
  assert.is((await verifyPdf(after, { roots: [pki.rootPem], crls })).status, 'invalid');
});

test.run();
