// Security headers and TLS on a real HTTPS ward node: helmet's headers on the
// app, the API and its errors (CSP with frame-ancestors, HSTS, nosniff,
// Referrer-Policy), the session cookie HttpOnly + SameSite=Strict + Secure,
// files served as downloads that cannot run, the plain-HTTP setup page without
// HSTS, and no mixed content anywhere in the served app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:https';
import { makeTestTls } from '../helpers/test-pki.js';
import { ensurePwaBuilt } from '../helpers/browser.js';
import { startTlsWard, type TlsWard } from '../helpers/tls-node.js';
import type { WardNode } from '../../node/ward-node.js';
import { onePagePdf } from '../helpers/files.js';

const tls = makeTestTls();
let ward: TlsWard;
let node: WardNode;
let cookie = '';
let csrf = '';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function https(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const req = request(`${node.url}${path}`, {
      method, ca: tls.rootPem,
      headers: { ...(cookie ? { cookie } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...(data && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}), accept: 'text/html,application/json,*/*', ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
const json = (a: Answer) => JSON.parse(a.body.toString('utf8')) as Record<string, any>; // any: the API's JSON

test.before(async () => {
  ensurePwaBuilt();
  ward = await startTlsWard(tls);
  node = ward.node;
});
test.after(async () => { await ward.stop(); });

function assertHelmet(a: Answer, label: string) {
  const h = a.headers;
  const csp = String(h['content-security-policy'] ?? '');
  assert.match(csp, /default-src 'self'/, `${label}: CSP default-src`);
  assert.match(csp, /frame-ancestors 'self'|frame-ancestors 'none'/, `${label}: CSP frame-ancestors`);
  assert.match(csp, /object-src 'none'/, `${label}: no plugins`);
  assert.match(csp, /script-src 'self'(;|$)/, `${label}: scripts only from the node, nothing inline`);
  assert.match(String(h['strict-transport-security']), /max-age=(\d{8,}|[2-9]\d{6,})/, `${label}: HSTS of months`);
  assert.is(h['x-content-type-options'], 'nosniff', label);
  assert.is(h['referrer-policy'], 'no-referrer', label);
  assert.is(h['x-frame-options'], 'SAMEORIGIN', label);
  assert.is(h['x-powered-by'], undefined, `${label}: no X-Powered-By`);
}

test('the app, the API and its errors carry helmet\'s headers over HTTPS: CSP with frame-ancestors, HSTS, nosniff, Referrer-Policy', async () => {
  for (const path of ['/', '/index.html', '/sw.js', '/api/health', '/api/nowhere', '/api/documents']) {
    const a = await https('GET', path);
    assert.ok(a.status < 500, `${path}: ${a.status}`);
    assertHelmet(a, path);
  }
});

test('over HTTPS the session cookie is HttpOnly, Secure and SameSite=Strict, and logout clears it', async () => {
  const admin = node.firstAdmin!;
  const login = await https('POST', '/api/auth/login', { username: admin.username, password: admin.password });
  assert.is(login.status, 200);
  const set = String(login.headers['set-cookie'] ?? '');
  assert.match(set, /wd_session=[^;]{20,};/);
  assert.match(set, /HttpOnly/);
  assert.match(set, /Secure/);
  assert.match(set, /SameSite=Strict/);
  assert.match(set, /Path=\//);
  cookie = /wd_session=[^;]*/.exec(set)![0];
  csrf = String(json(login)['csrfToken']);
  const out = await https('POST', '/api/auth/logout');
  assert.is(out.status, 200);
  assert.match(String(out.headers['set-cookie']), /wd_session=;.*Expires=Thu, 01 Jan 1970/);
});

test('an uploaded file comes back as a download that the browser may not sniff or run', async () => {
  const admin = node.firstAdmin!;
  cookie = ''; csrf = '';
  const login = await https('POST', '/api/auth/login', { username: admin.username, password: admin.password });
  cookie = /wd_session=[^;]*/.exec(String(login.headers['set-cookie']))![0];
  csrf = String(json(login)['csrfToken']);
  const changed = await https('POST', '/api/auth/password', { oldPassword: admin.password, newPassword: 'admin-password-1' });
  cookie = /wd_session=[^;]*/.exec(String(changed.headers['set-cookie']))![0];
  csrf = String(json(changed)['csrfToken']);
  // A "PDF" that is an HTML page with a script is refused; a PDF carrying the same bytes in a comment is served as an attachment.
  const html = await https('POST', '/api/blobs', Buffer.from('%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n'), { 'content-type': 'application/pdf' });
  assert.is(html.status, 422, html.body.toString());
  const up = await https('POST', '/api/blobs', onePagePdf('<html><script>alert(1)</script></html>'), { 'content-type': 'application/pdf' });
  assert.is(up.status, 201, up.body.toString());
  const down = await https('GET', `/api/blobs/${String(json(up)['sha256'])}`);
  assert.is(down.headers['content-type'], 'application/pdf');
  assert.match(String(down.headers['content-disposition']), /^attachment;/);
  assertHelmet(down, 'blob');
});

test('the plain-HTTP setup page sends no HSTS (it must stay reachable over HTTP) but the other headers, and redirects the rest to HTTPS', async () => {
  const page = await fetch(node.setupUrl!);
  assert.is(page.status, 200);
  assert.is(page.headers.get('strict-transport-security'), null);
  assert.is(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
  const api = await fetch(new URL('/api/health', node.setupUrl!), { redirect: 'manual' });
  assert.is(api.status, 308);
  assert.match(api.headers.get('location') ?? '', /^https:\/\//);
});

test('no mixed content: the served app references nothing over plain http', async () => {
  const index = (await https('GET', '/')).body.toString('utf8');
  const refs = [...index.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 2, `references found: ${refs.join(', ')}`);
  const files = new Map<string, string>([['/', index]]);
  for (const ref of refs) {
    assert.not.match(ref, /^http:/, `index.html references ${ref}`);
    if (/^(https?:)?\/\//.test(ref)) assert.unreachable(`index.html loads from another origin: ${ref}`);
    const path = new URL(ref, 'https://node.invalid/').pathname;
    const a = await https('GET', path);
    assert.is(a.status, 200, path);
    files.set(path, a.body.toString('utf8'));
  }
  // The scripts' own imports, the service worker and what it precaches.
  for (const path of ['/sw.js', ...[...files.values()].flatMap((t) => [...t.matchAll(/["'(](\/?assets\/[\w.-]+\.(?:js|css))/g)].map((m) => `/${m[1]!.replace(/^\//, '')}`))]) {
    if (!files.has(path)) files.set(path, (await https('GET', path)).body.toString('utf8'));
  }
  for (const [path, text] of files) {
    // XML namespace names (http://www.w3.org/...) are identifiers, never fetched. The loopback
    // address of `warddesk signer` on the official's own PC is a secure context (W3C Secure
    // Contexts: 127.0.0.1 is potentially trustworthy), not mixed content; nothing else may be http.
    const insecure = [...text.matchAll(/http:\/\/[^\s"'`)<>]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('http://www.w3.org/') && !/^http:\/\/127\.0\.0\.1:\d+$/.test(u));
    assert.equal(insecure, [], `${path} references plain http`);
  }
  assert.ok(files.size >= 5, `${files.size} files checked`);
});

test.run();
