// The published attacks on PDF signatures, generated in code against a real
// two-step Decree 30 file: incremental saving and universal signature forgery
// and signature wrapping (Mladenov et al., CCS 2019), shadow hide, replace and
// hide-and-replace (Mainka et al., NDSS 2021), evil annotations and sneaky
// signatures (Rohlmann et al., S&P 2021). The insider holds the seal key: every
// manipulation sits between the leader's signature and a genuine seal
// signature, so only the verifier's judgement of the changes can catch it. Each
// is refused, and the report names the object, the page or field, and what
// changed; the seal's own signature stays intact, so the refusal is the rule's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formFields, SEAL_FIELD, SLOT_FIELDS } from '../../certs/pdf-fields.js';
import { getDict, IncrementalUpdate, pageRefs, readPdf } from '../../certs/pdf-file.js';
import { fillAndSeal } from '../../certs/pdf-fill.js';
import { dict, name, Raw, Ref, serialize, type PdfValue } from '../../certs/pdf-objects.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import type { ChangeFound, PdfVerdict } from '../../certs/verdict.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-attacks-'));
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const pdfsig = pdfsigWithRoot(dir, pki.rootPem);
const values = { number: '05', day: '02', month: '03', year: '2026' };
let base: Awaited<ReturnType<typeof twoPagePdf>>;
let leaderSigned: Buffer;
let issued: Buffer;

const leaderSign = (pdf: Buffer) => signAsLeader(pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
/** The insider's seal over whatever lies between: the genuine clerk's update, without the check of the leader's signature. */
const seal = (pdf: Buffer) => fillAndSeal(pdf, {
  signer: pki.agency, signingTime: new Date(), reason: 'seal', values,
  seal: () => ({ content: '', resources: dict({}) }),
});

test.before(async () => {
  base = await twoPagePdf();
  leaderSigned = leaderSign(base.pdf);
  issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), number: '05', date: { day: '02', month: '03', year: '2026' }, trust });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** An incremental update over `bytes`, built by `edit`. */
function update(bytes: Buffer, edit: (u: IncrementalUpdate, pdf: ReturnType<typeof readPdf>) => void): Buffer {
  const pdf = readPdf(bytes);
  const u = new IncrementalUpdate(pdf);
  edit(u, pdf);
  return u.toBuffer();
}

const white = (u: IncrementalUpdate, w: number, h: number, extra = '') =>
  u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, w, h], Resources: dict({}) }), Buffer.from(`1 g 0 0 ${w} ${h} re f ${extra}`));

/** The leader's signature refused for a change matching `expect`; the seal's integrity intact. */
type Expect = { object?: number; page?: number; field?: string; what?: ChangeFound['what']; detail?: RegExp };
function refusedFor(v: PdfVerdict, expect: Expect, what: string): void {
  assert.is(v.status, 'invalid', what);
  const leader = v.signatures[0]!;
  assert.is(leader.status, 'invalid', what);
  assert.ok(leader.reasons.some((r) => r.code === 'changed_after_signing'), `${what}: ${JSON.stringify(leader.reasons)}`);
  const hit = (leader.changes ?? []).find((c) => Object.entries(expect).every(([k, x]) => {
    const actual = c[k as keyof ChangeFound];
    return x instanceof RegExp ? x.test(String(actual)) : actual === x;
  }));
  assert.ok(hit, `${what}: expected ${String(JSON.stringify(expect, (_, x: unknown) => (x instanceof RegExp ? String(x) : x)))} in ${JSON.stringify(leader.changes)}`);
  assert.is(v.signatures[1]?.integrity, 'valid', `${what}: the seal's own signature is sound`);
}

