// The verifier on real two-step Decree 30 files: integrity of each signed
// range, the structure of the ranges, and what a later revision may change.
// The good file and the tampered one are cross-checked with poppler's pdfsig.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { fillAndSeal } from '../../certs/pdf-fill.js';
import { formFields, SLOT_FIELDS } from '../../certs/pdf-fields.js';
import { getDict, IncrementalUpdate, pageRefs, readPdf } from '../../certs/pdf-file.js';
import { dict, name, Ref, serialize } from '../../certs/pdf-objects.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import type { PdfVerdict } from '../../certs/verdict.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-verify-'));
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const pdfsig = pdfsigWithRoot(dir, pki.rootPem);
let base: Awaited<ReturnType<typeof twoPagePdf>>;
let leaderSigned: Buffer;
let issued: Buffer;

test.before(async () => {
  base = await twoPagePdf();
  leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '05', date: { day: '02', month: '03', year: '2026' }, trust });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const FAKE = Buffer.from('BT /F1 40 Tf 100 400 Td (FAKE) Tj ET');

/** An incremental update that gives page 1 a second content stream. */
function withExtraContent(bytes: Buffer): Buffer {
  const pdf = readPdf(bytes);
  const update = new IncrementalUpdate(pdf);
  const page = pageRefs(pdf)[0]!;
  const copy = new Map(getDict(pdf, page));
  copy.set('Contents', [copy.get('Contents')!, update.add(new Map(), FAKE)]);
  update.put(page, copy);
  return update.toBuffer();
}

const codes = (v: PdfVerdict) => [...v.reasons, ...v.signatures.flatMap((s) => s.reasons)].map((r) => r.code);
/** The clerk's step over `pdf` without its check of the leader's signature, so that an update sits between two signatures. */
const signOver = (pdf: Buffer) => fillAndSeal(pdf, {
  signer: pki.agency, signingTime: new Date(), reason: 'test', values: { number: '05', day: '02', month: '03', year: '2026' },
  seal: () => ({ content: '', resources: dict({}) }),
});

test('a good two-signature file is valid, revision by revision, and pdfsig agrees', async () => {
  const v = await verifyPdf(issued, trust);
  assert.is(v.status, 'valid', JSON.stringify(codes(v)));
  assert.equal(v.signatures.map((s) => [s.role, s.revision, s.status]), [['leader', 2, 'valid'], ['agency', 3, 'valid']]);
  assert.is(v.signatures[0]!.coversBytes, leaderSigned.length);
  assert.is(v.signatures[1]!.coversBytes, issued.length);
  assert.is(v.trailingBytes, 0);
  assert.equal(pdfsig(issued, 'good.pdf'), [
    { signature: 'Signature is Valid.', certificate: 'Certificate is Trusted.' },
    { signature: 'Signature is Valid.', certificate: 'Certificate is Trusted.' },
  ]);
});

test('one byte changed inside either part of a signed range is caught, by pdfsig too', async () => {
  const inFirstPart = Buffer.from(issued);
  inFirstPart[2000] = inFirstPart[2000]! ^ 0x01;
  const v1 = await verifyPdf(inFirstPart, trust);
  assert.is(v1.status, 'invalid');
  assert.equal(v1.signatures.map((s) => s.integrity), ['invalid', 'invalid']);
  assert.ok(codes(v1).includes('digest_mismatch'));
  assert.ok(pdfsig(inFirstPart, 'tampered.pdf').every((s) => s.signature !== 'Signature is Valid.'));

  // After the agency's /Contents gap: inside its second range only.
  const inSecondPart = Buffer.from(issued);
  const at = inSecondPart.lastIndexOf('trailer') - 5;
  inSecondPart[at] = inSecondPart[at]! ^ 0x01;
  const v2 = await verifyPdf(inSecondPart, trust);
  assert.is(v2.signatures[1]!.integrity, 'invalid');
  assert.ok(v2.signatures[1]!.reasons.some((r) => r.code === 'digest_mismatch'));
});

