// A property-based sweep over issued PDFs: random manipulations an insider
// holding the seal key could make (fast-check), placed between the leader's
// signature and a genuine seal, or after the seal, or as flipped bytes. The
// property: no mutated file that changes the rendered pages verifies as
// valid. Whether a page changed is decided by poppler's pdftoppm, comparing
// the pages with those of the genuine issued file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { formFields } from '../../certs/pdf-fields.js';
import { getDict, getObject, IncrementalUpdate, pageRefs, readPdf, type PdfFile } from '../../certs/pdf-file.js';
import { fillAndSeal } from '../../certs/pdf-fill.js';
import { addPngImage } from '../../certs/pdf-image.js';
import { dict, name, Ref, type PdfValue } from '../../certs/pdf-objects.js';
import { signAsLeader } from '../../certs/pdf-sign.js';
import { readObject } from '../../certs/pdf-revisions.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-mutations-'));
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
const signingTime = new Date();
let leaderSigned: Buffer;
let issued: Buffer;
let reference: Buffer[];

/** The genuine clerk's update (same values, time and seal image every time), without its check of the leader's signature. */
const seal = (pdf: Buffer) => fillAndSeal(pdf, {
  signer: pki.agency, signingTime, reason: 'seal', values: { number: '05', day: '02', month: '03', year: '2026' },
  seal: (u, w, h) => ({ content: `q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} 0 0 cm /Img Do Q`, resources: dict({ XObject: dict({ Img: addPngImage(u, sampleSealPng()).ref }) }) }),
});

let renders = 0;
/** Every page at 40 dpi, as pdftoppm draws it (annotations included). */
function render(pdf: Buffer): Buffer[] {
  const sub = join(dir, `r${renders++}`);
  writeFileSync(`${sub}.pdf`, pdf);
  execFileSync('pdftoppm', ['-r', '40', `${sub}.pdf`, sub]);
  const pages = readdirSync(dir).filter((f) => f.startsWith(`r${renders - 1}-`)).sort();
  return pages.map((f) => readFileSync(join(dir, f)));
}

test.before(async () => {
  const base = await twoPagePdf();
  leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  issued = seal(leaderSigned);
  reference = render(issued);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Edit = (u: IncrementalUpdate, pdf: PdfFile) => void;

const pageIndex = fc.integer({ min: 0, max: 1 });
const rect = fc.tuple(fc.integer({ min: 0, max: 560 }), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }))
  .map(([x, y, w, h]) => [x, y, x + w, y + h] as [number, number, number, number]);
const paint = fc.tuple(fc.constantFrom('1 g', '0 g', '0.5 g', '1 0 0 rg'), rect).map(([g, r]) => `q ${g} ${r[0]} ${r[1]} ${r[2] - r[0]} ${r[3] - r[1]} re f Q`);

/** An appearance XObject painting a box. */
const form = (u: IncrementalUpdate, w: number, h: number, ops: string) => u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, w, h], Resources: dict({}) }), Buffer.from(ops));

const addAnnotation: fc.Arbitrary<[string, Edit]> = fc.tuple(fc.constantFrom('Stamp', 'FreeText', 'Square', 'Widget', 'Text', 'Link', 'Ink', 'Redact'), pageIndex, rect, paint, fc.constantFrom(4, 0, 2, 132))
  .map(([subtype, p, r, ops, flags]) => [`annotation ${subtype} p${p} ${r.join(',')} F${flags}`, (u, pdf) => {
    const page = pageRefs(pdf)[p]!;
    const d = getDict(pdf, page);
    const annot = u.add(dict({ Type: name('Annot'), Subtype: name(subtype), Rect: r, F: flags, P: page, AP: dict({ N: form(u, r[2] - r[0], r[3] - r[1], `1 g 0 0 ${r[2] - r[0]} ${r[3] - r[1]} re f ${ops}`) }), ...(subtype === 'Widget' ? { FT: name('Sig'), T: 'Them' } : {}) }));
    u.put(page, new Map([...d, ['Annots', [...((d.get('Annots') as PdfValue[] | undefined) ?? []), annot]]]));
  }]);

const addContent: fc.Arbitrary<[string, Edit]> = fc.tuple(pageIndex, paint, fc.boolean()).map(([p, ops, before]) => [`content p${p} ${ops}${before ? ' (under)' : ''}`, (u, pdf) => {
  const page = pageRefs(pdf)[p]!;
  const d = getDict(pdf, page);
  const extra = u.add(dict({}), Buffer.from(ops));
  const contents = d.get('Contents')!;
  const list = Array.isArray(contents) ? contents : [contents];
  u.put(page, new Map([...d, ['Contents', before ? [extra, ...list] : [...list, extra]]]));
}]);

