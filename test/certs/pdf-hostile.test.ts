// PDFs built to crash or hang a verifier, generated in code around a real
// two-signature file: deep nesting, reference cycles, huge or unterminated
// streams, broken cross-reference tables, thousands of signatures. Each gets
// an invalid verdict with a reason, never an exception, within a bounded time
// and without the heap growing past a bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateSync } from 'node:zlib';
import { readDss } from '../../certs/pdf-dss.js';
import { getDict, IncrementalUpdate, pageRefs, readPdf } from '../../certs/pdf-file.js';
import { fillAndSeal } from '../../certs/pdf-fill.js';
import { dict, name, Raw, Ref } from '../../certs/pdf-objects.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import type { PdfVerdict } from '../../certs/verdict.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
let leaderSigned: Buffer;
let issued: Buffer;

const seal = (pdf: Buffer) => fillAndSeal(pdf, {
  signer: pki.agency, signingTime: new Date(), reason: 'seal', values: { number: '05', day: '02', month: '03', year: '2026' },
  seal: () => ({ content: '', resources: dict({}) }),
});

test.before(async () => {
  const base = await twoPagePdf();
  leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), number: '05', date: { day: '02', month: '03', year: '2026' }, trust });
});

const MAX_MS = 3000;
const MAX_HEAP_GROWTH = 400 * 1024 * 1024;

/** Verifies `bytes`; asserts an invalid verdict with reasons, in bounded time and heap. */
async function bounded(what: string, bytes: Buffer, opts: { allowedAfterLast?: 'workflow-update' } = {}): Promise<PdfVerdict> {
  const heap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let v: PdfVerdict;
  try { v = await verifyPdf(bytes, { ...trust, ...opts }); } catch (err) { throw new Error(`${what}: threw ${(err as Error).stack}`); }
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_MS, `${what}: ${ms.toFixed(0)} ms`);
  assert.ok(process.memoryUsage().heapUsed - heap < MAX_HEAP_GROWTH, `${what}: heap grew by ${process.memoryUsage().heapUsed - heap}`);
  assert.is.not(v.status, 'valid', what);
  const reasons = [...v.reasons, ...v.signatures.flatMap((s) => s.reasons)];
  assert.ok(reasons.length > 0 && reasons.every((r) => r.vi && r.en), `${what}: reasons in both languages`);
  return v;
}

function between(edit: (u: IncrementalUpdate, pdf: ReturnType<typeof readPdf>) => void): Buffer {
  const pdf = readPdf(leaderSigned);
  const u = new IncrementalUpdate(pdf);
  edit(u, pdf);
  return u.toBuffer();
}

test('deep nesting in an object the verifier reads is an unreadable change, not a stack overflow', async () => {
  for (const [open, close] of [['[', ']'], ['<< /A ', ' >>']] as const) {
    const nested = between((u, pdf) => {
      const page = pageRefs(pdf)[0]!;
      u.put(page, new Map([...getDict(pdf, page), ['X', new Raw(open.repeat(200_000) + close.repeat(200_000))]]));
    });
    const v = await bounded(`nesting ${open}`, seal(nested));
    assert.ok(v.signatures[0]!.reasons.some((r) => r.code === 'changed_after_signing'));
  }
});

test('reference cycles: a page tree, a form field tree and a chain of /Prev that loop end the walk', async () => {
  const pagesCycle = between((u, pdf) => {
    const pages = getDict(pdf, pdf.trailer.get('Root')).get('Pages') as Ref;
    const page = pageRefs(pdf)[0]!;
    u.put(page, new Map([...getDict(pdf, page), ['Kids', [pages]], ['Type', name('Pages')]]));
  });
  await bounded('page tree cycle', seal(pagesCycle));

  const acro = getDict(readPdf(leaderSigned), getDict(readPdf(leaderSigned), readPdf(leaderSigned).trailer.get('Root')).get('AcroForm'));
  const first = (acro.get('Fields') as Ref[])[0]!;
  const fieldCycle = between((u, pdf) => { u.put(first, new Map([...getDict(pdf, first), ['Kids', [first]], ['T', 'X']])); });
  await bounded('field tree cycle', fieldCycle, { allowedAfterLast: 'workflow-update' });

  // The last section's /Prev names itself.
  const src = issued.toString('latin1');
  const xrefAt = src.lastIndexOf('\nxref\n') + 1;
  const prevLoop = Buffer.from(src.replace(/\/Prev \d+(?=[^]*startxref\s+\d+\s+%%EOF\s*$)/, `/Prev ${xrefAt}`), 'latin1');
  await bounded('xref /Prev loop', prevLoop);
});