test('a byte range whose gap is more than the /Contents string, or that stops short of a revision, is refused', async () => {
  const src = issued.toString('latin1');
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(src.slice(leaderSigned.length))!;
  const at = leaderSigned.length + m.index;
  const [b, c, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const rewrite = (nb: number, nc: number, nd: number) => {
    const text = `/ByteRange [0 ${String(nb).padStart(10, '0')} ${String(nc).padStart(10, '0')} ${String(nd).padStart(10, '0')}]`;
    assert.is(text.length, m[0].length, 'same length: no offset moves');
    return Buffer.concat([issued.subarray(0, at), Buffer.from(text, 'latin1'), issued.subarray(at + m[0].length)]);
  };
  const wider = await verifyPdf(rewrite(b, c + 10, d - 10), trust);
  assert.is(wider.status, 'invalid');
  assert.ok(wider.signatures[1]!.reasons.some((r) => r.code === 'bad_byte_range' && /hex string/.test(r.en)), JSON.stringify(wider.signatures[1]!.reasons));
  const short = await verifyPdf(rewrite(b, c, d - 20), trust);
  assert.ok(short.signatures.some((s) => s.reasons.some((r) => r.code === 'bad_byte_range' && /%%EOF/.test(r.en))));
});

test('a new page content stream appended after the last signature is rejected, even as a well-formed update', async () => {
  const appended = withExtraContent(issued);
  for (const allowedAfterLast of ['newline', 'workflow-update'] as const) {
    const v = await verifyPdf(appended, { ...trust, allowedAfterLast });
    assert.is(v.status, 'invalid', allowedAfterLast);
    assert.ok(v.reasons.some((r) => r.code === 'appended_after_last'), allowedAfterLast);
  }
  const garbage = await verifyPdf(Buffer.concat([issued, Buffer.from('\n% a comment\n')]), trust);
  assert.ok(garbage.reasons.some((r) => r.code === 'appended_after_last'));
  const newline = await verifyPdf(Buffer.concat([issued, Buffer.from('\r\n')]), trust);
  assert.is(newline.status, 'valid');
});

test('after the last signature, filling a declared field passes only when the caller allows workflow updates; a stamp never does', async () => {
  const pdf = readPdf(leaderSigned);
  const number = formFields(pdf).find((f) => f.name === SLOT_FIELDS.number)!;
  const filled = new IncrementalUpdate(pdf);
  const ap = filled.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 40, 16], Resources: dict({}) }), Buffer.from('BT ET'));
  filled.put(number.ref, new Map([...number.dict, ['V', '05'], ['AP', dict({ N: ap })]]));
  const bytes = filled.toBuffer();
  assert.is((await verifyPdf(bytes, trust)).status, 'invalid');
  const v = await verifyPdf(bytes, { ...trust, allowedAfterLast: 'workflow-update' });
  assert.is(v.status, 'valid', JSON.stringify(codes(v)));

  const stamped = new IncrementalUpdate(pdf);
  const page = pageRefs(pdf)[0]!;
  const copy = new Map(getDict(pdf, page));
  copy.set('Annots', [stamped.add(dict({ Type: name('Annot'), Subtype: name('Stamp'), Rect: [110, 720, 155, 736], F: 4 }))]);
  stamped.put(page, copy);
  const w = await verifyPdf(stamped.toBuffer(), { ...trust, allowedAfterLast: 'workflow-update' });
  assert.is(w.status, 'invalid');
  assert.ok(w.reasons.some((r) => r.code === 'appended_after_last' && /object \d+, page 1: replaced: \/Annots/.test(r.en)), JSON.stringify(w.reasons));
});

