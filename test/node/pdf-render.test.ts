// The Decree 30 rendering checked with poppler: the Vietnamese text comes
// back exactly, fonts are embedded, the page is A4, page numbers start on
// page 2, and the reported blanks sit where the number and date go.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { getDict, pageRefs, readPdf } from '../../certs/pdf-file.js';
import { readObject } from '../../certs/pdf-revisions.js';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { renderDocument } from '../../node/pdf-render.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { OutgoingDraft } from '../../sync/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-render-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const ward = { agencyParent: 'UBND Quận Mẫu', agencyName: 'UBND Phường Mẫu', agencyCode: 'UBND', place: 'Phường Mẫu' };
// Every Vietnamese letter with every tone, upper and lower case.
const ALPHABET = 'aàảãáạ ăằẳẵắặ âầẩẫấậ đ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ uùủũúụ ưừửữứự yỳỷỹýỵ';
const body = [
  `Bảng chữ cái: ${ALPHABET}.`, `Chữ hoa: ${ALPHABET.toUpperCase()}.`,
  ...Array.from({ length: 16 }, (_, i) => `Điều ${i + 1}. Giao Văn phòng HĐND và UBND phường chủ trì, phối hợp với các đơn vị liên quan triển khai thực hiện; bảo đảm tiến độ, chất lượng và hiệu quả.`),
].join('\n');
const content = (over: Record<string, unknown> = {}) => OutgoingDraft.parse({
  docType: 'QĐ', subject: 'Về việc phê duyệt kế hoạch chuyển đổi số năm 2026', body, signerAuthority: 'TM.', signerTitle: 'Chủ tịch', signerName: 'Nguyễn Văn Ẩn',
  recipients: [{ name: 'UBND Quận Mẫu' }, { name: 'Lưu: VT, VP' }], ...over,
});

function save(name: string, pdf: Buffer): string { const p = join(dir, name); writeFileSync(p, pdf); return p; }
const text = (file: string, ...args: string[]) => execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });

test('pdftotext gets the Vietnamese text back exactly, from the national title to the recipients', async () => {
  const { pdf } = await renderDocument({ content: content(), ward });
  const all = text(save('doc.pdf', pdf)).replace(/\s+/g, ' ');
  for (const expected of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'UBND QUẬN MẪU', 'UBND PHƯỜNG MẪU', '/QĐ-UBND', 'Phường Mẫu, ngày',
    'QUYẾT ĐỊNH', 'Về việc phê duyệt kế hoạch chuyển đổi số năm 2026', ALPHABET, ALPHABET.toUpperCase(), 'TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH', 'Nguyễn Văn Ẩn', 'Nơi nhận:', '- UBND Quận Mẫu;', '- Lưu: VT, VP.']) {
    assert.ok(all.includes(expected), `missing: ${expected}`);
  }
});

test('A4, fonts embedded, qpdf clean, page numbers from page 2 only', async () => {
  const { pdf, layout } = await renderDocument({ content: content(), ward });
  const file = save('a4.pdf', pdf);
  assert.match(execFileSync('pdfinfo', [file], { encoding: 'utf8' }), /Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  assert.ok(fonts.length >= 3 && fonts.every((l) => /LiberationSerif/.test(l) && /\syes\s+yes\s+yes\s/.test(l)), fonts.join('\n'));
  assert.is(spawnSync('qpdf', ['--check', file]).status, 0);
  assert.ok(layout.pageCount >= 2);
  assert.match(text(file, '-f', '2', '-l', '2').trim(), /^2\b/, 'page 2 starts with its number');
  assert.not.match(text(file, '-f', '1', '-l', '1').trim(), /^1\b/, 'page 1 has no number');
});

test('the blanks reported for the number and the date sit right after "Số:" and "ngày", "tháng", "năm"', async () => {
  const { pdf, layout } = await renderDocument({ content: content(), ward });
  const bbox = text(save('bbox.pdf', pdf), '-bbox', '-f', '1', '-l', '1');
  const word = (w: string) => { const m = new RegExp(`<word xMin="([\\d.]+)" yMin="([\\d.]+)" xMax="([\\d.]+)" yMax="([\\d.]+)">${w}</word>`).exec(bbox); assert.ok(m, w); return m!.slice(1).map(Number) as [number, number, number, number]; };
  const so = word('Số:');
  const toPdfY = (yMax: number) => 841.89 - yMax;
  assert.ok(layout.number.x >= so[2] && layout.number.x - so[2] < 8, `number blank starts after "Số:" (${so[2]} → ${layout.number.x})`);
  assert.ok(Math.abs(layout.number.y - toPdfY(so[3])) < 6, 'and on its line');
  for (const [w, b] of [['ngày', layout.day], ['tháng', layout.month], ['năm', layout.year]] as const) {
    const at = word(w);
    assert.ok(b.x >= at[2] && b.x - at[2] < 8, `${w} blank after the word`);
  }
  assert.is(layout.signature.page, layout.pageCount - 1);
});

test('a công văn has no type name, the agency-unit symbol and "V/v" with its subject under the number', async () => {
  const { pdf } = await renderDocument({ content: content({ docType: 'CV', unitCode: 'VP', subject: 'Đề nghị báo cáo tình hình' }), ward });
  const all = text(save('cv.pdf', pdf)).replace(/\s+/g, ' ');
  assert.ok(all.includes('/UBND-VP'));
  assert.ok(all.includes('V/v Đề nghị báo cáo tình hình'));
  assert.not.ok(all.includes('CÔNG VĂN'));
});

test('a document without a signer or subject is refused with a typed bilingual error', async () => {
  const err = await renderDocument({ content: content({ signerName: '' }), ward }).catch((e: unknown) => e) as { code?: string; vi?: string };
  assert.is(err.code, 'invalid_input');
});

const MM = 72 / 25.4;
const pki = makeTestPki();
const trust = { roots: [pki.rootPem], crls: pki.crl() };
/** Rendered, signed by the leader and issued by the clerk, as the node does. */
async function issue(input: Parameters<typeof renderDocument>[0], number = '01'): Promise<Buffer> {
  const { pdf, layout } = await renderDocument(input);
  const signed = signAsLeader(pdf, { signer: pki.leader, image: sampleSignaturePng(), box: layout.signature, layout });
  return signAsAgency(signed, { signer: pki.agency, sealImage: sampleSealPng(), number, date: { day: '02', month: '03', year: '2026' }, trust });
}
type Word = { x1: number; y1: number; x2: number; y2: number; text: string };
const words = (file: string, page: number): Word[] => [...text(file, '-bbox', '-f', String(page), '-l', String(page)).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
  .map((m) => ({ x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]), text: m[5]! }));

