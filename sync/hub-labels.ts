// Names of the hub's verdicts, signing kinds and sync health in Vietnamese and
// English, shared by the CSV export and the dashboard page. Pure data.

export const VERDICT_LABELS: Record<string, { vi: string; en: string }> = {
  tampered: { vi: 'Bị sửa đổi trái phép', en: 'Tampered' },
  invalid: { vi: 'Không hợp lệ', en: 'Invalid' },
  unverifiable: { vi: 'Chưa kiểm chứng được', en: 'Unverifiable' },
  valid: { vi: 'Hợp lệ', en: 'Valid' },
  paper: { vi: 'Ký giấy', en: 'Paper' },
  unsigned: { vi: 'Chưa ký', en: 'Unsigned' },
};

export const SIGNING_LABELS: Record<string, { vi: string; en: string }> = {
  digital: { vi: 'Ký số', en: 'Digital' },
  paper: { vi: 'Ký tay (giấy)', en: 'Paper' },
  none: { vi: 'Chưa ký', en: 'Not signed' },
};

/** The CHT scale on the median sync lag. */
export const HEALTH_LABELS: Record<string, { vi: string; en: string }> = {
  good: { vi: 'Tốt (dưới 3 phút)', en: 'Good (under 3 min)' },
  tolerable: { vi: 'Chấp nhận được (3–6 phút)', en: 'Tolerable (3–6 min)' },
  poor: { vi: 'Chậm (trên 6 phút)', en: 'Poor (over 6 min)' },
  never: { vi: 'Chưa từng đồng bộ', en: 'Never synced' },
};

/** Decision 28/2018 exchange statuses of a document the city sent, as the ward reports them. */
export const EXCHANGE_LABELS: Record<string, { vi: string; en: string }> = {
  arrived: { vi: 'Đã đến', en: 'Received' },
  refused: { vi: 'Từ chối', en: 'Refused' },
  registered: { vi: 'Đã tiếp nhận', en: 'Accepted' },
  assigned: { vi: 'Đã phân công', en: 'Assigned' },
  in_progress: { vi: 'Đang xử lý', en: 'In progress' },
  done: { vi: 'Hoàn thành', en: 'Done' },
};

export const TIMELINE_LABELS: Record<string, { vi: string; en: string }> = {
  created: { vi: 'Tạo tại phường', en: 'Created at the ward' },
  issued: { vi: 'Phát hành', en: 'Issued' },
  'last-event': { vi: 'Bước gần nhất', en: 'Latest step' },
  arrived: { vi: 'Về tới thành phố', en: 'Reached the city' },
  verified: { vi: 'Thành phố kiểm tra chữ ký', en: 'Signatures checked by the city' },
};

export function label(table: Record<string, { vi: string; en: string }>, code: string, lang: 'vi' | 'en'): string {
  return table[code]?.[lang] ?? code;
}
