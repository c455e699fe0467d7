// Decree 30/2020/NĐ-CP, Appendix III: the abbreviation of each administrative
// document type. A công văn has no code; its symbol is agency + drafting unit.

export const DOCUMENT_TYPES = {
  NQ: 'Nghị quyết',
  'QĐ': 'Quyết định',
  CT: 'Chỉ thị',
  QC: 'Quy chế',
  'QyĐ': 'Quy định',
  TC: 'Thông cáo',
  TB: 'Thông báo',
  HD: 'Hướng dẫn',
  CTr: 'Chương trình',
  KH: 'Kế hoạch',
  PA: 'Phương án',
  'ĐA': 'Đề án',
  DA: 'Dự án',
  BC: 'Báo cáo',
  BB: 'Biên bản',
  TTr: 'Tờ trình',
  'HĐ': 'Hợp đồng',
  'CĐ': 'Công điện',
  BGN: 'Bản ghi nhớ',
  BTT: 'Bản thỏa thuận',
  GUQ: 'Giấy ủy quyền',
  GM: 'Giấy mời',
  GGT: 'Giấy giới thiệu',
  GNP: 'Giấy nghỉ phép',
  PG: 'Phiếu gửi',
  PC: 'Phiếu chuyển',
  PB: 'Phiếu báo',
  CV: 'Công văn',
} as const;

/** `CV` is WardDesk's own key for a công văn, which has no code in the decree. */
export type DocumentType = keyof typeof DOCUMENT_TYPES;
export const DOCUMENT_TYPE_CODES = Object.keys(DOCUMENT_TYPES) as [DocumentType, ...DocumentType[]];

/** Copies (bản sao): sao y, trích sao, sao lục. */
export const COPY_TYPES = { SY: 'Sao y', TrS: 'Trích sao', SL: 'Sao lục' } as const;

/** Signer's authority prefixes (thẩm quyền ký). */
export const SIGNER_AUTHORITIES = ['', 'TM.', 'Q.', 'KT.', 'TL.', 'TUQ.'] as const;
export type SignerAuthority = (typeof SIGNER_AUTHORITIES)[number];
