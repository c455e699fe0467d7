// The Decree 30 rendering checked with poppler: the Vietnamese text comes
// back exactly, fonts are embedded, the page is A4, page numbers start on
// page 2, and the reported blanks sit where the number and date go.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDocument } from '../../node/pdf-render.js';
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

test.run();
