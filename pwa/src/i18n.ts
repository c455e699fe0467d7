// Every string a person reads, in one catalogue: Vietnamese first, English on
// request. The chosen language is kept on the device; components re-render on
// change (see WdElement). Server errors carry both languages (sync/errors.ts).
import { DOCUMENT_TYPES } from '../../sync/doc-types.js';

export type Lang = 'vi' | 'en';

const CATALOGUE = {
  app_name: ['WardDesk', 'WardDesk'],
  skip_to_main: ['Chuyển tới nội dung chính', 'Skip to main content'],
  nav: ['Điều hướng chính', 'Main navigation'],
  nav_tasks: ['Việc của tôi', 'My tasks'],
  nav_outgoing: ['Văn bản đi', 'Outgoing'],
  nav_incoming: ['Văn bản đến', 'Incoming'],
  nav_new: ['Soạn mới', 'New draft'],
  nav_new_incoming: ['Vào sổ văn bản đến', 'Register incoming'],
  nav_users: ['Người dùng', 'Users'],
  lang_switch: ['English', 'Tiếng Việt'],
  lang_switch_label: ['Switch to English', 'Chuyển sang tiếng Việt'],
  logout: ['Đăng xuất', 'Log out'],
  login_title: ['Đăng nhập', 'Log in'],
  username: ['Tên đăng nhập', 'User name'],
  password: ['Mật khẩu', 'Password'],
  login: ['Đăng nhập', 'Log in'],
  change_password_title: ['Đổi mật khẩu', 'Change your password'],
  change_password_hint: ['Bạn đang dùng mật khẩu dùng một lần. Hãy chọn mật khẩu mới (ít nhất 10 ký tự).', 'You are using a one-time password. Choose a new one (at least 10 characters).'],
  old_password: ['Mật khẩu hiện tại', 'Current password'],
  new_password: ['Mật khẩu mới', 'New password'],
  confirm_password: ['Nhập lại mật khẩu mới', 'Repeat the new password'],
  passwords_differ: ['Hai mật khẩu mới không khớp.', 'The two new passwords differ.'],
  save_password: ['Lưu mật khẩu', 'Save password'],
  loading: ['Đang tải…', 'Loading…'],
  empty: ['Không có văn bản nào.', 'No documents.'],
  no_tasks: ['Không có việc nào đang chờ bạn.', 'Nothing is waiting for you.'],
  more: ['Xem thêm', 'Show more'],
  total: ['Tổng số', 'Total'],
  search: ['Tìm kiếm', 'Search'],
  search_hint: ['Gõ có dấu hoặc không dấu', 'With or without accents'],
  filter_state: ['Trạng thái', 'Status'],
  filter_type: ['Loại văn bản', 'Document type'],
  filter_from: ['Từ ngày', 'From'],
  filter_to: ['Đến ngày', 'To'],
  all: ['Tất cả', 'All'],
  col_number: ['Số, ký hiệu', 'Number'],
  col_date: ['Ngày', 'Date'],
  col_type: ['Loại', 'Type'],
  col_subject: ['Trích yếu', 'Subject'],
  col_state: ['Trạng thái', 'Status'],
  col_author: ['Người soạn', 'Author'],
  col_handler: ['Người xử lý', 'Handler'],
  col_activity: ['Cập nhật', 'Updated'],
  group_draft: ['Cần soạn, sửa', 'To draft'],
  group_approve: ['Chờ duyệt', 'To approve'],
  group_sign: ['Chờ ký', 'To sign'],
  group_number: ['Chờ cấp số', 'To number'],
  group_issue: ['Chờ phát hành', 'To issue'],
  group_send: ['Chờ gửi', 'To send'],
  group_register: ['Chờ vào sổ', 'To register'],
  group_assign: ['Chờ phân công', 'To assign'],
  group_handle: ['Cần xử lý', 'To handle'],
  editor_new: ['Soạn văn bản mới', 'New draft'],
  editor_edit: ['Sửa dự thảo', 'Edit draft'],
  doc_type: ['Loại văn bản', 'Document type'],
  subject: ['Trích yếu', 'Subject'],
  body: ['Nội dung', 'Body'],
  unit_code: ['Mã đơn vị soạn (cho công văn)', 'Drafting unit code (công văn)'],
  signer_authority: ['Thẩm quyền ký', 'Signing authority'],
  signer_title: ['Chức vụ người ký', 'Signer\'s title'],
  signer_name: ['Họ tên người ký', 'Signer\'s name'],
  recipients: ['Nơi nhận', 'Recipients'],
  recipient_name: ['Tên nơi nhận', 'Recipient'],
  add_recipient: ['Thêm nơi nhận', 'Add a recipient'],
  remove: ['Xoá', 'Remove'],
  attachments: ['Tệp đính kèm', 'Attachments'],
  add_attachment: ['Đính kèm tệp (PDF, PNG, JPEG)', 'Attach a file (PDF, PNG, JPEG)'],
  uploading: ['Đang tải tệp lên…', 'Uploading…'],
  save: ['Lưu', 'Save'],
  save_submit: ['Lưu và trình ký', 'Save and submit'],
  saved: ['Đã lưu.', 'Saved.'],
  saved_local: ['Đã lưu trên thiết bị; sẽ gửi lên khi có kết nối.', 'Saved on this device; will be sent when the connection is back.'],
  device_waiting: ['Đã lưu trên thiết bị, chưa gửi lên nút phường: sẽ gửi ở lần đồng bộ tới.', 'Saved on this device, not yet sent to the ward node: it goes at the next sync.'],
  draft_restored: ['Đã khôi phục bản nháp chưa lưu trên thiết bị này.', 'Restored an unsaved draft from this device.'],
  template_applied: ['Đã áp dụng mẫu cho loại văn bản này.', 'Applied the template for this type.'],
  apply_template: ['Dùng mẫu', 'Use template'],
  detail: ['Chi tiết văn bản', 'Document'],
  timeline: ['Diễn biến', 'Timeline'],
  comment: ['Ý kiến', 'Comment'],
  comment_required: ['Cần nhập ý kiến cho bước này.', 'This step needs a comment.'],
  pin: ['Mã PIN', 'PIN'],
  seal_pin: ['Mã PIN con dấu của cơ quan', 'Agency seal PIN'],
  handler: ['Người xử lý (tên đăng nhập)', 'Handler (user name)'],
  scan: ['Bản quét (PDF)', 'Scan (PDF)'],
  preview: ['Xem bản PDF', 'PDF preview'],
  open_pdf: ['Tải bản PDF', 'Download the PDF'],
  verification: ['Kiểm tra chữ ký số', 'Signature check'],
  no_pdf: ['Chưa có bản PDF đã ký.', 'No signed PDF yet.'],
  edit: ['Sửa', 'Edit'],
  back: ['Quay lại', 'Back'],
  done_ok: ['Đã thực hiện.', 'Done.'],
  created_by: ['Người tạo', 'Created by'],
  created_at: ['Ngày tạo', 'Created'],
  sender: ['Cơ quan gửi', 'Sender'],
  original_symbol: ['Số, ký hiệu gốc', 'Original number'],
  original_date: ['Ngày văn bản', 'Document date'],
  medium: ['Hình thức', 'Medium'],
  medium_electronic: ['Điện tử', 'Electronic'],
  medium_paper: ['Giấy', 'Paper'],
  exchange_status: ['Mã trạng thái', 'Status code'],
  sync_online: ['Đã kết nối nút phường', 'Connected to the ward node'],
  sync_offline: ['Mất kết nối — vẫn soạn thảo được', 'Offline — you can still draft'],
  sync_pending: ['Chờ gửi', 'Pending'],
  sync_last: ['Đồng bộ lần cuối', 'Last sync'],
  sync_never: ['chưa', 'never'],
  sync_now: ['Đồng bộ ngay', 'Sync now'],
  sync_city: ['Thành phố', 'City'],
  sync_receiving: ['Đang nhận tài liệu', 'Receiving documents'],
  sync_conflicts: ['Xung đột cần xử lý', 'Conflicts to resolve'],
  upload_progress: ['Đang tải lên', 'Uploading'],
  upload_cancel: ['Huỷ tải lên', 'Cancel the upload'],
  upload_cancelled: ['Đã huỷ tải tệp «{name}» lên; tệp không được đính kèm.', 'The upload of «{name}» was cancelled; nothing was attached.'],
  upload_too_large: ['Tệp «{name}» ({size} MB) quá lớn, nút phường không nhận. Hãy quét lại với độ phân giải thấp hơn (ví dụ 200 dpi, đen trắng) hoặc tách thành nhiều tệp. Bản nháp vẫn được giữ.', 'The file «{name}» ({size} MB) is too large for the ward node. Scan it again at a lower resolution (say 200 dpi, black and white) or split it into several files. The draft is kept.'],
  upload_interrupted: ['Mất kết nối tới nút phường khi đang tải tệp «{name}» lên (đã gửi {sent} / {size} MB). Bản nháp vẫn được giữ trên thiết bị; hãy chọn lại tệp khi có kết nối.', 'The connection to the ward node was lost while uploading «{name}» ({sent} / {size} MB sent). The draft is kept on this device; choose the file again once the connection is back.'],
  city_link_online: ['trực tuyến', 'online'],
  city_link_offline: ['mất kết nối', 'offline'],
  city_link_untried: ['chưa kết nối lần nào', 'not reached yet'],
  city_link_stopped: ['đồng bộ đã dừng', 'sync stopped'],
  city_link_todo: ['Cần làm', 'What to do'],
  city_link_waiting: ['chờ gửi', 'waiting'],
  city_link_items: ['mục', 'items'],
  city_link_rate: ['tốc độ', 'rate'],
  city_link_error: ['Lỗi gần nhất', 'Last error'],
  city_link_confirmed: ['thành phố đã nhận đủ', 'all received by the city'],
  conflicts: ['Thay đổi bị nút phường từ chối', 'Changes the ward node refused'],
  conflicts_hint: ['Thay đổi của bạn vẫn được giữ trên máy: thử lại trên bản mới nhất, hoặc bỏ đi.', 'Your change is kept on this device: retry it on the latest version, or discard it.'],
  conflict_retry: ['Thử lại', 'Retry'],
  offline_copy: ['Bản lưu trên thiết bị (chưa kết nối được nút phường): các bước xử lý sẽ làm được khi có kết nối.', 'The copy kept on this device (the ward node is not reachable): steps can be taken once it is.'],
  older_on_node: ['Tìm cả văn bản cũ hơn trên nút phường', 'Also search older documents on the ward node'],
  list_local: ['Văn bản trên thiết bị (90 ngày gần nhất và việc của bạn)', 'Documents on this device (last 90 days and your work)'],
  conflict_discard: ['Bỏ thay đổi', 'Discard'],
  update_available: ['Có phiên bản mới', 'A new version is available'],
  update_apply: ['Cập nhật ngay', 'Update now'],
  update_later: ['Để sau (cập nhật khi mở lại)', 'Later (at the next start)'],
  users_title: ['Quản lý người dùng', 'Users'],
  disk_usage: ['Ổ đĩa dữ liệu của nút phường', 'The ward node\'s data disk'],
  disk_used: ['đã dùng', 'used'],
  disk_free: ['còn trống', 'free'],
  full_name: ['Họ và tên', 'Full name'],
  title: ['Chức vụ', 'Title'],
  role: ['Vai trò', 'Role'],
  active: ['Đang hoạt động', 'Active'],
  inactive: ['Đã khoá', 'Disabled'],
  initial_password: ['Mật khẩu ban đầu (ít nhất 10 ký tự)', 'Initial password (at least 10 characters)'],
  add_user: ['Thêm người dùng', 'Add user'],
  disable: ['Khoá', 'Disable'],
  enable: ['Mở khoá', 'Enable'],
  reset_password: ['Cấp lại mật khẩu', 'Reset password'],
  one_time_password: ['Mật khẩu dùng một lần (chỉ hiển thị lần này)', 'One-time password (shown only now)'],
  certificates: ['Chứng thư số', 'Certificates'],
  cert_holder: ['Chủ thể', 'Holder'],
  cert_valid_to: ['Hết hạn', 'Expires'],
  cert_revoked: ['Đã thu hồi', 'Revoked'],
  error: ['Lỗi', 'Error'],
  close: ['Đóng', 'Close'],
  actions: ['Thao tác', 'Actions'],
  incoming_new: ['Vào sổ văn bản đến (bản giấy)', 'Register an incoming paper document'],
  verdict_valid: ['Hợp lệ', 'Valid'],
  verdict_invalid: ['Không hợp lệ', 'Invalid'],
  verdict_unknown: ['Chưa xác định', 'Unknown'],
  sig_leader: ['Chữ ký người có thẩm quyền', 'Signer\'s signature'],
  sig_agency: ['Chữ ký số của cơ quan (con dấu)', 'Agency signature (seal)'],
  signed_at: ['Thời điểm ký', 'Signed at'],
  unsaved_local: ['Bản nháp đang soạn dở trên thiết bị (chưa lưu)', 'Drafts being typed on this device (not saved)'],
  cert_serial: ['Số hiệu', 'Serial'],
  cert_valid: ['Còn hiệu lực', 'Valid'],
  cert_enrol: ['Cấp chứng thư số', 'Enrol a certificate'],
  cert_enrol_hint: ['Cấp khoá ký cho một lãnh đạo đang hoạt động hoặc cho con dấu của cơ quan. Cần mã PIN của CA phường; người giữ khoá đặt mã PIN đầu tiên (ít nhất 6 ký tự) và nên đổi sau.', 'Issue a signing key to an active leader or to the agency seal. Needs the ward CA PIN; the holder gets a first PIN (at least 6 characters) and should change it later.'],
  cert_enrol_for: ['Cấp cho', 'Issue to'],
  cert_seal: ['Con dấu của cơ quan', 'The agency seal'],
  cert_role_ca: ['CA của phường', 'Ward CA'],
  cert_no_leader: ['Chưa có lãnh đạo nào đang hoạt động.', 'No active leader yet.'],
  ca_pin: ['Mã PIN của CA phường', 'Ward CA PIN'],
  holder_pin: ['Mã PIN đầu tiên cho người giữ khoá (ít nhất 6 ký tự)', 'First PIN for the holder (at least 6 characters)'],
  holder_pin_again: ['Nhập lại mã PIN đầu tiên', 'Repeat the first PIN'],
  pins_differ: ['Hai mã PIN không khớp.', 'The two PINs differ.'],
  pin_too_short: ['Mã PIN phải có từ 6 đến 32 ký tự.', 'The PIN must be 6 to 32 characters.'],
  cert_enrolled: ['Đã cấp chứng thư số.', 'Certificate enrolled.'],
  cert_revoke: ['Thu hồi', 'Revoke'],
  cert_revoke_title: ['Thu hồi chứng thư số', 'Revoke a certificate'],
  cert_revoke_warning: ['Sau khi thu hồi, khoá này không ký được nữa và danh sách thu hồi (CRL) mới được gửi lên thành phố. Không thể hoàn tác.', 'Once revoked, this key signs nothing more and a new revocation list (CRL) goes to the city. This cannot be undone.'],
  cert_revoke_reason: ['Lý do thu hồi', 'Reason'],
  cert_revoke_confirm: ['Xác nhận thu hồi', 'Confirm revocation'],
  cert_revoked_done: ['Đã thu hồi chứng thư số.', 'Certificate revoked.'],
  cancel: ['Huỷ', 'Cancel'],
  reason_unspecified: ['Không nêu lý do', 'Unspecified'],
  reason_keyCompromise: ['Lộ khoá bí mật', 'Key compromise'],
  reason_cACompromise: ['Lộ khoá của CA', 'CA compromise'],
  reason_affiliationChanged: ['Thay đổi công tác', 'Affiliation changed'],
  reason_superseded: ['Đã cấp chứng thư thay thế', 'Superseded'],
  reason_cessationOfOperation: ['Thôi sử dụng', 'Cessation of operation'],
  nav_settings: ['Cài đặt phường', 'Ward settings'],
  settings_title: ['Cài đặt của phường', 'Ward settings'],
  settings_identity: ['Thông tin cơ quan', 'Agency'],
  settings_edit: ['Sửa thông tin in trên văn bản', 'Edit what documents show'],
  settings_edit_hint: ['Áp dụng cho các văn bản được ký sau khi lưu; văn bản đã ký không thay đổi. Giá trị này thay cho giá trị trong tệp cấu hình.', 'Applies to documents signed after saving; signed documents do not change. These values replace the configuration file\'s.'],
  ward_code: ['Mã phường', 'Ward code'],
  agency_parent: ['Cơ quan chủ quản', 'Parent agency'],
  agency_name: ['Tên cơ quan', 'Agency name'],
  agency_code: ['Ký hiệu cơ quan', 'Agency code'],
  agency_id: ['Mã định danh cơ quan', 'Agency ID'],
  place: ['Địa danh', 'Place'],
  from_config: ['Trong tệp cấu hình', 'In the configuration file'],
  registers: ['Sổ đăng ký văn bản đi', 'Outgoing registers'],
  register_types: ['Loại văn bản', 'Document types'],
  register_other: ['các loại còn lại', 'all other types'],
  city_link: ['Kết nối với thành phố', 'City link'],
  city_url: ['Địa chỉ máy chủ thành phố', 'City server address'],
  city_not_configured: ['Chưa cấu hình đồng bộ', 'Sync not configured'],
  city_interval: ['Chu kỳ đồng bộ (giây)', 'Sync interval (seconds)'],
  sync_state: ['Trạng thái đồng bộ', 'Sync state'],
  seal_image: ['Ảnh con dấu', 'Seal image'],
  seal_image_present: ['Đã có ảnh con dấu.', 'A seal image is in place.'],
  seal_image_missing: ['Chưa có ảnh con dấu: văn thư chưa phát hành văn bản điện tử được.', 'No seal image yet: the clerk cannot issue electronic documents.'],
  seal_image_file: ['Chọn ảnh con dấu (PNG trong suốt, màu đỏ, tối đa 2 MB)', 'Choose the seal image (transparent red PNG, at most 2 MB)'],
  seal_image_upload: ['Tải ảnh con dấu lên', 'Upload the seal image'],
  seal_image_saved: ['Đã lưu ảnh con dấu.', 'Seal image saved.'],
  yes: ['Có', 'Yes'],
  no: ['Không', 'No'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageKey = keyof typeof CATALOGUE;

const ROLE_NAMES: Record<string, [string, string]> = {
  specialist: ['Chuyên viên', 'Specialist'], leader: ['Lãnh đạo', 'Leader'], clerk: ['Văn thư', 'Clerk'], admin: ['Quản trị', 'Administrator'],
};

const STATE_NAMES: Record<string, [string, string]> = {
  draft: ['Dự thảo', 'Draft'], submitted: ['Đã trình', 'Submitted'], returned: ['Bị trả lại', 'Returned'], approved: ['Đã duyệt', 'Approved'],
  signed: ['Đã ký', 'Signed'], numbered: ['Đã cấp số', 'Numbered'], issued: ['Đã phát hành', 'Issued'], sent: ['Đã gửi', 'Sent'],
  arrived: ['Mới đến', 'Arrived'], refused: ['Đã từ chối', 'Refused'], registered: ['Đã vào sổ', 'Registered'], assigned: ['Đã phân công', 'Assigned'],
  in_progress: ['Đang xử lý', 'In progress'], done: ['Hoàn thành', 'Done'],
};

const ACTION_NAMES: Record<string, [string, string]> = {
  create: ['Tạo dự thảo', 'Created'], 'register-paper': ['Vào sổ bản giấy', 'Registered on paper'], edit: ['Sửa dự thảo', 'Edit'],
  submit: ['Trình ký', 'Submit'], return: ['Trả lại', 'Return'], approve: ['Duyệt', 'Approve'], sign: ['Ký số', 'Sign'],
  'sign-paper': ['Ghi nhận ký tay', 'Record paper signature'], number: ['Cấp số', 'Number'], issue: ['Phát hành', 'Issue'], send: ['Gửi', 'Send'],
  'recipient-status': ['Trạng thái nơi nhận', 'Recipient status'], arrive: ['Đến', 'Arrived'], refuse: ['Từ chối', 'Refuse'],
  register: ['Vào sổ', 'Register'], assign: ['Phân công', 'Assign'], start: ['Bắt đầu xử lý', 'Start'], done: ['Hoàn thành', 'Done'], recall: ['Thu hồi', 'Recall'],
};

let lang: Lang = readLang();

function readLang(): Lang {
  try { return localStorage.getItem('wd.lang') === 'en' ? 'en' : 'vi'; } catch { return 'vi'; }
}

export function currentLang(): Lang { return lang; }

export function setLang(next: Lang): void {
  lang = next;
  try { localStorage.setItem('wd.lang', next); } catch { /* private mode: the choice lasts this session */ }
  document.documentElement.lang = next;
  window.dispatchEvent(new CustomEvent('wd-lang', { detail: next }));
}

const pick = (pair: readonly [string, string] | undefined, fallback: string) => (pair ? pair[lang === 'vi' ? 0 : 1] : fallback);

export const t = (key: MessageKey): string => pick(CATALOGUE[key], key);
export const roleName = (role: string): string => pick(ROLE_NAMES[role], role);
export const stateName = (state: string | null | undefined): string => pick(STATE_NAMES[state ?? ''], state ?? '');
export const actionName = (action: string): string => pick(ACTION_NAMES[action], action);
export const STATES = Object.keys(STATE_NAMES);

/** Vietnamese names are official; English readers see the code with the name. */
export const docTypeName = (code: string): string => {
  const vi = (DOCUMENT_TYPES as Record<string, string>)[code] ?? code;
  return lang === 'vi' ? vi : `${code} — ${vi}`;
};
export const DOC_TYPE_CODES = Object.keys(DOCUMENT_TYPES);

/** A message in both languages (from the server or sync/errors.ts) in the reader's one. */
export const localized = (m: { vi: string; en: string }): string => (lang === 'vi' ? m.vi : m.en);

/** A message in both languages with its {placeholders} filled (numbers already formatted per language), for an ApiError built in the app. */
export function both(key: MessageKey, vi: Record<string, string> = {}, en: Record<string, string> = vi): { vi: string; en: string } {
  const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m);
  const [textVi, textEn] = CATALOGUE[key];
  return { vi: fill(textVi, vi), en: fill(textEn, en) };
}