test('the issued number line reads back as one run, "Số: 01/QĐ-UBND", and a four-digit number still fits its slot', async () => {
  const file = save('number.pdf', await issue({ content: content(), ward }));
  assert.ok(text(file, '-f', '1', '-l', '1').split('\n').includes('Số: 01/QĐ-UBND'), text(file, '-f', '1', '-l', '1').slice(0, 300));
  const long = save('number-long.pdf', await issue({ content: content(), ward }, '1234'));
  const w = words(long, 1);
  const num = w.find((x) => x.text.startsWith('1234'))!;
  const symbol = w.find((x) => x.text.includes('/QĐ-UBND'))!;
  assert.ok(num && (num.text === '1234/QĐ-UBND' || num.x2 <= symbol.x1 + 0.5), `${JSON.stringify(num)} ${JSON.stringify(symbol)}`);
});

test('long agency, ward, place and signer names wrap inside the margins (left 30 mm, right 15 mm), the stamped date too', async () => {
  const longWard = { agencyParent: 'Ủy ban nhân dân Thành phố Hồ Chí Minh', agencyName: 'UBND Phường Nguyễn Thái Bình Bến Thành', agencyCode: 'UBND', place: 'Phường Nguyễn Thái Bình Bến Thành' };
  const file = save('long.pdf', await issue({ content: content({ signerName: 'Nguyễn Thị Phương Thảo Ngọc Bích Trâm Anh' }), ward: longWard }));
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
  for (let p = 1; p <= pages; p += 1) {
    for (const w of words(file, p)) {
      assert.ok(w.x1 >= 30 * MM - 0.5, `page ${p}: "${w.text}" starts ${(w.x1 / MM).toFixed(1)} mm from the left`);
      assert.ok(w.x2 <= 595.28 - 15 * MM + 0.5, `page ${p}: "${w.text}" ends ${((595.28 - w.x2) / MM).toFixed(1)} mm from the right`);
    }
  }
  const all = text(file).replace(/\s+/g, ' ');
  for (const expected of ['PHƯỜNG NGUYỄN THÁI BÌNH BẾN THÀNH', 'ngày 02 tháng 03 năm 2026', 'Nguyễn Thị Phương Thảo Ngọc Bích Trâm Anh']) assert.ok(all.includes(expected), expected);
});

test('the stamped day, month and year are set at the size of their line', async () => {
  const file = save('date.pdf', await issue({ content: content(), ward }));
  const w = words(file, 1);
  const height = (t: string) => { const x = w.find((y) => y.text === t)!; return x.y2 - x.y1; };
  for (const stamped of ['02', '03', '2026']) assert.ok(Math.abs(height(stamped) - height('năm')) < 0.1, `${stamped}: ${height(stamped)} vs ${height('năm')}`);
});

