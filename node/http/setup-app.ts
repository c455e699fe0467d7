// The only thing served over plain HTTP once the node has its certificate: a
// page that gives a device the city root certificate, the HTTPS address as a
// QR code, and how to install the root on Android, iOS and Windows. Every
// other request is redirected to HTTPS (service workers need a secure context).
import express, { type Express, type Request, type Router } from 'express';
import helmet from 'helmet';
import QRCode from 'qrcode';

/**
 * `current().names`: the node's own names and addresses (its certificate's,
 * its LAN addresses). A request's Host header is the client's to choose: only
 * one of these is ever put into a redirect or the QR code, so the page cannot
 * be made to send a device to someone else's server. Asked on every request:
 * the certificate and its root change when the ward CA is installed.
 */
export function buildSetupApp(httpsPort: number, current: () => { rootPem: string | null; names: readonly string[]; bootstrap?: boolean }, pki?: Router): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ strictTransportSecurity: false, contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null, 'img-src': ["'self'", 'data:'] } } }));
  const hostOf = (req: Request) => {
    const { names } = current();
    const known = new Set(names.map((n) => n.toLowerCase()));
    const asked = (req.hostname ?? '').toLowerCase().replace(/^\[(.*)\]$/, '$1');
    return known.has(asked) ? asked : names[0] ?? '127.0.0.1';
  };
  const bracketed = (host: string) => (host.includes(':') ? `[${host}]` : host);
  const httpsUrl = (req: Request) => `https://${bracketed(hostOf(req))}${httpsPort === 443 ? '' : `:${httpsPort}`}`;

  app.get('/setup/city-root.crt', (_req, res) => {
    const { rootPem } = current();
    if (!rootPem) { res.status(404).type('text/plain').send('Chưa có chứng thư gốc của thành phố. / The city root certificate is not installed yet.'); return; }
    res.type('application/x-x509-ca-cert').set('Content-Disposition', 'attachment; filename="city-root.crt"').send(Buffer.from(rootPem));
  });

  // CRL distribution points and AIA URLs are plain HTTP (pki-routes.ts): served here, never redirected.
  if (pki) app.use(pki);

  app.get(['/', '/setup'], async (req, res) => {
    const url = `${httpsUrl(req)}/`;
    const qr = await QRCode.toString(url, { type: 'svg', margin: 1, width: 240 });
    const { rootPem, bootstrap } = current();
    res.type('html').send(setupPage(url, qr, rootPem !== null, bootstrap === true));
  });

  app.use((req, res) => { res.redirect(308, `${httpsUrl(req)}${req.originalUrl}`); });
  return app;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function setupPage(url: string, qrSvg: string, hasRoot: boolean, bootstrap: boolean): string {
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>WardDesk — cài đặt thiết bị / device setup</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5}h2{margin-top:1.5rem}a.button{display:inline-block;padding:.6rem 1rem;background:#b71c1c;color:#fff;border-radius:.4rem;text-decoration:none}</style>
</head><body>
<h1>WardDesk — cài đặt thiết bị</h1>
<p lang="en"><i>Device setup</i></p>
<ol>
<li>${!hasRoot ? '<b>Chưa có chứng thư gốc / no root certificate yet</b>'
    : bootstrap ? '<a class="button" href="/setup/city-root.crt">Tải chứng thư gốc tạm của máy chủ phường / Download the ward server\'s temporary root</a><br><small>Phường chưa cài CA: sau khi quản trị viên cài CA của phường, hãy quay lại trang này và cài chứng thư gốc mới. / The ward CA is not installed yet: once the admin installs it, come back here and install the new root.</small>'
    : '<a class="button" href="/setup/city-root.crt">Tải chứng thư gốc (thành phố hoặc CA phường) / Download the root certificate (city or ward CA)</a>'}</li>
<li>Cài đặt chứng thư đó làm chứng thư tin cậy (xem hướng dẫn bên dưới). <span lang="en"><i>Install it as a trusted root (see below).</i></span></li>
<li>Mở địa chỉ HTTPS của WardDesk hoặc quét mã QR: <a href="${escapeHtml(url)}">${escapeHtml(url)}</a>. <span lang="en"><i>Open the HTTPS address or scan the QR code.</i></span></li>
</ol>
<figure aria-label="Mã QR của địa chỉ HTTPS / QR code of the HTTPS address">${qrSvg}</figure>
<h2>Android</h2>
<p>Cài đặt → Bảo mật → Mã hóa và thông tin xác thực → Cài đặt chứng chỉ → Chứng chỉ CA → chọn <code>city-root.crt</code>.<br>
<span lang="en"><i>Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate → pick city-root.crt.</i></span></p>
<h2>iOS / iPadOS</h2>
<p>Mở tệp đã tải bằng Safari → Cài đặt → Đã tải về hồ sơ → Cài đặt; rồi Cài đặt chung → Giới thiệu → Cài đặt tin cậy chứng nhận → bật cho chứng thư gốc.<br>
<span lang="en"><i>Open the download in Safari → Settings → Profile Downloaded → Install; then General → About → Certificate Trust Settings → enable full trust for the root.</i></span></p>
<h2>Windows</h2>
<p>Nhấp đúp <code>city-root.crt</code> → Cài đặt chứng chỉ → Máy cục bộ → Đặt tất cả chứng chỉ vào kho sau → "Trusted Root Certification Authorities".<br>
<span lang="en"><i>Double-click city-root.crt → Install Certificate → Local Machine → Place all certificates in: Trusted Root Certification Authorities.</i></span></p>
</body></html>`;
}
