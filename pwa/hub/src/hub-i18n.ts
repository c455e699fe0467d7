// The dashboard's own strings, Vietnamese first; the language itself (kept
// on the device, switched with one button) is the officials' app's (../../src/i18n.ts).
import { currentLang } from '../../src/i18n.js';

const CATALOGUE = {
  title: ['Tổng hợp ký số văn bản của các phường', 'Digital signing across the wards'],
  subtitle: ['Số liệu do máy chủ thành phố tự kiểm tra chữ ký', 'Figures from signatures the city verified itself'],
  refresh: ['Tải lại', 'Refresh'],
  filters: ['Bộ lọc', 'Filters'],
  from_week: ['Từ tuần', 'From week'],
  to_week: ['Đến tuần', 'To week'],
  ward: ['Phường', 'Ward'],
  all_wards: ['Tất cả các phường', 'All wards'],
  apply: ['Xem', 'Show'],
  city_rate: ['Tỷ lệ văn bản phát hành được ký số hợp lệ', 'Issued documents digitally signed and valid'],
  units_100: ['Đơn vị ký số 100 %', 'Units signing 100 %'],
  units_100_of: ['trên', 'of'],
  issued: ['Đã phát hành', 'Issued'],
  digital: ['Ký số hợp lệ', 'Digital (valid)'],
  paper: ['Ký giấy', 'Paper'],
  invalid: ['Chữ ký không hợp lệ', 'Invalid signature'],
  unverifiable: ['Chưa kiểm chứng được', 'Unverifiable'],
  tampered: ['Bị sửa đổi trái phép', 'Tampered'],
  chain: ['Nhật ký kiểm tra', 'Audit chain'],
  chain_ok: ['Toàn vẹn', 'Intact'],
  chain_broken: ['Bị phá vỡ tại mục', 'Broken at entry'],
  rate: ['Tỷ lệ ký số', 'Signing rate'],
  units: ['Đơn vị', 'Units'],
  trend: ['Diễn biến theo tuần', 'Weekly trend'],
  trend_label: ['Biểu đồ tỷ lệ ký số theo tuần', 'Chart of the signing rate per week'],
  week: ['Tuần', 'Week'],
  by_ward: ['Theo phường (tỷ lệ thấp nhất trước)', 'By ward (lowest rate first)'],
  sync: ['Tình trạng đồng bộ', 'Sync health'],
  sent: ['Văn bản thành phố gửi các phường', 'Documents the city sent to the wards'],
  none_sent: ['Thành phố chưa gửi văn bản nào.', 'The city has not sent any document yet.'],
  last_step: ['Bước gần nhất', 'Last step'],
  steps: ['Các bước xử lý tại phường', 'Steps taken at the ward'],
  health: ['Tình trạng', 'Health'],
  last_seen: ['Lần cuối nhận dữ liệu', 'Last seen'],
  pending_files: ['Tệp chưa về đủ', 'Pending files'],
  lag: ['Độ trễ (trung vị / lớn nhất)', 'Lag (median / worst)'],
  documents: ['Văn bản', 'Documents'],
  flagged: ['Bị sửa đổi, chữ ký không hợp lệ hoặc chưa kiểm chứng được', 'Tampered, invalid or unverifiable signatures'],
  none_flagged: ['Không có chữ ký nào bị nghi ngờ.', 'No signature in doubt.'],
  reasons: ['Lý do', 'Reasons'],
  verdict: ['Kết quả kiểm tra', 'Verdict'],
  number: ['Số, ký hiệu', 'Number'],
  subject: ['Trích yếu', 'Subject'],
  open: ['Xem chi tiết', 'Open'],
  csv: ['Tải CSV', 'Download CSV'],
  show_table: ['Xem dạng bảng', 'Show as a table'],
  back: ['Quay lại bảng tổng hợp', 'Back to the dashboard'],
  document: ['Văn bản', 'Document'],
  unit: ['Đơn vị', 'Unit'],
  doc_type: ['Loại', 'Type'],
  state: ['Trạng thái', 'State'],
  signing: ['Hình thức ký', 'Signing'],
  signatures: ['Chữ ký', 'Signatures'],
  signer: ['Người ký', 'Signer'],
  role: ['Vai trò', 'Role'],
  signed_at: ['Thời điểm ký', 'Signed at'],
  status: ['Kết quả', 'Result'],
  role_leader: ['Lãnh đạo', 'Leader'],
  role_agency: ['Cơ quan (con dấu)', 'Agency (seal)'],
  role_unknown: ['Không rõ', 'Unknown'],
  timeline: ['Diễn biến', 'Timeline'],
  pdf: ['Mở bản PDF đã ký', 'Open the signed PDF'],
  pdf_pending: ['Bản PDF chưa về đủ thành phố.', 'The PDF has not fully reached the city.'],
  no_pdf: ['Văn bản chưa có bản PDF đã ký.', 'No signed PDF.'],
  loading: ['Đang tải…', 'Loading…'],
  failed: ['Không tải được số liệu.', 'Could not load the figures.'],
  updated: ['Cập nhật lúc', 'Updated at'],
  never: ['chưa bao giờ', 'never'],
  lang_switch: ['English', 'Tiếng Việt'],
  lang_switch_label: ['Switch to English', 'Chuyển sang tiếng Việt'],
  more: ['Xem thêm', 'Show more'],
  table_scroll: ['Bảng, cuộn ngang được', 'Table, scrolls sideways'],
} as const satisfies Record<string, readonly [string, string]>;

export type HubKey = keyof typeof CATALOGUE;

export const ht = (key: HubKey): string => CATALOGUE[key][currentLang() === 'vi' ? 0 : 1];

/** A pair from the server or sync/hub-labels.ts in the reader's language. */
export const inLang = (m: { vi: string; en: string } | undefined, fallback = ''): string => (m ? m[currentLang()] : fallback);

/** Seconds as "45 giây" / "4 phút" / "3 giờ" ("45 s", "4 min", "3 h"). */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const vi = currentLang() === 'vi';
  if (seconds < 90) return vi ? `${Math.round(seconds)} giây` : `${Math.round(seconds)} s`;
  if (seconds < 5400) return vi ? `${Math.round(seconds / 60)} phút` : `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return vi ? `${Math.round(seconds / 3600)} giờ` : `${Math.round(seconds / 3600)} h`;
  return vi ? `${Math.round(seconds / 86_400)} ngày` : `${Math.round(seconds / 86_400)} days`;
}