test('the good file: both signatures valid for us and for pdfsig, the clerk\'s slots reported as filled', async () => {
  const v = await verifyPdf(issued, trust);
  assert.is(v.status, 'valid');
  assert.equal(v.signatures[0]!.changes, []);
  assert.equal(v.signatures[0]!.filled!.map((f) => [f.field, f.old, f.new]).sort(), [
    [SEAL_FIELD, '', 'signed'], [SLOT_FIELDS.year, '', '2026'], [SLOT_FIELDS.day, '', '02'], [SLOT_FIELDS.number, '', '05'], [SLOT_FIELDS.month, '', '03'],
  ].sort());
  assert.equal(formFields(readPdf(issued)).map((f) => f.name).sort(), ['LanhDaoKy', SEAL_FIELD, ...Object.values(SLOT_FIELDS)].sort(), 'field names read back after the fill');
  assert.equal(pdfsig(issued, 'good.pdf'), [
    { signature: 'Signature is Valid.', certificate: 'Certificate is Trusted.' },
    { signature: 'Signature is Valid.', certificate: 'Certificate is Trusted.' },
  ]);
});

test('incremental saving: new page content, a new font resource, or an update after the seal are refused and named', async () => {
  const contentAdded = seal(update(leaderSigned, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const d = new Map(getDict(pdf, page));
    d.set('Contents', [d.get('Contents')!, u.add(dict({}), Buffer.from('BT /F1 30 Tf 100 500 Td (DA SUA) Tj ET'))]);
    u.put(page, d);
  }));
  refusedFor(await verifyPdf(contentAdded, trust), { page: 1, what: 'replaced', detail: /\/Contents \d+ 0 R → \[\d+ 0 R \d+ 0 R\]/ }, 'content');

  const fontSwapped = seal(update(leaderSigned, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const d = new Map(getDict(pdf, page));
    d.set('Resources', dict({ Font: dict({ F1: u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') })) }) }));
    u.put(page, d);
  }));
  refusedFor(await verifyPdf(fontSwapped, trust), { page: 1, detail: /\/Resources/ }, 'resources');

  const after = update(issued, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    u.put(page, new Map([...getDict(pdf, page), ['Rotate', 90]]));
  });
  const v = await verifyPdf(after, trust);
  assert.is(v.status, 'invalid');
  assert.ok(v.reasons.some((r) => r.code === 'appended_after_last'));
});

test('universal signature forgery: a seal field whose signature lacks /ByteRange or /Contents, or has empty or zero ones, is never valid', async () => {
  const forged = (entries: Record<string, PdfValue>) => update(leaderSigned, (u, pdf) => {
    const sealField = formFields(pdf).find((f) => f.name === SEAL_FIELD)!;
    const sig = u.add(dict({ Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached'), M: 'D:20260302091500+07\'00\'', ...entries }));
    u.put(sealField.ref, new Map([...sealField.dict, ['V', sig]]));
  });
  const cases: [string, Record<string, PdfValue>][] = [
    ['no /ByteRange, no /Contents', {}],
    ['no /ByteRange', { Contents: new Raw('<3082>') }],
    ['no /Contents', { ByteRange: [0, 10, 20, 30] }],
    ['null /Contents', { Contents: null, ByteRange: [0, 10, 20, 30] }],
    ['empty /Contents', { Contents: new Raw('<>'), ByteRange: [0, 10, 20, 30] }],
    ['zero /ByteRange', { Contents: new Raw('<00>'), ByteRange: [0, 0, 0, 0] }],
    ['empty /ByteRange', { Contents: new Raw('<00>'), ByteRange: [] }],
  ];
  for (const [what, entries] of cases) {
    const v = await verifyPdf(forged(entries), trust);
    assert.is(v.status, 'invalid', what);
    const codes = [...v.reasons, ...v.signatures.flatMap((s) => s.reasons)].map((r) => r.code);
    assert.ok(codes.includes('unaccounted_signature') || codes.includes('bad_byte_range'), `${what}: ${codes.join(', ')}`);
  }
  // A file whose only signature is forged.
  const alone = update(base.pdf, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const sig = u.add(dict({ Type: name('Sig'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.CAdES.detached') }));
    const w = u.add(dict({ Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: 'Gia', V: sig, P: page, Rect: [0, 0, 0, 0] }));
    u.put(page, new Map([...getDict(pdf, page), ['Annots', [w]]]));
    const root = pdf.trailer.get('Root') as Ref;
    u.put(root, new Map([...getDict(pdf, root), ['AcroForm', dict({ Fields: [w], SigFlags: 3 })]]));
  });
  assert.is((await verifyPdf(alone, trust)).status, 'invalid');
});

test('signature wrapping: the seal\'s signed second part moved behind inserted objects is refused, though its digest still matches', async () => {
  const src = issued.toString('latin1');
  const at = src.lastIndexOf('/ByteRange');
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(src.slice(at))!;
  const [b, c, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const inserted = Buffer.from('\n99 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [0 0 595 842] /Contents (FAKE) >>\nendobj\n', 'latin1');
  const k = inserted.length;
  const range = `[0 ${b} ${c + k} ${d}]`.padEnd(m[0].length - '/ByteRange '.length, ' ');
  const rewritten = Buffer.from(src.slice(0, at) + `/ByteRange ${range}` + src.slice(at + m[0].length), 'latin1');
  const wrapped = Buffer.concat([rewritten.subarray(0, c), inserted, rewritten.subarray(c)]);
  const v = await verifyPdf(wrapped, trust);
  assert.is(v.status, 'invalid');
  assert.ok(v.signatures[1]!.reasons.some((r) => r.code === 'bad_byte_range' && /hex string/.test(r.en)), JSON.stringify(v.signatures[1]!.reasons));
});

test('shadow hide: an overlay signed over hidden text, then emptied by an object rewrite or by a cross-reference entry alone, is refused', async () => {
  // The file the leader signs: page 1 draws an overlay XObject that hides text beneath it, and a
  // second, empty body of the same object number sits in the file, which no cross-reference names.
  let overlay = new Ref(0);
  const drafted = update(base.pdf, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const d = new Map(getDict(pdf, page));
    overlay = white(u, 300, 60);
    const hiddenText = u.add(dict({}), Buffer.from('BT /F1 20 Tf 100 600 Td (HIDDEN) Tj ET q 1 0 0 1 90 590 cm /Ov Do Q'));
    const resources = new Map(getDict(pdf, d.get('Resources')));
    resources.set('XObject', dict({ Ov: overlay }));
    d.set('Resources', resources);
    d.set('Contents', [d.get('Contents')!, hiddenText]);
    u.put(page, d);
  });
  const shadowAt = drafted.length;
  const prepared = Buffer.concat([drafted, Buffer.from(`${overlay.num} 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 300 60] /Resources << >> /Length 0 >>\nstream\n\nendstream\nendobj\n`, 'latin1')]);
  const signed = leaderSign(prepared);
  assert.is((await verifyPdf(signed, trust)).signatures[0]!.integrity, 'valid');

  const rewritten = seal(update(signed, (u) => { u.put(overlay, dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 300, 60], Resources: dict({}) }), Buffer.alloc(0)); }));
  refusedFor(await verifyPdf(rewritten, trust), { object: overlay.num, page: 1, what: 'replaced', detail: /stream of \d+ bytes → 0 bytes/ }, 'hide by rewrite');

  // No new object at all: the update's xref points the overlay's number at the shadow body.
  const pdf = readPdf(signed);
  const trailer = serialize(new Map([...pdf.trailer, ['Prev', pdf.startxref]]));
  const xrefOnly = Buffer.concat([signed, Buffer.from(`xref\n${overlay.num} 1\n${String(shadowAt).padStart(10, '0')} 00000 n \ntrailer\n${trailer}\nstartxref\n${signed.length}\n%%EOF\n`, 'latin1')]);
  refusedFor(await verifyPdf(seal(xrefOnly), trust), { object: overlay.num, page: 1, what: 'replaced', detail: /stream of \d+ bytes → 0 bytes/ }, 'hide by xref entry');
});

test('shadow replace: a resource that dangled at signing and is defined later, or the page\'s font rewritten to another face, is refused', async () => {
  let dangling = 0;
  const prepared = update(base.pdf, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const d = new Map(getDict(pdf, page));
    dangling = 500; // never written before signing: a reader draws nothing
    const resources = new Map(getDict(pdf, d.get('Resources')));
    resources.set('XObject', dict({ Sh: new Ref(dangling) }));
    d.set('Resources', resources);
    d.set('Contents', [d.get('Contents')!, u.add(dict({}), Buffer.from('q 1 0 0 1 0 0 cm /Sh Do Q'))]);
    u.put(page, d);
  });
  const signed = leaderSign(prepared);
  const defined = seal(update(signed, (u) => { u.put(new Ref(dangling), dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 595, 842], Resources: dict({}) }), Buffer.from('BT /F1 30 Tf 100 500 Td (NOI DUNG KHAC) Tj ET')); }));
  refusedFor(await verifyPdf(defined, trust), { object: dangling, page: 1, what: 'added', detail: /dangled at signing/ }, 'dangling XObject');

  // A second font, present in the signed file but used by nothing, brought in by a rewritten font dictionary.
  const fontPrepared = update(base.pdf, (u) => { u.add(dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') })); });
  const fontSigned = leaderSign(fontPrepared);
  const pdf = readPdf(fontSigned);
  const page = pageRefs(pdf)[0]!;
  const fonts = getDict(pdf, getDict(pdf, getDict(pdf, page).get('Resources')).get('Font'));
  const used = [...fonts.values()][0] as Ref;
  const swapped = seal(update(fontSigned, (u) => { u.put(used, dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Courier') })); }));
  refusedFor(await verifyPdf(swapped, trust), { object: used.num, page: 1, what: 'replaced', detail: /\/BaseFont/ }, 'font swap');
});

test('shadow hide-and-replace: a whole second page tree signed unused, then made the document\'s, is refused at the catalog', async () => {
  let shadowPages = 0;
  const prepared = update(base.pdf, (u, pdf) => {
    const pages = getDict(pdf, getDict(pdf, pdf.trailer.get('Root')).get('Pages')) as Map<string, PdfValue>;
    const treeRef = u.alloc();
    const content = u.add(dict({}), Buffer.from('BT /F1 30 Tf 100 700 Td (QUYET DINH KHAC) Tj ET'));
    const page = u.add(dict({ Type: name('Page'), Parent: treeRef, MediaBox: pages.get('MediaBox') ?? [0, 0, 595.28, 841.89], Contents: content, Resources: dict({}) }));
    u.put(treeRef, dict({ Type: name('Pages'), Kids: [page], Count: 1 }));
    shadowPages = treeRef.num;
  });
  const signed = leaderSign(prepared);
  const switched = seal(update(signed, (u, pdf) => {
    const root = pdf.trailer.get('Root') as Ref;
    u.put(root, new Map([...getDict(pdf, root), ['Pages', new Ref(shadowPages)]]));
  }));
  const root = (readPdf(signed).trailer.get('Root') as Ref).num;
  refusedFor(await verifyPdf(switched, trust), { object: root, what: 'replaced', detail: new RegExp(`/Pages \\d+ 0 R → ${shadowPages} 0 R`) }, 'page tree switched');
});

test('evil annotations and sneaky signatures: a FreeText, a visible new signature field, a widget added under a declared field, a moved slot and a hidden leader widget are each refused', async () => {
  const pdf = readPdf(leaderSigned);
  const page1 = pageRefs(pdf)[0]!;
  const page2 = pageRefs(pdf)[1]!;
  const fields = new Map(formFields(pdf).map((f) => [f.name, f]));
  const tryStep = (what: string, make: () => Buffer) => { try { return make(); } catch (err) { throw new Error(`${what}: ${(err as Error).message}`); } };
  const withAnnot = (page: Ref, annot: (u: IncrementalUpdate) => Ref) => seal(update(leaderSigned, (u) => {
    const d = getDict(pdf, page);
    u.put(page, new Map([...d, ['Annots', [...(d.get('Annots') as Ref[]), annot(u)]]]));
  }));

  const freeText = tryStep('freeText', () => withAnnot(page1, (u) => u.add(dict({ Type: name('Annot'), Subtype: name('FreeText'), Rect: [85, 600, 500, 700], F: 4, AP: dict({ N: white(u, 415, 100, '0 g BT /Helv 14 Tf 5 40 Td (Dieu 2 sua lai) Tj ET') }) }))));
  refusedFor(await verifyPdf(freeText, trust), { object: page1.num, page: 1, detail: /\/Annots/ }, 'FreeText');

  const sneaky = tryStep('sneaky', () => withAnnot(page2, (u) => u.add(dict({ Type: name('Annot'), Subtype: name('Widget'), FT: name('Sig'), T: 'KyLen', P: page2, Rect: [300, 500, 500, 600], F: 4, AP: dict({ N: white(u, 200, 100) }) }))));
  refusedFor(await verifyPdf(sneaky, trust), { object: page2.num, page: 2, detail: /\/Annots/ }, 'sneaky signature');

  const number = fields.get(SLOT_FIELDS.number)!;
  const kid = tryStep('kid', () => seal(update(leaderSigned, (u) => {
    const w = u.add(dict({ Type: name('Annot'), Subtype: name('Widget'), Parent: number.ref, Rect: [0, 0, 595, 842], AP: dict({ N: white(u, 595, 842) }) }));
    u.put(number.ref, new Map([...number.dict, ['Kids', [w]]]));
  })));
  const vKid = await verifyPdf(kid, trust);
  assert.is(vKid.signatures[0]!.status, 'invalid', 'widget under a declared field');

  const moved = tryStep('moved', () => seal(update(leaderSigned, (u) => { u.put(number.ref, new Map([...number.dict, ['Rect', [0, 0, 595, 842]]])); })));
  refusedFor(await verifyPdf(moved, trust), { object: number.ref.num, field: SLOT_FIELDS.number, detail: /\/Rect \[[^\]]+\] → \[0 0 595 842\]/ }, 'moved slot');

  const leader = fields.get('LanhDaoKy')!;
  const hidden = tryStep('hidden', () => seal(update(leaderSigned, (u) => { u.put(leader.ref, new Map([...leader.dict, ['F', 2]])); })));
  refusedFor(await verifyPdf(hidden, trust), { object: leader.ref.num, field: 'LanhDaoKy', detail: /\/F 132 → 2/ }, 'hidden leader widget');

  const replacedAp = tryStep('ap', () => seal(update(leaderSigned, (u) => { u.put(leader.ref, new Map([...leader.dict, ['AP', dict({ N: white(u, 10, 10) })]])); })));
  refusedFor(await verifyPdf(replacedAp, trust), { object: leader.ref.num, field: 'LanhDaoKy', detail: /\/AP/ }, 'replaced appearance');
});

test('a filled field may show only new objects: an object present at signing brought in through a slot\'s appearance is refused', async () => {
  const pdf = readPdf(leaderSigned);
  const page = getDict(pdf, pageRefs(pdf)[0]!);
  const existing = page.get('Contents') as Ref; // the page's own content, drawn again inside the slot
  const number = formFields(pdf).find((f) => f.name === SLOT_FIELDS.number)!;
  const bytes = update(leaderSigned, (u) => {
    const ap = u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 40, 16], Resources: dict({ XObject: dict({ Old: existing }) }) }), Buffer.from('/Old Do'));
    u.put(number.ref, new Map([...number.dict, ['V', '05'], ['AP', dict({ N: ap })]]));
  });
  const v = await verifyPdf(bytes, { ...trust, allowedAfterLast: 'workflow-update' });
  assert.is(v.status, 'invalid');
  assert.ok(v.reasons.some((r) => /present at signing is now drawn by a filled field/.test(r.en)), JSON.stringify(v.reasons));
});

test.run();
