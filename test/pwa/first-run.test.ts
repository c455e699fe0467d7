// Day one at a ward without a terminal, in Debian's Chromium against a real
// node started from an empty data dir with its defaults: HTTPS with the
// node's own bootstrap certificate, the admin's one-time password, no CLI.
// The admin finishes the setup in the app (a foreign bundle and a wrong PIN
// refused with nothing installed, then the city's bundle, which re-issues the
// node's HTTPS certificate), adds the officials and issues activation codes;
// the leader and the clerk choose their own PINs (a short one refused, a code
// never twice), the leader uploads a signature image (an opaque one and a too
// large one refused) previewed on a sample page; then a document goes from
// draft to issued with both signatures, which poppler's pdfsig accepts.
// Every device trusts only the roots the node's /setup page hands out.
// Screenshots at 360×640 and 1366×768 go to test/pwa/artifacts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PNG } from 'pngjs';
import type { BrowserContext, Page } from 'playwright-core';
import { createRootCa, issueWardCa } from '../../certs/ca-issue.js';
import { toPkcs12 } from '../../certs/ca.js';
import { RevocationRegister } from '../../certs/revocation.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { loadConfig } from '../../node/config.js';
import { startWardNode, type WardNode } from '../../node/ward-node.js';
import { axeViolations } from '../helpers/axe.js';
import { ARTIFACTS, ensurePwaBuilt, loginInApp } from '../helpers/browser.js';
import { pdfsigWithRoot } from '../helpers/pdfsig.js';
import { launchTrusting, type TrustingChromium } from '../helpers/trusting-chromium.js';

const BUNDLE_PIN = 'bundle-pin-2026';
const LEADER_PIN = '24681357';
const LEADER_PIN_2 = '97531864';
const SEAL_PIN = '13579246';
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1366, height: 768 };
const SUBJECT = 'Về việc ban hành quy chế làm việc năm 2027';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-first-run-'));
// What the city's IT staff hand over (in code here; `warddesk ca ward issue` makes the same files).
const cityRoot = createRootCa('Test City Root');
const bundle = toPkcs12(issueWardCa(cityRoot, { code: 'phuong-mau', name: 'UBND Phường Mẫu' }), BUNDLE_PIN);
const foreign = toPkcs12(issueWardCa(cityRoot, { code: 'phuong-khac', name: 'UBND Phường Khác' }), BUNDLE_PIN);
const rootCrl = new RevocationRegister(mkdirTmp('crl'), 'city-root').publish(cityRoot);
let node: WardNode;
let device: TrustingChromium | null = null;
const contexts: BrowserContext[] = [];
const codes: Record<string, string> = {};
let docId = '';
/** The leader's desktop page, kept for the signing step. */
let leaderDesk: Page;

function mkdirTmp(name: string): string { const d = join(dir, name); mkdirSync(d, { recursive: true }); return d; }
function file(name: string, bytes: Buffer | string): string { const p = join(dir, name); writeFileSync(p, bytes); return p; }
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `first-run-${name}.png`), fullPage: true });

/** The root a device gets from the node's plain-HTTP /setup page, as a phone would download it. */
async function rootFromSetupPage(): Promise<string> {
  const r = await fetch(new URL('/setup/city-root.crt', node.setupUrl!));
  assert.is(r.status, 200);
  return r.text();
}

/** A device that installed the roots from /setup, with a fresh page of the given size. */
async function pageFor(viewport: { width: number; height: number }): Promise<Page> {
  const context = await device!.browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(context);
  return context.newPage();
}

async function newDevice(roots: string[]): Promise<void> {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  await device?.close();
  device = await launchTrusting(roots);
}

async function firstLogin(page: Page, username: string, oneTime: string, next: string): Promise<void> {
  await loginInApp(page, node.url, username, oneTime);
  await page.getByRole('heading', { name: 'Đổi mật khẩu' }).waitFor();
  await page.getByLabel('Mật khẩu mới', { exact: true }).fill(next);
  await page.getByLabel('Nhập lại mật khẩu mới').fill(next);
  await page.getByRole('button', { name: 'Lưu mật khẩu' }).click();
}

async function passesAxe(page: Page, screen: string): Promise<void> {
  const found = await axeViolations(page);
  assert.equal(found, [], `${screen}: ${JSON.stringify(found, null, 1)}`);
}

const alertCode = (page: Page, code: string) => page.locator(`[role=alert][data-code=${code}]`).waitFor({ timeout: 15_000 });

function opaquePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(255);
  return PNG.sync.write(png);
}

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  // The node's defaults (Secure cookies, automatic HTTPS) on loopback with ephemeral ports.
  node = await startWardNode(loadConfig({}, { dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, logLevel: 'silent', tls: { setupPort: 0 } }), { log: pino({ level: 'silent' }) });
  assert.ok(node.firstAdmin, 'an empty data dir makes the first admin');
});