/** An object of the signed file rewritten: the same, a number nudged, or its stream replaced. */
const rewrite: fc.Arbitrary<[string, Edit]> = fc.tuple(fc.nat(), fc.constantFrom('same', 'nudge', 'stream'), fc.integer({ min: -50, max: 50 }), paint)
  .map(([pick, how, delta, ops]) => [`rewrite #${pick} ${how} ${delta}`, (u, pdf) => {
    const nums = [...pdf.offsets.keys()].sort((a, b) => a - b);
    const num = nums[pick % nums.length]!;
    const obj = readObject(pdf, num);
    const value = obj.value;
    if (how === 'stream' && obj.isStream && value instanceof Map) { u.put(new Ref(num), new Map(value), Buffer.from(ops)); return; }
    if (how === 'nudge' && value instanceof Map) {
      const copy = new Map(value);
      for (const [k, v] of copy) {
        if (typeof v === 'number' && k !== 'Length') { copy.set(k, v + delta); break; }
        if (Array.isArray(v) && v.every((x) => typeof x === 'number') && v.length > 0) { copy.set(k, v.map((x, i) => (i === 0 ? (x as number) + delta : x))); break; }
      }
      u.put(new Ref(num), copy, obj.stream ? Buffer.from(obj.stream) : undefined);
      return;
    }
    u.put(new Ref(num), value, obj.stream ? Buffer.from(obj.stream) : undefined);
  }]);

/** A declared field's rectangle, flags or appearance changed (the clerk's fill overwrites /V and /AP only). */
const field: fc.Arbitrary<[string, Edit]> = fc.tuple(fc.nat(), fc.constantFrom('Rect', 'F', 'AP', 'MK'), rect).map(([pick, key, r]) => [`field #${pick} ${key}`, (u, pdf) => {
  const fields = formFields(pdf);
  const f = fields[pick % fields.length]!;
  const value: PdfValue = key === 'Rect' ? r : key === 'F' ? 2 : key === 'AP' ? dict({ N: form(u, 50, 50, '0 g 0 0 50 50 re f') }) : dict({ BG: [1, 0, 0] });
  u.put(f.ref, new Map([...f.dict, [key, value]]));
}]);

const catalog: fc.Arbitrary<[string, Edit]> = fc.constantFrom('OCProperties', 'OpenAction', 'PageLabels', 'Pages').map((key) => [`catalog ${key}`, (u, pdf) => {
  const root = pdf.trailer.get('Root') as Ref;
  const d = getDict(pdf, root);
  const pages = getObject(pdf, d.get('Pages') as Ref) as Map<string, PdfValue>;
  const value: PdfValue = key === 'Pages' ? u.add(new Map([...pages, ['Kids', [...(pages.get('Kids') as PdfValue[])].reverse()]])) : key === 'OCProperties'
    ? dict({ OCGs: [], D: dict({ OFF: [] }) }) : key === 'OpenAction' ? [pageRefs(pdf)[1]!, name('Fit')] : dict({ Nums: [0, dict({ S: name('r') })] });
  u.put(root, new Map([...d, [key, value]]));
}]);

type Mutation = { label: string; apply: () => Buffer };
const between = (edit: fc.Arbitrary<[string, Edit]>) => edit.map(([label, e]): Mutation => ({ label: `between: ${label}`, apply: () => seal(updated(leaderSigned, e)) }));
const after = (edit: fc.Arbitrary<[string, Edit]>) => edit.map(([label, e]): Mutation => ({ label: `after: ${label}`, apply: () => updated(issued, e) }));
const flip = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]): Mutation => ({
  label: `flip byte ${at % issued.length} ^ ${x}`,
  apply: () => { const b = Buffer.from(issued); const i = at % b.length; b[i] = b[i]! ^ x; return b; },
}));

function updated(bytes: Buffer, edit: Edit): Buffer {
  const pdf = readPdf(bytes);
  const u = new IncrementalUpdate(pdf);
  edit(u, pdf);
  return u.toBuffer();
}

const mutation = fc.oneof(
  between(addAnnotation), between(addContent), between(rewrite), between(field), between(catalog),
  after(addAnnotation), after(rewrite), flip,
);

test('no mutation of an issued PDF that changes a rendered page verifies as valid', async () => {
  const seen = { valid: 0, refused: 0, changedPages: 0, unbuildable: 0 };
  await fc.assert(fc.asyncProperty(mutation, async (m) => {
    let bytes: Buffer;
    try { bytes = m.apply(); } catch { seen.unbuildable += 1; return true; } // e.g. the seal's fill refuses a removed field
    const v = await verifyPdf(bytes, trust);
    if (v.status !== 'valid') { seen.refused += 1; return true; }
    seen.valid += 1;
    const pages = render(bytes);
    const same = pages.length === reference.length && pages.every((p, i) => p.equals(reference[i]!));
    if (!same) seen.changedPages += 1;
    if (!same) throw new Error(`${m.label}: verified valid but the rendered pages differ`);
    return true;
  }), { numRuns: Number(process.env['MUTATION_RUNS'] ?? 100) });
  assert.is(seen.changedPages, 0);
  assert.ok(seen.refused > 0);
  console.log(`  mutations: ${JSON.stringify(seen)}`);
});

test('the genuine issued file renders the same each time (the comparison is sound)', () => {
  const again = render(issued);
  assert.is(again.length, 2);
  assert.ok(again.every((p, i) => p.equals(reference[i]!)));
  assert.ok(!render(updated(issued, (u, pdf) => {
    const page = pageRefs(pdf)[0]!;
    const d = getDict(pdf, page);
    u.put(page, new Map([...d, ['Contents', [d.get('Contents')!, u.add(dict({}), Buffer.from('q 0 g 100 100 50 50 re f Q'))]]]));
  }))[0]!.equals(reference[0]!), 'a 50-point black square is seen at 40 dpi');
});

test.run();