test('the short rule under a subject of two lines sits below its last line', async () => {
  const subject = 'Về việc phê duyệt kế hoạch chuyển đổi số, cải cách hành chính và hiện đại hóa nền hành chính năm 2026 của phường';
  const { pdf } = await renderDocument({ content: content({ subject }), ward });
  const file = save('rule.pdf', pdf);
  const w = words(file, 1);
  const title = w.find((x) => x.text === 'QUYẾT')!;
  // The subject's two lines come right under the type name; the body starts after a gap.
  const lastLine = w.filter((x) => x.y1 > title.y2 - 1 && x.y1 < title.y2 + 2 * 17 && subject.split(' ').includes(x.text)).reduce((a, b) => (b.y2 > a.y2 ? b : a));
  assert.ok(lastLine.y1 > title.y2 + 10, 'the subject wraps onto a second line');
  const doc = readPdf(pdf);
  const contents = getDict(doc, pageRefs(doc)[0]!).get('Contents')!;
  const data = inflateSync(readObject(doc, (contents as { num: number }).num).stream!).toString('latin1');
  // pdfkit draws top-down (its page matrix flips y): a horizontal segment 45 mm long.
  const rules = [...data.matchAll(/([\d.]+) ([\d.]+) m\s+([\d.]+) ([\d.]+) l/g)].map((m) => m.slice(1).map(Number))
    .filter(([x1, y1, x2, y2]) => y1 === y2 && Math.abs(x2! - x1! - 45 * MM) < 1);
  assert.is(rules.length, 1, data.slice(0, 400));
  assert.ok(rules[0]![1]! > lastLine.y2 + 1, `rule at ${rules[0]![1]}, subject's last line ends at ${lastLine.y2}`);
});


test('a decision\'s body takes the Decree 30 form: "Căn cứ" in italics, "QUYẾT ĐỊNH:" bold and centred alone, "Điều N." in bold', async () => {
  const body = 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\nXét đề nghị của Văn phòng.\nquyết định\nĐiều   1: Giao Văn phòng thực hiện Điều 1 nói trên.\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.';
  const { pdf } = await renderDocument({ content: content({ body }), ward });
  const file = save('decree-body.pdf', pdf);
  const w = words(file, 1);
  const lines = text(file, '-f', '1', '-l', '1').split('\n').map((l) => l.trim());
  assert.ok(lines.includes('QUYẾT ĐỊNH:'), 'the operative word is upper case with its colon, on its own line');
  assert.ok(lines.some((l) => l.startsWith('Điều 1. Giao Văn phòng')), 'the article label is normalised to "Điều 1."');
  // The operative line is centred on the text block.
  const colon = w.find((x) => x.text === 'ĐỊNH:')!;
  const quyet = w.filter((x) => x.text === 'QUYẾT' && x.y1 > w.find((y) => y.text === 'Căn')!.y1)[0]!;
  const centre = (quyet.x1 + colon.x2) / 2;
  assert.ok(Math.abs(centre - (30 * MM + (595.28 - 45 * MM) / 2)) < 2, `centred: ${centre}`);
  // pdftohtml reports each run's weight and slant (<b>, <i>) from the embedded font.
  const runs = execFileSync('pdftohtml', ['-xml', '-i', '-stdout', '-f', '1', '-l', '1', file], { encoding: 'utf8' });
  assert.match(runs, /<b>QUYẾT ĐỊNH:<\/b>/);
  assert.match(runs, /<b>Điều 1\. ?<\/b><\/text>\s*<text[^>]*>Giao Văn phòng thực hiện Điều 1/, 'the label is bold, the article\'s text (and an "Điều" inside it) regular');
  assert.match(runs, /<b>Điều 2\. ?<\/b>/);
  assert.match(runs, /<i>Căn cứ Luật Tổ chức chính quyền địa phương/, 'the basis line is italic');
  assert.match(runs, /<i>Xét đề nghị của Văn phòng\.<\/i>/);
});

test('nơi nhận reads "- name;" per line and "." on the last, whatever punctuation the author typed', async () => {
  const recipients = [{ name: 'UBND Thành phố (để b/c);' }, { name: '- Như Điều 3;;' }, { name: 'Lưu: VT, VP..' }];
  const { pdf } = await renderDocument({ content: content({ recipients }), ward });
  const lines = text(save('recipients.pdf', pdf)).split('\n').map((l) => l.trim());
  for (const expected of ['- UBND Thành phố (để b/c);', '- Như Điều 3;', '- Lưu: VT, VP.']) assert.ok(lines.includes(expected), `${expected} in ${lines.filter((l) => l.startsWith('-')).join(' | ')}`);
  assert.not.ok(lines.some((l) => /;;|\.\.|- -/.test(l)), 'no doubled punctuation');
});

test('a ward with no parent agency (a UBND under two-tier local government) prints its own name as the header\'s first line', async () => {
  const { pdf } = await renderDocument({ content: content(), ward: { ...ward, agencyParent: '' } });
  const lines = text(save('no-parent.pdf', pdf), '-f', '1', '-l', '1').split('\n').map((l) => l.trim()).filter(Boolean);
  assert.ok(lines[0]!.includes('UBND PHƯỜNG MẪU'), lines.slice(0, 3).join(' | '));
  assert.not.ok(lines.join(' ').includes('QUẬN'), 'no district line');
});

test.run();
