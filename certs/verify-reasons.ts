// Why a signature is not valid (or not known to be), in Vietnamese and English.
import type { Reason } from './verdict.js';

const REASONS = {
  not_pdf: { vi: 'Tệp không phải PDF đọc được.', en: 'The file is not a readable PDF.' },
  no_signature: { vi: 'Tệp không có chữ ký số nào.', en: 'The file has no digital signature.' },
  bad_byte_range: { vi: 'Vùng dữ liệu được ký không hợp lệ.', en: 'The signed byte range is malformed.' },
  bad_cms: { vi: 'Không đọc được dữ liệu chữ ký (CMS).', en: 'The signature data (CMS) cannot be read.' },
  digest_mismatch: { vi: 'Nội dung đã bị thay đổi sau khi ký (mã băm không khớp).', en: 'The content was changed after signing (digest mismatch).' },
  signature_mismatch: { vi: 'Chữ ký không khớp với chứng thư số của người ký.', en: 'The signature does not match the signer\'s certificate.' },
  cert_mismatch: { vi: 'Chứng thư số trong chữ ký không phải chứng thư đã ký.', en: 'The certificate in the signature is not the one that signed.' },
  untrusted_chain: { vi: 'Chứng thư số không được cấp bởi CA gốc tin cậy của thành phố.', en: 'The certificate does not chain to the trusted city root.' },
  not_a_ca: { vi: 'Một chứng thư trung gian không phải CA.', en: 'An intermediate certificate is not a CA.' },
  expired_at_signing: { vi: 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký.', en: 'A certificate was expired or not yet valid at signing time.' },
  no_signing_time: { vi: 'Chữ ký không có thời điểm ký.', en: 'The signature has no signing time.' },
  revoked: { vi: 'Chứng thư số đã bị thu hồi.', en: 'A certificate has been revoked.' },
  revocation_unknown: { vi: 'Không kiểm tra được tình trạng thu hồi (thiếu hoặc hết hạn CRL): kết quả là chưa xác định.', en: 'Revocation could not be checked (CRL missing or out of date): the result is unknown.' },
  changed_after_signing: { vi: 'Tệp có thay đổi sau chữ ký ngoài những gì quy trình cho phép.', en: 'The file was changed after the signature beyond what the workflow allows.' },
  appended_after_last: { vi: 'Có dữ liệu được thêm vào sau chữ ký cuối cùng.', en: 'Data was appended after the last signature.' },
  wrong_key_usage: { vi: 'Mục đích sử dụng khóa của chứng thư số không cho phép việc này.', en: 'The certificate\'s key usage does not allow this use.' },
  path_too_long: { vi: 'Chuỗi chứng thư dài hơn giới hạn mà CA cho phép.', en: 'The chain is longer than the CA\'s path length allows.' },
  unsupported_algorithm: { vi: 'Thuật toán băm không được hỗ trợ.', en: 'Unsupported digest algorithm.' },
  unaccounted_signature: { vi: 'Tệp có trường chữ ký không kiểm tra được (thiếu hoặc sai vùng dữ liệu được ký).', en: 'The file has a signature field that cannot be checked (its signed byte range is missing or malformed).' },
  signing_time_unproven: { vi: 'Chứng thư số nay đã hết hạn hoặc bị thu hồi, và không có dấu thời gian chứng minh chữ ký được tạo khi chứng thư còn hiệu lực: thời điểm ký chưa được chứng minh, kết quả là chưa xác định.', en: 'The certificate has expired or been revoked since, and no timestamp proves the signature was made while it was valid: the signing time is unproven, so the result is unknown.' },
  bad_timestamp: { vi: 'Dấu thời gian không hợp lệ (không khớp dữ liệu, chữ ký hoặc chứng thư của máy chủ dấu thời gian sai).', en: 'The timestamp is not valid (it does not match the data, or its signature or TSA certificate is wrong).' },
  timestamp_not_tsa: { vi: 'Dấu thời gian được ký bởi chứng thư không dành cho cấp dấu thời gian (thiếu mục đích timeStamping bắt buộc).', en: 'The timestamp is signed by a certificate not meant for time-stamping (no critical timeStamping extended key usage).' },
  unreadable_pdf: { vi: 'Cấu trúc tệp PDF hỏng hoặc được dựng để làm treo trình kiểm tra: không kiểm tra được.', en: 'The PDF structure is broken or built to hang the verifier: it cannot be checked.' },
  seal_wrong_agency: { vi: 'Chứng thư của con dấu không mang tên cơ quan ban hành ghi trên văn bản.', en: 'The seal\'s certificate does not name the issuing agency printed in the document.' },
} as const;

export type ReasonCode = keyof typeof REASONS;

export function reason(code: ReasonCode, detail?: string): Reason {
  const r = REASONS[code];
  return detail ? { code, vi: `${r.vi} (${detail})`, en: `${r.en} (${detail})` } : { code, ...r };
}
