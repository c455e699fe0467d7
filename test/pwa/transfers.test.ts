// Large transfers as a ward official sees them, in Debian's Chromium against
// real ward nodes: a 6 MB scan sent from the editor over a link throttled by
// the DevTools protocol shows its megabytes and percent rising to 100 % in the
// editor and the sync bar, then is attached; a cancelled upload and a lost
// connection attach nothing; a file over the node's limit (blobLimitBytes
// 6.5 MB here) is refused in Vietnamese and English with the draft kept; the
// clerk's paper scan on a document's detail screen goes up the same way (a
// cancel issues nothing); the clerk's bar shows the ward's link to the city,
// not configured on one node and down (a city address nobody answers) on another, and is not polled
// more than every 10 s nor at all once the node is away. Screenshots at
// 360×640 go to test/pwa/artifacts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe.js';
import { writePdf } from '../helpers/files.js';
import { ARTIFACTS, ensurePwaBuilt, launchChromium, loginInApp, phoneContext } from '../helpers/browser.js';
import { WeakLink } from '../helpers/weak-link.js';
import { ERRORS } from '../../sync/errors.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const MB = 1024 * 1024;

let ward: TestWard;
let cityDown: TestWard;
let credsDir = '';
let scansDir = '';
let browser: Browser;
let specialist: Client;
let clerk: Client;
const contexts: BrowserContext[] = [];
let editor: Page;
let cdp: CDPSession;

/**
 * A one-page PDF holding one uncompressed greyscale image, as a scanner
 * writes it: `bytes` long give or take a few hundred, random pixels so
 * nothing on the way can shrink it.
 */
