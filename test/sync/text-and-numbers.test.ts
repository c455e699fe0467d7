import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accentedTerms, accentedText, foldVietnamese, searchTerms } from '../../sync/text.js';
import { formatNumber, formatNumberAndSymbol, formatSymbol } from '../../sync/numbering-format.js';
import { vnDate, vnIso, vnDdMmYyyy } from '../../sync/vn-time.js';

test('Vietnamese folds to plain letters, including đ and composed or decomposed input', () => {
  assert.is(foldVietnamese('Quyết định về việc'), 'quyet dinh ve viec');
  assert.is(foldVietnamese('ĐỒNG Ý'), 'dong y');
  assert.is(foldVietnamese('Quye\u0302\u0301t'), 'quyet');
  assert.equal(searchTerms('Số 12/QĐ-UBND'), ['so', '12', 'qd', 'ubnd']);
});

test('terms worked out piece by piece (and remembered) are those of the whole text, on awkward input too', () => {
  // The definitions over the whole text, as they were before the per-piece cache.
  const wholeFolded = (t: string) => foldVietnamese(t).split(/[^a-z0-9]+/).filter((x) => x.length > 0);
  const wholeAccented = (t: string) => accentedText(t).split(/[^\p{L}\p{N}]+/u).filter((x) => x.length > 0).filter((w) => { const f = wholeFolded(w); return f.length === 1 && f[0] !== w; });
  const texts = [
    'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nXét đề nghị của Phòng Văn hóa - Xã hội về việc (đợt 5) khuyến học.',
    'Số 12/QĐ-UBND\tngày 01/02/2026: ĐỒNG Ý, giao ông (bà) Nguyễn Văn An chủ trì.',
    'Quye\u0302\u0301t  \u0301định  a\u0301 b \u0301c thủy hóa khóa',
    'nbsp\u00a0giữa\u2000quad\u2001em\u2028line\ufeffbom',
    'ΟΔΟΣ Σ σ İstanbul ǅemal ﬁ ß 12,5 triệu đồng; 3.000 hồ sơ',
    '', '   ', '\u0301', 'đ Đ đđ', 'a\u0323\u0302 a\u0302\u0323',
  ];
  for (let round = 0; round < 2; round++) { // the second round answers from the remembered pieces
    for (const t of texts) {
      assert.equal(searchTerms(t), wholeFolded(t), JSON.stringify(t));
      assert.equal(accentedTerms(t), wholeAccented(t), JSON.stringify(t));
    }
  }
});

test('numbers below 10 get a leading zero; symbols follow Decree 30', () => {
  assert.equal([1, 9, 10, 123].map(formatNumber), ['01', '09', '10', '123']);
  assert.is(formatNumberAndSymbol(12, { docType: 'QĐ', agencyCode: 'UBND' }), '12/QĐ-UBND');
  assert.is(formatNumberAndSymbol(7303, { docType: 'CV', agencyCode: 'UBND', unitCode: 'VP' }), '7303/UBND-VP');
  assert.is(formatSymbol({ docType: 'CV', agencyCode: 'UBND' }), 'UBND');
});

test('official dates are Vietnam time: 31 Dec 20:00 UTC is already 1 January in Hà Nội', () => {
  const at = new Date('2026-12-31T20:00:00Z');
  assert.equal(vnDate(at), { year: 2027, month: 1, day: 1 });
  assert.is(vnIso(at), '2027-01-01T03:00:00.000+07:00');
  assert.is(vnDdMmYyyy(at), '01/01/2027');
});

test.run();
