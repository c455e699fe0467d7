import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { foldVietnamese, searchTerms } from '../../sync/text.js';
import { formatNumber, formatNumberAndSymbol, formatSymbol } from '../../sync/numbering-format.js';
import { vnDate, vnIso, vnDdMmYyyy } from '../../sync/vn-time.js';

test('Vietnamese folds to plain letters, including đ and composed or decomposed input', () => {
  assert.is(foldVietnamese('Quyết định về việc'), 'quyet dinh ve viec');
  assert.is(foldVietnamese('ĐỒNG Ý'), 'dong y');
  assert.is(foldVietnamese('Quye\u0302\u0301t'), 'quyet');
  assert.equal(searchTerms('Số 12/QĐ-UBND'), ['so', '12', 'qd', 'ubnd']);
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