function scanPdf(bytes: number): Buffer {
  const width = 2000;
  const height = Math.max(1, Math.floor((bytes - 900) / width));
  const pixels = randomBytes(width * height);
  const draw = Buffer.from('q 595 0 0 842 0 0 cm /Im1 Do Q', 'latin1');
  const pdf = writePdf('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', [
    { body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>' },
    { body: `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${pixels.length} >>`, stream: pixels },
    { body: `<< /Length ${draw.length} >>`, stream: draw },
  ]);
  // Padded with spaces after %%EOF to the exact size, so the labels can say "6,0 MB".
  return pdf.length < bytes ? Buffer.concat([pdf, Buffer.alloc(bytes - pdf.length, 0x20)]) : pdf;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes a scan of `bytes` to disk under `name` (the browser reads a file by path far faster than a buffer over the protocol). */
function scanFile(name: string, bytes: number): { path: string; bytes: Buffer } {
  const pdf = scanPdf(bytes);
  const path = join(scansDir, name);
  writeFileSync(path, pdf);
  return { path, bytes: pdf };
}

/** The upload link as the DevTools protocol throttles it (bytes a second; -1 = not throttled). */
const link = (upload: number, offline = false) =>
  cdp.send('Network.emulateNetworkConditions', { offline, latency: upload > 0 ? 150 : 0, downloadThroughput: -1, uploadThroughput: upload });

/**
 * Records, every 40 ms in the page, each progress row on screen (which
 * component, bytes sent, total, label) into window.__seen, reaching into the
 * components' shadow roots.
 */
const RECORDER = `(() => {
  window.__seen = [];
  const rows = (root, out) => { for (const el of root.querySelectorAll('*')) { if (el.hasAttribute('data-transfer')) out.push(el); if (el.shadowRoot) rows(el.shadowRoot, out); } return out; };
  setInterval(() => {
    for (const el of rows(document, [])) window.__seen.push({ where: el.getRootNode().host.localName, loaded: Number(el.dataset.loaded), total: Number(el.dataset.total), label: el.querySelector('[data-progress-label]').textContent });
  }, 40);
})()`;
interface Seen { where: string; loaded: number; total: number; label: string }
const seen = (page: Page) => page.evaluate('window.__seen') as Promise<Seen[]>;
const resetSeen = (page: Page) => page.evaluate('window.__seen.length = 0');
/** Polls `expression` in the page (the app's CSP forbids waitForFunction's eval). */
async function until(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function phonePage(): Promise<Page> {
  const context = await phoneContext(browser);
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

/** A loopback port with nobody listening: the city's address while the city is down. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  ward = await startTestWard({ blobLimitBytes: 6.5 * MB });
  specialist = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  clerk = await official(ward, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
  // A second ward whose city address answers nothing (credentials file as `warddesk city init` writes it).
  credsDir = mkdtempSync(join(tmpdir(), 'warddesk-transfers-creds-'));
  scansDir = mkdtempSync(join(tmpdir(), 'warddesk-transfers-scans-'));
  const credentialsFile = join(credsDir, 'phuc-xa.credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ ward: 'phuc-xa', db: 'ward_phuc-xa', username: 'ward_phuc-xa', password: 'city-is-down-password', url: `http://127.0.0.1:${await deadPort()}` }), { mode: 0o600 });
  cityDown = await startTestWard({ ward: { code: 'phuc-xa' }, city: { credentialsFile, intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });
  browser = await launchChromium();
});

test.after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await ward?.stop();
  await cityDown?.stop();
  for (const dir of [credsDir, scansDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a 6 MB scan sent from the editor shows its megabytes and percent rising to 100 % in the editor and the sync bar, then is attached', async () => {
  editor = await phonePage();
  await loginInApp(editor, ward.url, 'chuyenvien', 'chuyenvien-real-password');
  await editor.getByRole('link', { name: 'Soạn mới' }).click();
  await editor.getByRole('heading', { name: 'Soạn văn bản mới' }).waitFor();
  await editor.getByLabel('Trích yếu').fill('Về việc báo cáo kết quả số hóa hồ sơ');
  await editor.evaluate(RECORDER);
  cdp = await editor.context().newCDPSession(editor);
  await cdp.send('Network.enable');
  await link(2 * MB);
  const { path, bytes: scan } = scanFile('ban-quet-6mb.pdf', 6 * MB);
  await editor.getByLabel('Đính kèm tệp (PDF, PNG, JPEG)').setInputFiles(path);
  await until(editor, 'window.__seen.some((s) => s.where === "wd-editor" && s.loaded > s.total / 3)');
  await shot(editor, 'upload-progress-360');
  await editor.locator('wd-editor [data-uploading]').scrollIntoViewIfNeeded();
  await shot(editor, 'upload-progress-file-row-360');
  await editor.locator('wd-editor a[download="ban-quet-6mb.pdf"]').waitFor({ timeout: 30_000 });
  await link(-1);
  const rows = await seen(editor);
  const inEditor = rows.filter((r) => r.where === 'wd-editor');
  const loaded = inEditor.map((r) => r.loaded);
  assert.ok(loaded.every((v, i) => i === 0 || v >= loaded[i - 1]!), 'bytes sent never go back');
  assert.ok(new Set(loaded.filter((v) => v > 0 && v < scan.length)).size >= 3, `progress seen moving: ${[...new Set(loaded)].join(', ')}`);
  assert.ok(inEditor.every((r) => r.total === scan.length));
  for (const r of inEditor) assert.match(r.label, /^Đang tải lên \d+,\d \/ 6,0 MB \(\d+%\)$/);
  assert.ok(inEditor.some((r) => r.label === 'Đang tải lên 6,0 / 6,0 MB (100%)'), 'the last bytes show as 100 %');
  assert.ok(!inEditor.some((r) => r.loaded < r.total && r.label.endsWith('(100%)')), 'never 100 % before the last byte');
  assert.ok(rows.some((r) => r.where === 'wd-sync-bar' && r.loaded > 0), 'the sync bar shows the transfer too');
  assert.is(await editor.locator('wd-sync-bar [data-transfers]').count(), 0, 'and drops it once done');
  // The node holds exactly these bytes.
  const stored = await fetch(`${ward.url}/api/blobs/${sha256(scan)}`, { headers: { cookie: specialist.cookie } });
  assert.is(stored.status, 200);
  assert.is(sha256(Buffer.from(await stored.arrayBuffer())), sha256(scan));
  assert.match(await editor.locator('wd-editor ul.files').innerText(), /ban-quet-6mb\.pdf/);
});

test('a cancelled upload attaches nothing and the node keeps nothing of it; the progress rows pass axe', async () => {
  await resetSeen(editor);
  await link(256 * 1024);
  const { path, bytes: scan } = scanFile('scan-huy.pdf', 2 * MB);
  await editor.getByLabel('Đính kèm tệp (PDF, PNG, JPEG)').setInputFiles(path);
  await until(editor, 'window.__seen.some((s) => s.where === "wd-editor" && s.loaded > 0)');
  assert.equal(await axeViolations(editor), [], 'the progress rows and their cancel buttons pass axe (WCAG 2.1 A/AA)');
  await editor.locator('wd-editor').getByRole('button', { name: 'Hủy tải lên scan-huy.pdf' }).click();
  await editor.getByText('Đã hủy tải tệp «scan-huy.pdf» lên; tệp không được đính kèm.').waitFor();
  await link(-1);
  assert.is(await editor.locator('wd-editor a[download="scan-huy.pdf"]').count(), 0);
  assert.is(await editor.locator('wd-editor a[download="ban-quet-6mb.pdf"]').count(), 1, 'the earlier attachment stays');
  assert.is(await editor.locator('[data-transfer]').count(), 0, 'no progress left on screen');
  assert.is((await specialist.get(`/api/blobs/${sha256(scan)}`)).status, 404);
});

test('a connection lost mid-upload is explained with what was sent, and the draft is kept', async () => {
  // This page reaches the node through a TCP proxy that can cut the link, as a ward's Wi-Fi does.
  const proxy = await WeakLink.start({ target: { host: '127.0.0.1', port: Number(new URL(ward.url).port) }, bytesPerSecond: 2 * MB });
  try {
    const page = await phonePage();
    await loginInApp(page, proxy.url, 'chuyenvien', 'chuyenvien-real-password');
    await page.getByRole('link', { name: 'Soạn mới' }).click();
    await page.getByLabel('Trích yếu').fill('Về việc kiểm kê tài sản');
    await page.evaluate(RECORDER);
    await page.getByLabel('Đính kèm tệp (PDF, PNG, JPEG)').setInputFiles(scanFile('scan-mat-mang.pdf', 4 * MB).path);
    await until(page, 'window.__seen.some((s) => s.where === "wd-editor" && s.loaded > 0)');
    proxy.cut(2_000);
    const alert = page.locator('wd-editor [role=alert][data-code=upload_interrupted]');
    await alert.waitFor({ timeout: 20_000 });
    assert.match(await alert.innerText(), /^Mất kết nối tới máy chủ phường khi đang tải tệp «scan-mat-mang\.pdf» lên \(đã gửi \d+,\d \/ 4,0 MB\)\. Bản nháp vẫn được giữ/);
    assert.is(await page.getByLabel('Trích yếu').inputValue(), 'Về việc kiểm kê tài sản');
    assert.is(await page.locator('wd-editor ul.files a').count(), 0, 'nothing attached');
    assert.is(await page.locator('[data-transfer]').count(), 0, 'no progress left on screen');
    await page.context().close();
  } finally { await proxy.close(); }
});

test('a file over the node\'s limit is refused with the reason in Vietnamese and English, the draft kept', async () => {
  await editor.getByLabel('Đính kèm tệp (PDF, PNG, JPEG)').setInputFiles(scanFile('scan-qua-lon.pdf', 7 * MB).path);
  const alert = editor.locator('wd-editor [role=alert][data-code=body_too_large]');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.innerText(), /^Tệp «scan-qua-lon\.pdf» \(7,0 MB\) quá lớn, máy chủ phường không nhận\./);
  await shot(editor, 'upload-too-large-360');
  await editor.getByRole('button', { name: 'Switch to English' }).click();
  assert.match(await alert.innerText(), /^The file «scan-qua-lon\.pdf» \(7\.0 MB\) is too large for the ward node\./);
  await editor.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
  assert.is(await editor.getByLabel('Trích yếu').inputValue(), 'Về việc báo cáo kết quả số hóa hồ sơ');
  assert.equal(await editor.locator('wd-editor ul.files a').evaluateAll((as) => as.map((a) => a.getAttribute('download'))), ['ban-quet-6mb.pdf']);
});

test('the clerk\'s bar says the city link is not configured, in Vietnamese; a paper document with a scan over the limit is refused and not recorded', async () => {
  const page = await phonePage();
  await loginInApp(page, ward.url, 'vanthu', 'vanthu-real-password');
  const city = page.locator('wd-sync-bar [data-city=not-configured]');
  await city.waitFor();
  assert.match(await city.innerText(), /Thành phố:\s*Chưa cấu hình đồng bộ/);
  // Sync stopped: the bar says what to do, from the error catalogue.
  assert.ok((await city.innerText()).includes(`Cần làm: ${ERRORS.sync_not_configured.action.vi}`), await city.innerText());
  await shot(page, 'sync-bar-city-not-configured-360');
  // A paper document whose scan is over the limit: refused in Vietnamese, nothing recorded, the form kept.
  const incoming = async () => (await clerk.get('/api/documents?direction=incoming')).body.total as number;
  const before = await incoming();
  await page.getByRole('link', { name: 'Vào sổ văn bản đến' }).click();
  await page.getByLabel('Cơ quan gửi').fill('UBND Quận 1');
  await page.getByLabel('Số, ký hiệu gốc').fill('125/UBND-VP');
  await page.getByLabel('Trích yếu').fill('Về việc kiểm tra công tác văn thư');
  await page.getByLabel('Bản quét (PDF, JPEG hoặc PNG)').setInputFiles(scanFile('cong-van-den.pdf', 7 * MB).path);
  await page.getByRole('button', { name: 'Lưu' }).click();
  const alert = page.locator('wd-incoming-new [role=alert][data-code=body_too_large]');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.innerText(), /^Tệp «cong-van-den\.pdf» \(7,0 MB\) quá lớn/);
  assert.is(await page.getByLabel('Cơ quan gửi').inputValue(), 'UBND Quận 1');
  assert.is(await incoming(), before, 'nothing recorded');
});

test('the clerk issuing a paper-signed document sees its scan go up with progress; a cancel issues nothing, the whole scan issues it', async () => {
  const leader = await official(ward, 'chutich', 'leader', 'Nguyễn Văn An');
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  await clerk.post(`/api/documents/${id}/actions/sign-paper`);
  assert.is((await clerk.post(`/api/documents/${id}/actions/number`)).body.state, 'numbered');
  const page = await phonePage();
  await loginInApp(page, ward.url, 'vanthu', 'vanthu-real-password');
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(id)}`);
  const issue = page.locator('wd-detail').getByRole('button', { name: 'Phát hành', exact: true });
  await issue.click();
  await page.evaluate(RECORDER);
  const pageCdp = await page.context().newCDPSession(page);
  await pageCdp.send('Network.enable');
  await pageCdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
  // Cancelled half-way: nothing issued, nothing stored, the official told why.
  const first = scanFile('ban-ky-tay-huy.pdf', 2 * MB);
  await page.getByLabel('Bản quét văn bản đã ký (PDF)').setInputFiles(first.path);
  await issue.click();
  await until(page, 'window.__seen.some((s) => s.where === "wd-detail" && s.loaded > 0)');
  await page.locator('wd-detail').getByRole('button', { name: 'Hủy tải lên ban-ky-tay-huy.pdf' }).click();
  await page.getByText('Đã hủy tải tệp «ban-ky-tay-huy.pdf» lên; tệp không được đính kèm.').waitFor();
  assert.is((await clerk.get(`/api/documents/${id}`)).body.state, 'numbered', 'a cancelled scan issues nothing');
  assert.is((await clerk.get(`/api/blobs/${sha256(first.bytes)}`)).status, 404);
  // The whole scan: its progress moves on the detail screen, then the document is issued with exactly these bytes.
  await resetSeen(page);
  const second = scanFile('ban-ky-tay.pdf', 3 * MB);
  await page.getByLabel('Bản quét văn bản đã ký (PDF)').setInputFiles(second.path);
  await issue.click();
  await until(page, 'window.__seen.some((s) => s.where === "wd-detail" && s.loaded > s.total / 3)');
  await shot(page, 'detail-issue-scan-progress-360');
  await page.locator('wd-detail').getByText('Đã thực hiện.').waitFor({ timeout: 30_000 });
  await pageCdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const rows = (await seen(page)).filter((r) => r.where === 'wd-detail');
  assert.ok(new Set(rows.map((r) => r.loaded).filter((v) => v > 0 && v < second.bytes.length)).size >= 3, 'progress seen moving');
  for (const r of rows) assert.match(r.label, /^Đang tải lên \d+,\d \/ 3,0 MB \(\d+%\)$/);
  const issued = (await clerk.get(`/api/documents/${id}`)).body;
  assert.is(issued.state, 'issued');
  const scanEvent = issued.events.find((e: { action: string }) => e.action === 'issue');
  assert.is(scanEvent.data.scan, sha256(second.bytes));
  assert.is(await page.locator('[data-transfer]').count(), 0, 'no progress left on screen');
});

test('on a ward whose city is down, the clerk\'s bar shows it offline with what waits, and the last error in Vietnamese', async () => {
  const clerkB = await official(cityDown, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
  const scan = await clerkB.post('/api/blobs', scanPdf(MB), { 'content-type': 'application/pdf' });
  assert.is(scan.status, 201);
  const status = (await cityDown.admin.post('/api/sync/now')).body;
  assert.is(status.online, false, JSON.stringify(status));
  assert.ok(status.lastError?.vi, JSON.stringify(status));
  assert.ok(status.pending.bytes > MB);
  const page = await phonePage();
  await loginInApp(page, cityDown.url, 'vanthu', 'vanthu-real-password');
  const city = page.locator('wd-sync-bar [data-city=offline]');
  await city.waitFor();
  const text = await city.innerText();
  assert.match(text, /Thành phố:\s*mất kết nối/);
  assert.match(text, /chờ gửi \d+ mục, \d+,\d MB/);
  assert.ok(text.includes(status.lastError.vi), text);
  assert.equal(await axeViolations(page), []);
  await shot(page, 'sync-bar-city-offline-360');
});

test('the city link is asked about at most every 10 s, and not at all once the node is away', async () => {
  const context = await phoneContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  await page.clock.install();
  const asked: number[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/sync/status')) asked.push(Date.now()); });
  await loginInApp(page, cityDown.url, 'vanthu', 'vanthu-real-password');
  await page.locator('wd-sync-bar [data-city]').waitFor();
  const before = asked.length;
  await page.clock.runFor(60_000);
  const inAMinute = asked.length - before;
  assert.ok(inAMinute >= 3 && inAMinute <= 6, `asked ${inAMinute} times in a minute`);
  // The node goes away; a press of "sync now" (or any request) tells the app.
  await context.setOffline(true);
  await page.locator('wd-sync-bar').getByRole('button', { name: 'Đồng bộ ngay' }).click();
  await page.locator('wd-sync-bar [data-online=false]').waitFor();
  await page.locator('wd-sync-bar button:not([disabled])').waitFor();
  const away = asked.length;
  await page.clock.runFor(120_000);
  assert.is(asked.length - away, 0, 'not asked while the node is away');
});

test.run();
