// One catalogue of every error WardDesk can show a person: a stable code, the
// HTTP status the node answers with, and the message in Vietnamese and English.
// Pure data so the PWA, the node and the city's validate_doc_update share it.

export interface ErrorSpec { status: number; vi: string; en: string; action?: { vi: string; en: string } }

/** What a person can do about an error, when the catalogue says (the sync errors that stop sync). */
export function errorAction(code: ErrorCode): { vi: string; en: string } | null {
  return (ERRORS[code] as ErrorSpec).action ?? null;
}

export const ERRORS = {
  bad_json: { status: 400, vi: 'Dữ liệu gửi lên không phải JSON hợp lệ.', en: 'The request body is not valid JSON.' },
  headers_too_large: { status: 431, vi: 'Địa chỉ hoặc phần đầu của yêu cầu quá dài (tối đa 16 KB). Hãy rút ngắn điều kiện tìm kiếm rồi thử lại.', en: 'The address or headers of the request are too long (16 KB at most). Shorten the search and try again.' },
  bad_request: { status: 400, vi: 'Yêu cầu HTTP không hợp lệ.', en: 'The HTTP request is malformed.' },
  body_too_large: { status: 413, vi: 'Dữ liệu gửi lên quá lớn.', en: 'The request body is too large.' },
  invalid_input: { status: 400, vi: 'Dữ liệu không hợp lệ.', en: 'The data is not valid.' },
  unsupported_media_type: { status: 415, vi: 'Định dạng dữ liệu không được hỗ trợ.', en: 'This content type is not supported.' },
  not_found: { status: 404, vi: 'Không tìm thấy.', en: 'Not found.' },
  document_not_found: { status: 404, vi: 'Không tìm thấy văn bản.', en: 'Document not found.' },
  user_not_found: { status: 404, vi: 'Không tìm thấy người dùng.', en: 'User not found.' },
  user_exists: { status: 409, vi: 'Tên đăng nhập đã tồn tại.', en: 'That user name is already taken.' },
  not_logged_in: { status: 401, vi: 'Bạn chưa đăng nhập hoặc phiên đã hết hạn.', en: 'You are not logged in or your session has expired.' },
  bad_credentials: { status: 401, vi: 'Tên đăng nhập hoặc mật khẩu không đúng.', en: 'Wrong user name or password.' },
  account_locked: { status: 429, vi: 'Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau.', en: 'Too many failed logins: the account is locked for a while. Try again later.' },
  account_disabled: { status: 403, vi: 'Tài khoản đã bị vô hiệu hóa.', en: 'This account is disabled.' },
  password_change_required: { status: 403, vi: 'Bạn cần đổi mật khẩu dùng một lần trước khi tiếp tục.', en: 'Change your one-time password before going on.' },
  forbidden: { status: 403, vi: 'Bạn không có quyền thực hiện thao tác này.', en: 'You are not allowed to do this.' },
  wrong_role: { status: 403, vi: 'Vai trò của bạn không được thực hiện bước này.', en: 'Your role cannot take this step.' },
  csrf: { status: 403, vi: 'Yêu cầu không hợp lệ (thiếu mã chống giả mạo).', en: 'The request lacks a valid anti-forgery token.' },
  illegal_transition: { status: 409, vi: 'Không thể thực hiện bước này ở trạng thái hiện tại của văn bản.', en: 'This step is not allowed in the document\'s current state.' },
  not_editable: { status: 409, vi: 'Văn bản không còn ở trạng thái dự thảo nên không thể sửa.', en: 'The document is no longer a draft and cannot be edited.' },
  stale_revision: { status: 409, vi: 'Văn bản vừa được người khác thay đổi. Hãy tải lại rồi thử lại.', en: 'Someone else changed the document. Reload and try again.' },
  scan_required: { status: 400, vi: 'Cần đính kèm bản quét của văn bản giấy.', en: 'The scan of the paper document is required.' },
  attachment_not_found: { status: 404, vi: 'Không tìm thấy tệp đính kèm.', en: 'Attachment not found.' },
  attachment_corrupt: { status: 500, vi: 'Tệp đính kèm lưu trên máy chủ phường bị hỏng (mã SHA-256 không khớp) nên không được gửi đi. Hãy báo quản trị viên khôi phục tệp từ bản sao lưu hoặc từ thành phố.', en: 'The attachment stored on the ward node is damaged (its SHA-256 does not match), so it is not served. Ask the administrator to restore it from a backup or from the city.' },
  file_unreadable: { status: 422, vi: 'Tệp không đúng định dạng đã khai báo: tệp PDF phải mở được, ảnh PNG hoặc JPEG phải giải mã được. Hãy quét hoặc xuất lại tệp rồi tải lên lại.', en: 'The file is not what it claims to be: a PDF must open and a PNG or JPEG image must decode. Scan or export the file again, then upload it again.' },
  image_too_large: { status: 413, vi: 'Ảnh quá lớn (quá nhiều điểm ảnh). Hãy quét với độ phân giải thấp hơn (300 dpi là đủ).', en: 'The image is too large (too many pixels). Scan at a lower resolution (300 dpi is enough).' },
  bad_attachment: { status: 400, vi: 'Tệp đính kèm không hợp lệ.', en: 'The attachment is not valid.' },
  weak_password: { status: 400, vi: 'Mật khẩu phải có ít nhất 10 ký tự.', en: 'The password must be at least 10 characters long.' },
  audit_broken: { status: 500, vi: 'Nhật ký kiểm tra đã bị thay đổi.', en: 'The audit log has been tampered with.' },
  signature_required: { status: 409, vi: 'Văn bản chưa có chữ ký số hợp lệ của người ký.', en: 'The document lacks a valid signature of the signer.' },
  signature_invalid: { status: 400, vi: 'Chữ ký số không hợp lệ.', en: 'The digital signature is not valid.' },
  certificate_missing: { status: 409, vi: 'Chưa có chứng thư số và khóa ký cho người ký này: quản trị viên cần cấp trước.', en: 'No signing certificate and key for this signer yet: the administrator must enrol one first.' },
  signature_image_missing: { status: 409, vi: 'Chưa có ảnh chữ ký (hoặc ảnh con dấu): hãy tải lên ảnh PNG trong suốt.', en: 'No signature (or seal) image yet: upload a transparent PNG.' },
  ca_missing: { status: 409, vi: 'Máy chủ phường chưa được cài CA của phường (warddesk ca ward install).', en: 'The ward CA is not installed on this node (warddesk ca ward install).' },
  weak_pin: { status: 400, vi: 'Mã PIN phải có từ 6 đến 32 chữ số hoặc ký tự.', en: 'The PIN must be 6 to 32 digits or characters.' },
  wrong_pin: { status: 401, vi: 'Mã PIN không đúng.', en: 'Wrong PIN.' },
  key_locked: { status: 429, vi: 'Khóa ký tạm khóa do nhập sai PIN nhiều lần.', en: 'The signing key is locked after too many wrong PINs.' },
  disk_full: { status: 507, vi: 'Ổ đĩa của máy chủ phường đã đầy: thay đổi này chưa được lưu (không có gì bị ghi dở). Vẫn xem được văn bản. Hãy báo quản trị viên giải phóng dung lượng rồi thử lại.', en: 'The ward node\'s disk is full: this change was not saved (nothing was half-written). Documents can still be read. Ask the administrator to free some space, then try again.' },
  store_unavailable: { status: 503, vi: 'Kho dữ liệu tạm thời không sẵn sàng.', en: 'The data store is temporarily unavailable.' },
  internal: { status: 500, vi: 'Lỗi hệ thống. Vui lòng thử lại hoặc báo quản trị viên.', en: 'Internal error. Try again or tell the administrator.' },
  sync_not_configured: { status: 503, vi: 'Chưa cấu hình đồng bộ với thành phố (thiếu địa chỉ hoặc tệp thông tin đăng nhập).', en: 'Sync with the city is not configured (no city address or credentials file).',
    action: { vi: 'Quản trị viên cần đặt tệp thông tin đăng nhập do thành phố cấp lên máy chủ phường (và địa chỉ máy chủ thành phố), rồi bấm "Đồng bộ ngay".', en: 'The administrator must put the credentials file the city issued on the ward node (and the city server\'s address), then press "Sync now".' } },
  sync_offline: { status: 503, vi: 'Không kết nối được máy chủ thành phố. Dữ liệu vẫn được lưu tại phường và sẽ gửi khi có mạng.', en: 'The city server cannot be reached. Everything stays safe at the ward and will be sent when the link is back.' },
  sync_timeout: { status: 504, vi: 'Máy chủ thành phố không trả lời kịp thời; sẽ thử lại.', en: 'The city server did not answer in time; will retry.' },
  sync_unauthorized: { status: 502, vi: 'Máy chủ thành phố từ chối thông tin đăng nhập của phường. Cần thành phố cấp lại tệp thông tin đăng nhập.', en: 'The city server refused the ward\'s credentials. Ask the city for a new credentials file.',
    action: { vi: 'Hãy đề nghị thành phố kiểm tra thông tin đăng nhập của phường (hoặc cấp lại tệp), rồi bấm "Đồng bộ ngay".', en: 'Ask the city to check the ward\'s credentials (or issue a new file), then press "Sync now".' } },
  sync_server_error: { status: 502, vi: 'Máy chủ thành phố đang gặp lỗi; sẽ thử lại sau.', en: 'The city server is failing; will retry later.' },
  sync_too_large: { status: 502, vi: 'Gói dữ liệu quá lớn đối với máy chủ thành phố; đang gửi theo gói nhỏ hơn.', en: 'A batch was too large for the city server; sending smaller batches.' },
  sync_refused: { status: 502, vi: 'Thành phố từ chối một số văn bản (vi phạm quy tắc ghi). Cần quản trị viên kiểm tra.', en: 'The city refused some documents (they break the write rules). An administrator must look into it.' },
  sync_failed: { status: 502, vi: 'Đồng bộ với thành phố thất bại; sẽ thử lại.', en: 'Sync with the city failed; will retry.' },
  certificate_untrusted: { status: 422, vi: 'Chuỗi chứng thư không dẫn tới CA gốc tin cậy (cần cung cấp các chứng thư trung gian và CA gốc mà thành phố tin).', en: 'The certificate chain does not lead to a trusted root (supply the intermediate certificates and a root the city trusts).' },
  certificate_unsuitable: { status: 422, vi: 'Chứng thư không dùng để ký được (hết hạn, chưa có hiệu lực, là chứng thư CA hoặc thiếu mục đích ký số).', en: 'The certificate cannot sign (expired, not yet valid, a CA certificate, or no digital-signature key usage).' },
  invalid_serial: { status: 400, vi: 'Số hiệu chứng thư phải là chuỗi thập lục phân (tối đa 40 ký tự).', en: 'A certificate serial must be hexadecimal (at most 40 characters).' },
  crl_missing: { status: 404, vi: 'Chưa có danh sách thu hồi chứng thư (CRL) của CA này.', en: 'There is no certificate revocation list (CRL) for this CA yet.' },
  network_unreachable: { status: 503, vi: 'Không kết nối được máy chủ phường. Bản nháp vẫn được lưu trên thiết bị và sẽ gửi khi có kết nối.', en: 'The ward node cannot be reached. Drafts stay on this device and are sent when the connection is back.' },
  replication_read_only: { status: 403, vi: 'Thiết bị chỉ được đọc dữ liệu từ máy chủ phường qua kênh đồng bộ; mọi thay đổi phải gửi qua các chức năng của ứng dụng.', en: 'Devices only read from the ward node through replication; every change goes through the app\'s commands.' },
  not_a_pdf: { status: 400, vi: 'Tệp gửi đi phải là PDF (bắt đầu bằng %PDF- và kết thúc bằng %%EOF), tối đa 50 MB.', en: 'The file to send must be a PDF (starting with %PDF- and ending with %%EOF), at most 50 MB.' },
  unknown_ward: { status: 404, vi: 'Không có cơ sở dữ liệu của phường này tại thành phố (chạy warddesk city init trước).', en: 'The city has no database for this ward (run warddesk city init first).' },
  wrong_ca_pin: { status: 401, vi: 'Mã PIN của CA phường không đúng.', en: 'Wrong ward CA PIN.' },
  certificate_not_found: { status: 404, vi: 'Không có chứng thư số nào của máy chủ phường mang số hiệu này.', en: 'No certificate on this ward node has this serial.' },
  certificate_already_revoked: { status: 409, vi: 'Chứng thư số này đã bị thu hồi trước đó.', en: 'This certificate has already been revoked.' },
  cannot_revoke_ward_ca: { status: 409, vi: 'Không thể tự thu hồi chứng thư của CA phường tại đây: việc đó do CA gốc của thành phố thực hiện.', en: 'The ward CA\'s own certificate cannot be revoked here: only the city root CA can do that.' },
  revocation_reason_invalid: { status: 400, vi: 'Lý do thu hồi phải là một trong: unspecified (không nêu), keyCompromise (lộ khóa), cACompromise (lộ khóa CA), affiliationChanged (thay đổi công tác), superseded (đã cấp chứng thư thay thế), cessationOfOperation (thôi sử dụng).', en: 'The revocation reason must be one of: unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation.' },
  certificate_revoked: { status: 409, vi: 'Chứng thư số của người ký (hoặc con dấu) đã bị thu hồi nên không ký được nữa. Quản trị viên cần cấp chứng thư mới.', en: 'The signer\'s (or the seal\'s) certificate has been revoked, so it can no longer sign. The administrator must enrol a new one.' },
  password_too_simple: { status: 400, vi: 'Mật khẩu quá đơn giản: cần ít nhất 10 ký tự (không tính khoảng trắng ở đầu và cuối), gồm ít nhất 4 ký tự khác nhau.', en: 'The password is too simple: it needs at least 10 characters (not counting spaces at either end), with at least 4 different characters.' },
  password_reused: { status: 400, vi: 'Mật khẩu mới phải khác mật khẩu cũ.', en: 'The new password must differ from the old one.' },
  last_admin: { status: 409, vi: 'Không thể vô hiệu hóa hoặc đổi vai trò của quản trị viên cuối cùng: hãy cấp quyền quản trị cho người khác trước.', en: 'The last administrator cannot be disabled or given another role: make someone else an administrator first.' },
  login_busy: { status: 503, vi: 'Máy chủ phường đang nhận quá nhiều yêu cầu đăng nhập. Vui lòng thử lại sau ít giây.', en: 'The ward node is receiving too many logins right now. Try again in a few seconds.' },
  replication_forbidden: { status: 403, vi: 'Thao tác này không được phép trên kênh đồng bộ của thiết bị.', en: 'This operation is not allowed on the device replication endpoint.' },
  send_no_city: { status: 409, vi: 'Chưa gửi: máy chủ phường chưa được kết nối với thành phố, nên văn bản không thể gửi điện tử tới nơi nhận. Văn bản vẫn ở trạng thái đã phát hành; hãy gửi bản giấy, hoặc nhờ quản trị viên kết nối thành phố rồi bấm Gửi lại.', en: 'Not sent: the ward server is not connected to the city, so the document cannot go to its recipients electronically. It stays issued; send it on paper, or have the administrator connect the city and press Send again.' },
  send_no_recipient: { status: 409, vi: 'Chưa gửi: không nơi nhận nào có mã định danh cơ quan (ví dụ 000.00.00.H30), nên không cơ quan nào nhận được bản điện tử. Văn bản vẫn ở trạng thái đã phát hành; hãy gửi bản giấy tới các nơi nhận.', en: 'Not sent: no recipient has an agency code (e.g. 000.00.00.H30), so no agency can receive it electronically. It stays issued; send it on paper to the recipients.' },
  token_module_missing: { status: 422, vi: 'Không nạp được thư viện PKCS#11 của token (đường dẫn sai, tệp không tồn tại hoặc không phải thư viện PKCS#11). Hãy cài phần mềm của token và kiểm tra đường dẫn.', en: 'The token\'s PKCS#11 library could not be loaded (wrong path, missing file, or not a PKCS#11 library). Install the token\'s software and check the path.' },
  token_slot_missing: { status: 422, vi: 'Không có token nào ở khe (slot) hoặc với nhãn đã chỉ định. Hãy kiểm tra số khe hoặc nhãn token.', en: 'No token in the given slot or with the given label. Check the slot number or the token label.' },
  token_absent: { status: 503, vi: 'Không thấy token ký số: token đã bị rút ra hoặc không còn trên máy. Hãy cắm token vào rồi thử lại; văn bản chưa bị ký dở.', en: 'The signing token cannot be found: it was removed or is gone from this machine. Plug the token in and try again; nothing was half-signed.' },
  token_key_missing: { status: 422, vi: 'Trên token không có khóa riêng với mã khóa (key id) đã chỉ định.', en: 'The token holds no private key with the given key id.' },
  token_certificate_missing: { status: 422, vi: 'Khóa trên token không có chứng thư số đi kèm: hãy ghi chứng thư lên token hoặc cung cấp tệp chứng thư khi khai báo.', en: 'The key on the token has no certificate: write the certificate to the token or supply the certificate file when configuring it.' },
  token_certificate_mismatch: { status: 422, vi: 'Chứng thư số không thuộc về khóa trên token (khóa công khai không khớp).', en: 'The certificate does not belong to the key on the token (the public keys differ).' },
  token_pin_locked: { status: 423, vi: 'Mã PIN của token đã bị khóa do nhập sai nhiều lần. Cần người quản lý token mở khóa bằng mã PUK/SO PIN.', en: 'The token\'s PIN is locked after too many wrong tries. The token\'s officer must unlock it with the PUK/SO PIN.' },
  token_failed: { status: 502, vi: 'Token ký số báo lỗi khi ký; văn bản chưa bị ký dở. Hãy thử lại hoặc báo quản trị viên.', en: 'The signing token reported an error; nothing was half-signed. Try again or tell the administrator.' },
  signing_in_progress: { status: 409, vi: 'Văn bản này đang được ký từ một phiên khác. Hãy đợi phiên đó xong hoặc hết hạn (2 phút) rồi tải lại.', en: 'This document is already being signed in another session. Wait until it finishes or expires (2 minutes), then reload.' },
  signing_expired: { status: 410, vi: 'Phiên ký đã hết hạn hoặc đã kết thúc; không có gì được ghi. Hãy bắt đầu ký lại.', en: 'The signing session expired or has already ended; nothing was recorded. Start signing again.' },
  signer_signature_invalid: { status: 422, vi: 'Chữ ký do token gửi về không khớp với dữ liệu cần ký hoặc với chứng thư số; văn bản không được ghi nhận là đã ký.', en: 'The signature returned by the token does not match the data to sign or the certificate; the document was not recorded as signed.' },
  signer_origin_forbidden: { status: 403, vi: 'Phần mềm ký trên máy này chỉ nhận yêu cầu từ máy chủ phường đã cấu hình.', en: 'The signer on this PC only accepts requests from its configured ward node.' },
  signer_cancelled: { status: 400, vi: 'Người ký đã hủy hoặc không nhập mã PIN; không có gì được ký.', en: 'The signer cancelled or entered no PIN; nothing was signed.' },
  certificate_not_yours: { status: 422, vi: 'Chứng thư số trên token không mang họ tên của bạn như trong tài khoản WardDesk: không thể ký thay người khác. Nếu họ tên trong tài khoản viết khác, hãy nhờ quản trị viên sửa.', en: 'The certificate on the token does not carry your name as your WardDesk account has it: nobody signs for someone else. If your account spells your name differently, ask the administrator to correct it.' },
  // First-run setup, activations and holders' own keys (issue 16).
  bundle_wrong_pin: { status: 400, vi: 'Không mở được gói CA phường: sai mã PIN của gói, hoặc tệp không phải PKCS#12 (.p12). Hãy dùng mã PIN thành phố gửi kèm gói.', en: 'The ward CA bundle does not open: wrong bundle PIN, or the file is not a PKCS#12 (.p12). Use the PIN the city sent with the bundle.' },
  bundle_not_ward_ca: { status: 400, vi: 'Tệp này không phải gói CA phường: nó phải chứa khóa của một CA phường cùng chứng thư gốc của thành phố đã cấp CA đó.', en: 'This file is not a ward CA bundle: it must hold a ward CA\'s key together with the city root certificate that issued it.' },
  bundle_foreign_ward: { status: 400, vi: 'Gói CA này được cấp cho phường khác (mã phường trong chứng thư không phải mã của máy chủ phường này). Không có gì được cài đặt.', en: 'This CA bundle was issued to another ward (the ward code in its certificate is not this node\'s). Nothing was installed.' },
  bundle_root_mismatch: { status: 400, vi: 'Chứng thư gốc tải lên không phải chứng thư đã cấp CA phường trong gói. Không có gì được cài đặt.', en: 'The uploaded root certificate is not the one that issued the ward CA in the bundle. Nothing was installed.' },
  ca_already_installed: { status: 409, vi: 'Máy chủ phường đã có CA phường. Muốn thay CA, cán bộ CNTT của thành phố dùng lệnh warddesk ca ward install.', en: 'This ward node already has a ward CA. To replace it, the city\'s IT staff use warddesk ca ward install.' },
  standalone_not_confirmed: { status: 400, vi: 'Hãy xác nhận rằng bạn đã đọc cảnh báo: chữ ký từ CA tự lập chỉ được tin cậy trong phường cho tới khi thành phố cấp CA.', en: 'Confirm that you read the warning: signatures from a standalone CA are trusted only inside the ward until the city issues a CA.' },
  activation_unknown: { status: 404, vi: 'Mã kích hoạt không đúng. Hãy kiểm tra lại mã hoặc xin quản trị viên cấp mã mới.', en: 'Unknown activation code. Check it, or ask the administrator for a new one.' },
  activation_used: { status: 410, vi: 'Mã kích hoạt này đã được dùng. Mỗi mã chỉ dùng một lần; nếu không phải bạn đã dùng, hãy báo ngay cho quản trị viên.', en: 'This activation code has already been used. Each code works once; if it was not you, tell the administrator at once.' },
  activation_expired: { status: 410, vi: 'Mã kích hoạt đã hết hạn. Hãy xin quản trị viên cấp mã mới.', en: 'The activation code has expired. Ask the administrator for a new one.' },
  activation_other_holder: { status: 403, vi: 'Mã kích hoạt này dành cho người khác: hãy đăng nhập bằng tài khoản của chính người được cấp khóa.', en: 'This activation code is for someone else: log in as the person the key was issued to.' },
  signature_not_transparent: { status: 422, vi: 'Ảnh chữ ký (hoặc con dấu) phải là PNG có nền trong suốt (kênh alpha). Ảnh này không có điểm ảnh trong suốt nào: hãy xóa nền trắng rồi lưu lại dạng PNG.', en: 'The signature (or seal) image must be a PNG with a transparent background (an alpha channel). This one has no transparent pixels: remove the white background and save it as PNG again.' },
  signature_image_too_large: { status: 413, vi: 'Ảnh chữ ký (hoặc con dấu) quá lớn: tối đa 512 KB và 2000 × 2000 điểm ảnh.', en: 'The signature (or seal) image is too large: 512 KB and 2000 × 2000 pixels at most.' },
  tls_not_managed: { status: 409, vi: 'Máy chủ phường đang dùng chứng thư HTTPS do cán bộ CNTT cấu hình (WARDDESK_TLS_PFX) hoặc đang chạy HTTP: hãy cấp lại bằng lệnh warddesk ca tls.', en: 'This ward node uses an HTTPS certificate configured by IT staff (WARDDESK_TLS_PFX) or runs plain HTTP: re-issue it with warddesk ca tls.' },
  pin_same: { status: 400, vi: 'Mã PIN mới phải khác mã PIN cũ.', en: 'The new PIN must differ from the old one.' },
  certificate_not_for_signing: { status: 422, vi: 'Chứng thư này không phải chứng thư ký số (ví dụ chứng thư máy chủ TLS hoặc chứng thư CA): không dùng để ký văn bản được.', en: 'This is not a signing certificate (for example a TLS server or CA certificate): it cannot sign documents.' },
  certificate_expired: { status: 422, vi: 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực.', en: 'The certificate has expired or is not yet valid.' },
  certificate_wrong_role: { status: 422, vi: 'Chứng thư số không đúng vai trò của người giữ khóa: chứng thư cá nhân (lãnh đạo) không dùng làm con dấu cơ quan, chứng thư con dấu không dùng cho cá nhân. Không có gì được lưu.', en: 'The certificate does not fit the holder\'s role: a personal (leader\'s) certificate cannot be the agency seal, and a seal certificate cannot be a person\'s. Nothing was stored.' },
  certificate_role_unknown: { status: 422, vi: 'Không xác định được chứng thư này là của cá nhân hay của tổ chức: quản trị viên cần chỉ rõ vai trò khi nhập (--as leader|seal).', en: 'Cannot tell whether this is a personal or an organisation certificate: the administrator must state the role at import (--as leader|seal).' },
  certificate_wrong_agency: { status: 422, vi: 'Chứng thư con dấu ghi tên một cơ quan khác với cơ quan ban hành. Cần cấp chứng thư con dấu mang đúng tên cơ quan. Không có gì được lưu hay ban hành.', en: 'The seal certificate names another agency than the issuing one. A seal certificate naming this agency is needed. Nothing was stored or issued.' },
  seal_reissue_required: { status: 409, vi: 'Tên cơ quan đã thay đổi nhưng chứng thư con dấu vẫn ghi tên cũ: quản trị viên cần cấp lại chứng thư con dấu trước khi ban hành. Văn bản chưa được ban hành.', en: 'The agency was renamed but the seal certificate still names the old agency: the administrator must re-issue the seal certificate before issuing. The document was not issued.' },
  root_not_ca: { status: 422, vi: 'Tệp không phải chứng thư CA gốc (tự ký, có quyền cấp chứng thư) còn hiệu lực.', en: 'The file is not a valid root CA certificate (self-signed, allowed to issue certificates, in date).' },
  root_not_found: { status: 404, vi: 'Không có CA gốc tin cậy nào mang dấu vân tay này.', en: 'No trusted root has this fingerprint.' },
  enrol_pin_by_holder: { status: 403, vi: 'Quản trị viên không đặt mã PIN cho người giữ khóa: hãy cấp mã kích hoạt dùng một lần để người giữ khóa tự đặt mã PIN của mình.', en: 'The administrator does not set a holder\'s PIN: issue a one-time activation code so the holder chooses their own PIN.' },
  tsa_certificate_expired: { status: 503, vi: 'Chứng thư số của máy chủ cấp dấu thời gian (TSA) của thành phố đã hết hạn hoặc chưa có hiệu lực: không cấp dấu thời gian nào. Quản trị thành phố cần cấp lại chứng thư TSA (warddesk city tsa issue).', en: 'The city time-stamping authority\'s certificate has expired or is not yet valid: no timestamp was issued. The city administrator must issue a new TSA certificate (warddesk city tsa issue).' },
  tsa_bad_request: { status: 400, vi: 'Yêu cầu dấu thời gian không hợp lệ (phải là TimeStampReq RFC 3161 với băm SHA-256).', en: 'The timestamp request is not valid (it must be an RFC 3161 TimeStampReq with a SHA-256 hash).' },
  tsa_unavailable: { status: 503, vi: 'Không lấy được dấu thời gian từ thành phố (mất kết nối hoặc thành phố từ chối).', en: 'No timestamp could be obtained from the city (no connection, or the city refused).' },
  memory_low: { status: 503, vi: 'Máy chủ phường đang thiếu bộ nhớ nên tạm thời chưa trả lời được yêu cầu này (không có gì bị ghi dở). Vui lòng thử lại sau ít phút; nếu lặp lại, hãy báo quản trị viên.', en: 'The ward node is short of memory and cannot answer this request right now (nothing was half-written). Try again in a few minutes; if it keeps happening, tell the administrator.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A failure a person can act on; `details` names fields, never internals. */
export class WardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly vi: string;
  readonly en: string;
  readonly details: readonly FieldProblem[] | undefined;

  constructor(code: ErrorCode, details?: readonly FieldProblem[]) {
    super(ERRORS[code].en);
    this.name = 'WardError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.vi = ERRORS[code].vi;
    this.en = ERRORS[code].en;
    this.details = details;
  }

  toJSON(): ErrorBody {
    return { status: 'error', code: this.code, message: { vi: this.vi, en: this.en }, ...(this.details ? { details: this.details } : {}) };
  }
}

/** A problem with one field, in both languages. */
export interface FieldProblem { path: string; vi: string; en: string }

export interface ErrorBody {
  status: 'error';
  code: ErrorCode;
  message: { vi: string; en: string };
  details?: readonly FieldProblem[];
}

export function wardError(code: ErrorCode, details?: readonly FieldProblem[]): WardError {
  return new WardError(code, details);
}