test.after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await device?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('from an empty data dir the node serves HTTPS with its bootstrap certificate, and the admin lands on the setup', async () => {
  assert.match(node.url, /^https:/);
  assert.is(node.lanTls?.current.issuer, 'bootstrap');
  await newDevice([await rootFromSetupPage()]);
  const page = await pageFor(DESKTOP);
  await firstLogin(page, 'admin', node.firstAdmin!.password, 'admin-password-1');
  await page.getByRole('heading', { name: 'Thiết lập ban đầu', level: 1 }).waitFor();
  const cookie = (await page.context().cookies()).find((c) => c.name === 'wd_session');
  assert.ok(cookie?.secure, 'the session cookie is Secure and kept');
  await shot(page, 'setup-1366');
});

test('a foreign ward\'s bundle and a wrong bundle PIN are refused in Vietnamese (and English), and nothing is installed', async () => {
  const page = contexts[0]!.pages()[0]!;
  const step = page.locator('section[data-step=pki]');
  await step.locator('#b-p12').setInputFiles(file('foreign.p12', foreign));
  await step.locator('#b-pin').fill(BUNDLE_PIN);
  await step.getByRole('button', { name: 'Cài gói CA' }).click();
  await alertCode(page, 'bundle_foreign_ward');
  assert.match(await page.locator('[role=alert]').innerText(), /phường khác/);
  await step.locator('#b-p12').setInputFiles(file('ward-ca.p12', bundle));
  await step.locator('#b-pin').fill('not-the-bundle-pin');
  await step.getByRole('button', { name: 'Cài gói CA' }).click();
  await alertCode(page, 'bundle_wrong_pin');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  assert.match(await page.locator('[role=alert]').innerText(), /wrong bundle PIN/);
  await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
  assert.not.ok(existsSync(join(dir, 'data', 'keys', 'ward-ca.p12')), 'no ward CA on disk');
  assert.is(node.lanTls?.current.issuer, 'bootstrap', 'the HTTPS certificate is unchanged');
});

test('the city\'s bundle installs from the phone-sized screen and the node\'s HTTPS certificate is re-issued by the ward CA', async () => {
  const phone = await pageFor(PHONE);
  await loginInApp(phone, node.url, 'admin', 'admin-password-1');
  await phone.goto(`${node.url}/#/setup`);
  const step = phone.locator('section[data-step=pki]');
  await step.locator('#b-p12').setInputFiles(file('ward-ca.p12', bundle));
  await step.locator('#b-root').setInputFiles(file('city-root.pem', cityRoot.chain[0]!));
  await step.locator('#b-crl').setInputFiles(file('city-root.crl', rootCrl));
  await step.locator('#b-pin').fill(BUNDLE_PIN);
  await shot(phone, 'setup-bundle-360');
  await step.getByRole('button', { name: 'Cài gói CA' }).click();
  await phone.locator('[data-ca]').waitFor({ timeout: 20_000 });
  const width = await phone.evaluate('document.documentElement.scrollWidth') as number;
  assert.ok(width <= 360, `the setup is ${width} px wide on a 360 px phone`);
  await passesAxe(phone, 'setup on a phone');
  assert.is(node.lanTls?.current.issuer, 'ward-ca');
  assert.is(new X509Certificate(await rootFromSetupPage()).fingerprint256, new X509Certificate(cityRoot.chain[0]!).fingerprint256, '/setup now hands out the city root');
});

