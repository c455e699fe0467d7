// What the people filling a form call its fields, and the format a field
// expects, in both languages. A refusal that says `Field "username" has the
// wrong format` names an internal key in English to a ward clerk; this says
// "Tên đăng nhập" and what is allowed.

type Label = readonly [vi: string, en: string];

const LABELS: Record<string, Label> = {
  username: ['Tên đăng nhập', 'Username'],
  fullName: ['Họ và tên', 'Full name'],
  title: ['Chức vụ', 'Job title'],
  role: ['Vai trò', 'Role'],
  password: ['Mật khẩu', 'Password'],
  newPassword: ['Mật khẩu mới', 'New password'],
  pin: ['Mã PIN', 'PIN'],
  subject: ['Trích yếu', 'Subject'],
  body: ['Nội dung', 'Body'],
  docType: ['Loại văn bản', 'Document type'],
  unitCode: ['Mã đơn vị soạn thảo', 'Drafting unit code'],
  signerTitle: ['Chức vụ người ký', 'Signer\'s title'],
  signerName: ['Họ tên người ký', 'Signer\'s name'],
  signerAuthority: ['Thẩm quyền ký', 'Signing authority'],
  recipients: ['Nơi nhận', 'Recipients'],
  senderName: ['Cơ quan gửi', 'Sender'],
  senderAgencyId: ['Mã định danh cơ quan gửi', 'Sender\'s agency code'],
  originalSymbol: ['Số, ký hiệu văn bản đến', 'Incoming document\'s number and symbol'],
  originalDate: ['Ngày văn bản', 'Document date'],
  handler: ['Người xử lý', 'Handler'],
  deadline: ['Hạn xử lý', 'Deadline'],
  comment: ['Ý kiến', 'Comment'],
  agencyParent: ['Cơ quan cấp trên', 'Parent agency'],
  agencyName: ['Tên cơ quan', 'Agency name'],
  place: ['Địa danh', 'Place name'],
};

/** The allowed format, said the way the form's user needs to hear it. */
const FORMATS: Record<string, Label> = {
  username: [
    'từ 2 đến 32 ký tự, bắt đầu bằng chữ cái thường; chỉ gồm chữ thường không dấu (a–z), chữ số, dấu chấm, gạch dưới hoặc gạch ngang, ví dụ: nguyenvan.an',
    '2 to 32 characters starting with a lower-case letter; only unaccented lower-case letters (a–z), digits, dot, underscore or hyphen, e.g. nguyenvan.an',
  ],
  unitCode: ['1 đến 10 chữ in hoa hoặc chữ số, ví dụ: VP', '1 to 10 capital letters or digits, e.g. VP'],
  senderAgencyId: ['13 ký tự gồm chữ số, chữ in hoa và dấu chấm, ví dụ: 000.00.00.H30', '13 characters of digits, capitals and dots, e.g. 000.00.00.H30'],
  originalDate: ['ngày theo dạng năm-tháng-ngày, ví dụ: 2026-03-02', 'a date as year-month-day, e.g. 2026-03-02'],
};

/** The field's name for people, from the last key of its path (array indexes skipped). */
export function fieldLabel(path: readonly (string | number)[]): Label {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  const label = key === undefined ? undefined : LABELS[key];
  const shown = path.map(String).join('.') || '(body)';
  return label ?? [shown, shown];
}

export function fieldFormat(path: readonly (string | number)[]): Label | undefined {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  return key === undefined ? undefined : FORMATS[key];
}
