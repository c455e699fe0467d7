// A starting text per document type (Decree 30/2020, Appendix I layouts):
// the usual opening of the subject, the legal bases and the body's shape.
// The author edits everything; a template only saves typing.
export interface Template { subject: string; body: string; signerAuthority: string; recipients: string[] }

// The Law on Local Government Organisation of 16 June 2025 (No. 72/2025/QH15, in force 1 July 2025) replaced that of 2015.
const BASES = 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\nCăn cứ …;\nXét đề nghị của …';

const TEMPLATES: Record<string, Template> = {
  'QĐ': { subject: 'Về việc …', body: `${BASES}\n\nQUYẾT ĐỊNH:\n\nĐiều 1. …\n\nĐiều 2. …\n\nĐiều 3. Quyết định này có hiệu lực kể từ ngày ký. …`, signerAuthority: 'TM.', recipients: ['Như Điều 3', 'Lưu: VT'] },
  TB: { subject: 'Về việc …', body: 'Ủy ban nhân dân phường thông báo như sau:\n\n1. …\n\n2. …', signerAuthority: 'TM.', recipients: ['Các tổ dân phố', 'Lưu: VT'] },
  KH: { subject: 'Kế hoạch …', body: 'I. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích: …\n\n2. Yêu cầu: …\n\nII. NỘI DUNG\n\n…\n\nIII. TỔ CHỨC THỰC HIỆN\n\n…', signerAuthority: 'TM.', recipients: ['UBND Thành phố (để báo cáo)', 'Lưu: VT'] },
  BC: { subject: 'Báo cáo …', body: 'I. TÌNH HÌNH THỰC HIỆN\n\n…\n\nII. KHÓ KHĂN, VƯỚNG MẮC\n\n…\n\nIII. KIẾN NGHỊ, ĐỀ XUẤT\n\n…', signerAuthority: 'TM.', recipients: ['UBND Thành phố', 'Lưu: VT'] },
  GM: { subject: 'Mời dự …', body: 'Ủy ban nhân dân phường trân trọng kính mời: …\n\nDự: …\n\nThời gian: … giờ …, ngày … tháng … năm …\n\nĐịa điểm: …', signerAuthority: 'TL.', recipients: ['Như thành phần mời', 'Lưu: VT'] },
  TTr: { subject: 'Về việc …', body: 'Kính gửi: …\n\nCăn cứ …;\n\n… kính trình … xem xét, phê duyệt: …', signerAuthority: 'TM.', recipients: ['Như trên', 'Lưu: VT'] },
  CV: { subject: 'V/v …', body: 'Kính gửi: …\n\n…', signerAuthority: 'TM.', recipients: ['Như trên', 'Lưu: VT'] },
};

const GENERIC: Template = { subject: 'Về việc …', body: `${BASES}\n\n…`, signerAuthority: 'TM.', recipients: ['Lưu: VT'] };

export const templateFor = (docType: string): Template => TEMPLATES[docType] ?? GENERIC;