test('the admin adds the officials and issues activation codes for the leader and the seal; an opaque seal image is refused', async () => {
  // The device installs the city root from /setup (the bootstrap one no longer vouches for the node).
  await newDevice([await rootFromSetupPage()]);
  const page = await pageFor(DESKTOP);
  await loginInApp(page, node.url, 'admin', 'admin-password-1');
  await page.goto(`${node.url}/#/setup`);
  await page.getByRole('heading', { name: 'Thiết lập ban đầu', level: 1 }).waitFor();
  const users = page.locator('wd-setup wd-users');
  for (const [username, fullName, role] of [['lanhdao', 'Nguyễn Văn An', 'leader'], ['vanthu', 'Lê Thị Văn Thư', 'clerk'], ['chuyenvien', 'Trần Văn Chuyên', 'specialist']] as const) {
    await users.locator('#nu').fill(username);
    await users.locator('#nf').fill(fullName);
    await users.locator('#nr').selectOption(role);
    await users.locator('#np').fill(`${username}-mot-lan`);
    await users.getByRole('button', { name: 'Thêm người dùng' }).click();
    await users.locator(`tr[data-user=${username}]`).waitFor();
  }
  const certs = page.locator('wd-certificates');
  for (const holder of ['lanhdao', 'seal']) {
    await certs.locator('#eh').selectOption(holder);
    await certs.locator('#ec').fill(BUNDLE_PIN);
    await certs.getByRole('button', { name: 'Cấp mã kích hoạt' }).click();
    const box = certs.locator(`[data-activation="${holder === 'seal' ? 'seal' : `user.${holder}`}"]`);
    await box.waitFor();
    codes[holder] = (await box.locator('[data-code]').innerText()).trim();
    assert.match(codes[holder]!, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);
    assert.ok((await box.locator('[data-link]').getAttribute('href'))!.endsWith(`/#/activate/${codes[holder]}`));
  }
  const seal = page.locator('section[data-step=seal]');
  await seal.locator('#s-seal').setInputFiles(file('opaque-seal.png', opaquePng(300, 300)));
  await seal.getByRole('button', { name: 'Tải ảnh con dấu lên' }).click();
  await alertCode(page, 'signature_not_transparent');
  await seal.locator('#s-seal').setInputFiles(file('seal.png', sampleSealPng()));
  await seal.getByRole('button', { name: 'Tải ảnh con dấu lên' }).click();
  await seal.locator('[data-seal=present]').waitFor();
  await shot(page, 'setup-done-1366');
  await passesAxe(page, 'setup on a PC');
});

test('the leader chooses their own PIN with the link: a short PIN is refused, the code works once', async () => {
  const page = await pageFor(PHONE);
  await firstLogin(page, 'lanhdao', 'lanhdao-mot-lan', 'lanhdao-mat-khau-moi');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.goto(`${node.url}/#/activate/${codes['lanhdao']}`);
  const form = page.locator('wd-keys form[aria-labelledby=ka]');
  assert.is(await form.locator('#a-code').inputValue(), codes['lanhdao']);
  await form.locator('#a-pin').fill('123');
  await form.locator('#a-pin2').fill('123');
  await form.getByRole('button', { name: 'Kích hoạt' }).click();
  await alertCode(page, 'weak_pin');
  await form.locator('#a-pin').fill(LEADER_PIN);
  await form.locator('#a-pin2').fill(LEADER_PIN);
  await form.getByRole('button', { name: 'Kích hoạt' }).click();
  await page.locator('[data-done=activated]').waitFor();
  assert.is(await form.count(), 0, 'with the key activated, the form is gone');
  // The same link opened a second time (by the leader or anyone who saw it).
  await page.goto(`${node.url}/#/keys`);
  await page.locator('[data-key=yes]').waitFor();
  await page.goto(`${node.url}/#/activate/${codes['lanhdao']}`);
  await form.locator('#a-pin').fill('55556666');
  await form.locator('#a-pin2').fill('55556666');
  await form.getByRole('button', { name: 'Kích hoạt' }).click();
  await alertCode(page, 'activation_used');
  await node.signing.keys.unlock('user.lanhdao', LEADER_PIN);
});

test('the leader\'s signature image: an opaque or too large PNG is refused; a transparent one is previewed on a sample page and saved; the PIN is changed', async () => {
  const page = contexts.at(-1)!.pages()[0]!;
  const sig = page.locator('wd-keys form[aria-labelledby=ks]');
  await sig.locator('#k-sig').setInputFiles(file('opaque.png', opaquePng(400, 160)));
  await sig.getByRole('button', { name: 'Lưu ảnh chữ ký' }).click();
  await alertCode(page, 'signature_not_transparent');
  const big = new PNG({ width: 2500, height: 100 });
  big.data.fill(0);
  await sig.locator('#k-sig').setInputFiles(file('big.png', PNG.sync.write(big)));
  await sig.getByRole('button', { name: 'Lưu ảnh chữ ký' }).click();
  await alertCode(page, 'signature_image_too_large');
  await sig.locator('#k-sig').setInputFiles(file('signature.png', sampleSignaturePng()));
  await page.locator('[data-preview] img[data-img=signature]').waitFor();
  await shot(page, 'signature-preview-360');
  await passesAxe(page, 'my key on a phone');
  assert.ok((await page.evaluate('document.documentElement.scrollWidth') as number) <= 360, 'my key fits a 360 px phone');
  await sig.getByRole('button', { name: 'Lưu ảnh chữ ký' }).click();
  await page.locator('[data-done=sig_saved]').waitFor();
  const pin = page.locator('wd-keys form[aria-labelledby=kp]');
  await pin.locator('#p-old').fill(LEADER_PIN);
  await pin.locator('#p-new').fill('12');
  await pin.locator('#p-new2').fill('12');
  await pin.getByRole('button', { name: 'Đổi mã PIN' }).click();
  await alertCode(page, 'weak_pin');
  await pin.locator('#p-old').fill(LEADER_PIN);
  await pin.locator('#p-new').fill(LEADER_PIN_2);
  await pin.locator('#p-new2').fill(LEADER_PIN_2);
  await pin.getByRole('button', { name: 'Đổi mã PIN' }).click();
  await page.locator('[data-done=pin_changed]').waitFor();
  const desk = await pageFor(DESKTOP);
  leaderDesk = desk;
  await loginInApp(desk, node.url, 'lanhdao', 'lanhdao-mat-khau-moi');
  await desk.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await desk.goto(`${node.url}/#/keys`);
  await desk.locator('[data-preview] img[data-img=signature]').waitFor();
  await shot(desk, 'keys-1366');
});