test('between two signatures: new page content, a removed object, a page-sized annotation, a hidden object header and a detached revision are each refused', async () => {
  const pdf = readPdf(leaderSigned);
  const page = pageRefs(pdf)[0]!;
  const pageDict = getDict(pdf, page);
  const contentsRef = pageDict.get('Contents');
  assert.ok(contentsRef instanceof Ref, 'pdfkit writes one content stream per page');

  const huge = new IncrementalUpdate(pdf);
  const withAnnot = new Map(pageDict);
  withAnnot.set('Annots', [...(pageDict.get('Annots') as Ref[]), huge.add(dict({ Type: name('Annot'), Subtype: name('Stamp'), Rect: [0, 0, 595, 842], F: 4 }))]);
  huge.put(page, withAnnot);

  // The content stream's object rewritten with other text, its header after a tab rather than a
  // newline (a scan for "\nN 0 obj" misses it; a reader follows the xref and shows it).
  const hidden = new IncrementalUpdate(pdf);
  hidden.put(contentsRef, new Map(), FAKE);
  const hiddenBytes = shiftUpdate(hidden.toBuffer(), leaderSigned.length, '\t');

  // An update whose /Prev skips the leader's revision.
  const detached = new IncrementalUpdate({ ...pdf, startxref: readPdf(base.pdf).startxref });

  const cases: [string, Buffer, RegExp][] = [
    ['new page content', withExtraContent(leaderSigned), new RegExp(`object ${page.num}, page 1: replaced: /Contents ${contentsRef.num} 0 R → \\[${contentsRef.num} 0 R \\d+ 0 R\\]`)],
    ['page-sized annotation', huge.toBuffer(), new RegExp(`object ${page.num}, page 1: replaced: /Annots \\[[^\\]]*\\] → \\[[^\\]]* \\d+ 0 R\\]`)],
    ['hidden object header', hiddenBytes, new RegExp(`object ${contentsRef.num}, page 1: replaced: .*stream of \\d+ bytes → ${FAKE.length} bytes`)],
    ['removed object', freeObject(leaderSigned, contentsRef.num), new RegExp(`object ${contentsRef.num}: removed`)],
    ['detached revision', detached.toBuffer(), /do not build on the signed one/],
  ];
  for (const [what, bytes, expected] of cases) {
    // A detached revision has no declared seal field to sign: a new signature field goes over it.
    const over = what === 'detached revision' ? signAsLeader(bytes, { signer: pki.agency, image: sampleSealPng(), box: { ...base.layout.signature, width: 100, height: 100 } }) : signOver(bytes);
    const v = await verifyPdf(over, trust);
    assert.is(v.status, 'invalid', what);
    const r = v.signatures[0]!.reasons.find((x) => x.code === 'changed_after_signing');
    assert.ok(r && expected.test(r.en), `${what}: ${JSON.stringify(v.signatures[0]!.reasons)}`);
    if (what !== 'detached revision') assert.equal(v.signatures[0]!.changes!.length, 1, `${what}: only the change itself is reported: ${r?.en}`);
    assert.equal(v.signatures.map((x) => x.integrity), ['valid', 'valid'], `${what}: both signatures are sound; only the change is wrong`);
  }
});

test('the agency step, which relies on the verifier, refuses a leader-signed file with an update after the signature', async () => {
  const options = { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '07', date: { day: '02', month: '03', year: '2026' }, trust };
  const refused = await signAsAgency(withExtraContent(leaderSigned), options).catch((e: unknown) => e);
  assert.is((refused as { code?: string }).code, 'signature_required');
});

/** `prefix` inserted at the start of the update that begins at `at`, its xref offsets and startxref moved to match. */
function shiftUpdate(bytes: Buffer, at: number, prefix: string): Buffer {
  const n = prefix.length;
  const update = bytes.subarray(at).toString('latin1')
    .replace(/^(\d{10}) (\d{5}) n/gm, (_, off: string, gen: string) => `${String(Number(off) + (Number(off) >= at ? n : 0)).padStart(10, '0')} ${gen} n`)
    .replace(/startxref\n(\d+)/, (_, x: string) => `startxref\n${Number(x) + n}`);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(prefix + update, 'latin1')]);
}

/** An update whose xref marks object `num` free: a reader no longer sees it. */
function freeObject(bytes: Buffer, num: number): Buffer {
  const pdf = readPdf(bytes);
  const trailer = new Map([...pdf.trailer].filter(([k]) => k !== 'Prev'));
  trailer.set('Prev', pdf.startxref);
  const body = Buffer.from(`\nxref\n${num} 1\n0000000000 00001 f \ntrailer\n${serialize(trailer)}\nstartxref\n${bytes.length + 1}\n%%EOF\n`, 'latin1');
  return Buffer.concat([bytes, body]);
}

test('anything that is not a signed PDF gives an invalid verdict, never an exception', async () => {
  assert.equal(codes(await verifyPdf(Buffer.from('hello'), trust)), ['not_pdf']);
  assert.equal(codes(await verifyPdf(base.pdf, trust)), ['no_signature']);
  for (const cut of [issued.length - 1, issued.length - 200, leaderSigned.length + 500, Math.floor(issued.length / 2)]) {
    const v = await verifyPdf(issued.subarray(0, cut), trust);
    assert.is(v.status, 'invalid', `cut at ${cut}`);
  }
  const zeroed = Buffer.from(issued);
  const gap = zeroed.indexOf('/Contents <', leaderSigned.length, 'latin1') + 11;
  zeroed.fill('0', gap, gap + 64, 'latin1');
  const v = await verifyPdf(zeroed, trust);
  assert.ok(v.signatures[1]!.reasons.some((r) => r.code === 'bad_cms'), JSON.stringify(v.signatures[1]!.reasons));
});

test.run();