test('huge, unterminated and lying streams, and a file past the size limit, are refused in bounded time', async () => {
  const huge = between((u) => { u.add(dict({ Type: name('XObject'), Subtype: name('Form'), BBox: [0, 0, 1, 1] }), Buffer.alloc(40 * 1024 * 1024, 0x41)); });
  await bounded('40 MB stream between the signatures', seal(huge));

  // Many objects that open a stream and never end it: a scan for each would be quadratic.
  const pdf = readPdf(leaderSigned);
  let body = '';
  let xref = '';
  const first = pdf.size;
  for (let i = 0; i < 20_000; i += 1) {
    xref += `${String(leaderSigned.length + 1 + body.length).padStart(10, '0')} 00000 n \n`;
    body += `${first + i} 0 obj\n<< /Length 999999999 >>\nstream\nAAAA\n`;
  }
  xref = `xref\n${first} 20000\n${xref}`;
  const tail = `\n${body}${xref}trailer\n<< /Size ${first + 20_000} /Root ${String(pdf.trailer.get('Root'))} /Info ${String(pdf.trailer.get('Info'))} /Prev ${pdf.startxref} >>\nstartxref\n${leaderSigned.length + 1 + body.length}\n%%EOF\n`;
  await bounded('20 000 unterminated streams', Buffer.concat([leaderSigned, Buffer.from(tail, 'latin1')]), { allowedAfterLast: 'workflow-update' });

  const tooBig = Buffer.concat([issued, Buffer.alloc(101 * 1024 * 1024 - issued.length, 0x20)]);
  const v = await bounded('past the size limit', tooBig);
  assert.ok(v.reasons.some((r) => r.code === 'unreadable_pdf'));
});

test('broken cross-reference tables: wrong offsets, absurd counts, no trailer, startxref past the end, garbage', async () => {
  const src = issued.toString('latin1');
  const lastXref = src.lastIndexOf('\nxref\n') + 1;
  const variants: [string, string][] = [
    ['offsets shifted', src.slice(0, lastXref) + src.slice(lastXref).replace(/^(\d{10}) 00000 n/gm, (_, o: string) => `${String(Number(o) + 7).padStart(10, '0')} 00000 n`)],
    ['absurd count', src.slice(0, lastXref) + src.slice(lastXref).replace(/^xref\n(\d+) (\d+)/, (_, a: string) => `xref\n${a} 999999999`)],
    ['no trailer', src.slice(0, lastXref) + src.slice(lastXref).replace('trailer', 'trailor')],
    ['startxref past the end', src.replace(/startxref\s+\d+\s+%%EOF\s*$/, `startxref\n${src.length * 10}\n%%EOF\n`)],
    ['xref is garbage', src.slice(0, lastXref) + 'xref\n' + '\u00ff'.repeat(5000) + src.slice(src.lastIndexOf('trailer'))],
  ];
  for (const [what, text] of variants) await bounded(what, Buffer.from(text, 'latin1'));
});

test('thousands of signature byte ranges are refused before any of them is checked', async () => {
  const many = Buffer.concat([issued, Buffer.from(`\n${'% /ByteRange [0 10 20 30]\n'.repeat(5000)}`, 'latin1')]);
  const v = await bounded('5000 byte ranges', many);
  assert.ok(v.reasons.some((r) => r.code === 'unreadable_pdf'));
});

test('a DSS whose list inflates past its bound is refused, not inflated: the verdict comes in bounded time and heap, judged without it', async () => {
  const pdf = readPdf(issued);
  const u = new IncrementalUpdate(pdf);
  // 200 MB of zeros deflate to about 200 KB.
  const bomb = deflateSync(Buffer.alloc(200 * 1024 * 1024));
  const crl = u.add(dict({ Filter: name('FlateDecode') }), bomb);
  const dss = u.add(dict({ Type: name('DSS'), CRLs: [crl] }));
  const rootRef = pdf.trailer.get('Root') as Ref;
  const catalog = new Map(getDict(pdf, rootRef));
  catalog.set('DSS', dss);
  u.put(rootRef, catalog);
  const file = u.toBuffer();
  assert.throws(() => readDss(readPdf(file)), /inflate|larger|buffer|length/i);
  // A DSS is an allowed update and shows nothing on a page: the signatures stand, judged without its lists.
  const heap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const v = await verifyPdf(file, { ...trust, allowedAfterLast: 'workflow-update' });
  assert.ok(performance.now() - t0 < MAX_MS, `${(performance.now() - t0).toFixed(0)} ms`);
  assert.ok(process.memoryUsage().heapUsed - heap < MAX_HEAP_GROWTH, 'heap');
  assert.is(v.status, 'valid', JSON.stringify(v.reasons));
});

test.run();