test('the clerk activates the seal with a PIN of their own', async () => {
  const page = await pageFor(PHONE);
  await firstLogin(page, 'vanthu', 'vanthu-mot-lan', 'vanthu-mat-khau-moi');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.goto(`${node.url}/#/activate/${codes['seal']}`);
  const form = page.locator('wd-keys form[aria-labelledby=ka]');
  await form.locator('#a-pin').fill(SEAL_PIN);
  await form.locator('#a-pin2').fill(SEAL_PIN);
  await form.getByRole('button', { name: 'Kích hoạt' }).click();
  await page.locator('[data-done=activated]').waitFor();
  await page.locator('[data-seal-key=yes]').waitFor();
  await shot(page, 'keys-clerk-360');
});

test('a draft goes to an issued document with the leader\'s and the seal\'s signatures, both valid for pdfsig', async () => {
  const spec = await pageFor(DESKTOP);
  await firstLogin(spec, 'chuyenvien', 'chuyenvien-mot-lan', 'chuyenvien-mat-khau-moi');
  await spec.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await spec.getByRole('link', { name: 'Soạn mới' }).click();
  await spec.getByLabel('Loại văn bản').selectOption('QĐ');
  await spec.getByLabel('Trích yếu').fill(SUBJECT);
  await spec.getByLabel('Chức vụ người ký').fill('Chủ tịch');
  await spec.getByLabel('Họ tên người ký').fill('Nguyễn Văn An');
  await spec.getByRole('button', { name: 'Lưu và trình ký' }).click();
  await spec.getByRole('heading', { name: SUBJECT }).waitFor();
  docId = decodeURIComponent(new URL(spec.url()).hash.replace('#/doc/', ''));

  const lead = leaderDesk;
  await lead.goto(`${node.url}/#/doc/${encodeURIComponent(docId)}`);
  await lead.getByRole('button', { name: 'Duyệt' }).click();
  await lead.locator('[data-state=approved]').waitFor();
  await lead.getByRole('button', { name: 'Ký số' }).click();
  await lead.getByLabel('Mã PIN').fill(LEADER_PIN_2);
  await lead.getByRole('button', { name: 'Ký số' }).click();
  await lead.locator('[data-state=signed]').waitFor({ timeout: 30_000 });

  const clerk = await pageFor(DESKTOP);
  await loginInApp(clerk, node.url, 'vanthu', 'vanthu-mat-khau-moi');
  await clerk.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await clerk.goto(`${node.url}/#/doc/${encodeURIComponent(docId)}`);
  await clerk.getByRole('button', { name: 'Cấp số' }).click();
  await clerk.locator('[data-state=numbered]').waitFor();
  await clerk.getByRole('button', { name: 'Phát hành' }).click();
  await clerk.getByLabel('Mã PIN con dấu của cơ quan').fill(SEAL_PIN);
  await clerk.getByRole('button', { name: 'Phát hành' }).click();
  await clerk.locator('[data-state=issued]').waitFor({ timeout: 30_000 });
  await clerk.locator('[data-verdict=valid]').waitFor({ timeout: 20_000 });
  await shot(clerk, 'issued-1366');

  const issue = [...(await node.projection.view(docId))!.events].reverse().find((e) => e.action === 'issue')!;
  const pdf = (await node.blobs.read(String(issue.data['pdf'])))!.bytes;
  const verdicts = pdfsigWithRoot(mkdirTmp('pdfsig'), cityRoot.chain[0]!)(pdf, 'issued.pdf');
  assert.is(verdicts.length, 2, 'the leader\'s and the agency\'s signatures');
  for (const v of verdicts) assert.match(v.signature, /Signature is Valid/);
  for (const v of verdicts) assert.match(v.certificate, /Certificate is Trusted/);
});

test.run();
