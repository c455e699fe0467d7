// The verdict holds the agency seal to the agency the document prints (the
// /Author the renderer writes, as the leader signed it): a genuine, trusted
// seal certificate of another agency makes the document invalid, in our
// verifier, while pdfsig (which knows nothing of agencies) still calls the
// signature itself valid.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-seal-agency-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const date = { day: '02', month: '03', year: '2026' };

async function issuedBy(author: string): Promise<Buffer> {
  const base = await twoPagePdf('Quyết định thử', author);
  const leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  return signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '05', date, trust });
}

test('a seal naming the agency the document prints verifies valid, whatever the letter case', async () => {
  const v = await verifyPdf(await issuedBy('UBND PHƯỜNG MẪU'), trust);
  assert.is(v.status, 'valid', JSON.stringify(v));
  assert.equal(v.signatures.map((s) => s.role), ['leader', 'agency']);
});

test('a trusted seal of another agency than the one printed makes the document invalid, with the reason in vi and en', async () => {
  const pdf = await issuedBy('UBND Phường Khác');
  const v = await verifyPdf(pdf, trust);
  assert.is(v.status, 'invalid');
  const seal = v.signatures[1]!;
  assert.is(seal.status, 'invalid');
  assert.is(seal.integrity, 'valid');
  assert.is(seal.chain, 'valid');
  const r = seal.reasons.find((x) => x.code === 'seal_wrong_agency');
  assert.ok(r && /UBND Phường Khác/.test(r.en) && /cơ quan ban hành/.test(r.vi), JSON.stringify(seal.reasons));
  assert.is(v.signatures[0]!.status, 'valid', 'the leader\'s own signature is not at fault');
  // The signature as such is sound: what is wrong is whose seal it is.
  const entries = pdfsigWithRoot(dir, pki.rootPem)(pdf, 'other-agency.pdf');
  assert.equal(entries.map((e) => e.signature), ['Signature is Valid.', 'Signature is Valid.']);
});

test('the caller may name the agency itself: it wins over what the file says', async () => {
  const pdf = await issuedBy('UBND PHƯỜNG MẪU');
  assert.is((await verifyPdf(pdf, { ...trust, agencyName: 'UBND Phường Khác' })).status, 'invalid');
});

test.run();
