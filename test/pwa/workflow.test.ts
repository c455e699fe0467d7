// The officials' app in Debian's Chromium against a real ward node: a
// specialist (first login: forced password change, on a phone) drafts from
// the template and submits; the leader (desktop) approves and signs with a
// PIN — a wrong PIN shows the node's message in the user's language; the
// clerk numbers and issues with the seal's PIN. Screenshots at 360×640 and
// 1366×768 go to test/pwa/artifacts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { WARD_CA } from '../../node/signing.js';
import { ARTIFACTS, ensurePwaBuilt, launchChromium, loginInApp } from '../helpers/browser.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { official, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const SEAL_PIN = '135790';
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1366, height: 768 };
const SUBJECT = 'Về việc phê duyệt kế hoạch chuyển đổi số năm 2026';

let ward: TestWard;
let browser: Browser;
let leader: Client;
const contexts: BrowserContext[] = [];
let docId = '';

async function pageFor(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(context);
  return context.newPage();
}

const login = (page: Page, username: string, password: string) => loginInApp(page, ward.url, username, password);

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const pki = makeTestPki();
  ward = await startTestWard();
  ward.node.signing.keys.save(WARD_CA, pki.wardCa, CA_PIN);
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(ward.node.signing.keys.dir, 'ward-ca.crl'), wardCrl!);
  writeFileSync(join(ward.node.signing.keys.dir, 'city-root.crl'), rootCrl!);
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  await official(ward, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
  // The specialist logs in for the first time in the browser, with the one-time password.
  await ward.admin.post('/api/users', { username: 'chuyenvien', fullName: 'Trần Văn Chuyên', title: '', role: 'specialist', password: 'mot-lan-duy-nhat' });
  await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN });
  await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN });
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
  await ward.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' });
  browser = await launchChromium();
});

test.after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await ward?.stop();
});

test('a first login must change the one-time password, then shows the tasks (phone)', async () => {
  const page = await pageFor(PHONE);
  await page.goto(ward.url);
  await shot(page, 'login-360');
  await login(page, 'chuyenvien', 'mot-lan-duy-nhat');
  await page.getByRole('heading', { name: 'Đổi mật khẩu' }).waitFor();
  await page.getByLabel('Mật khẩu mới', { exact: true }).fill('chuyenvien-mat-khau-moi');
  await page.getByLabel('Nhập lại mật khẩu mới').fill('chuyenvien-mat-khau-moi');
  await page.getByRole('button', { name: 'Lưu mật khẩu' }).click();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  assert.is(await page.locator('html').getAttribute('lang'), 'vi');
});

test('the specialist drafts from the template with a recipient and submits it (phone)', async () => {
  const page = (contexts[0]!.pages())[0]!;
  await page.getByRole('link', { name: 'Soạn mới' }).click();
  await page.getByRole('heading', { name: 'Soạn văn bản mới' }).waitFor();
  await page.getByLabel('Loại văn bản').selectOption('KH');
  assert.match(await page.getByLabel('Nội dung').inputValue(), /MỤC ĐÍCH, YÊU CẦU/, 'the plan template fills the body');
  await page.getByLabel('Loại văn bản').selectOption('QĐ');
  assert.match(await page.getByLabel('Nội dung').inputValue(), /QUYẾT ĐỊNH:/, 'an untouched draft follows the type');
  await page.getByLabel('Trích yếu').fill(SUBJECT);
  await page.getByLabel('Chức vụ người ký').fill('Chủ tịch');
  await page.getByLabel('Họ tên người ký').fill('Nguyễn Văn An');
  await page.getByRole('button', { name: 'Thêm nơi nhận' }).click();
  await page.getByLabel('Tên nơi nhận 3').fill('UBND Quận 1');
  await shot(page, 'editor-360');
  await page.getByRole('button', { name: 'Lưu và trình ký' }).click();
  await page.getByRole('heading', { name: SUBJECT }).waitFor();
  docId = decodeURIComponent(new URL(page.url()).hash.replace('#/doc/', ''));
  assert.match(docId, /^doc:out:/);
  assert.is(await page.locator('[data-state]').getAttribute('data-state'), 'submitted');
  assert.is(await page.locator('[data-state]').innerText(), 'Đã trình');
  const doc = await leader.get(`/api/documents/${docId}`);
  assert.is(doc.body.content.recipients.at(-1).name, 'UBND Quận 1');
  assert.is(doc.body.author, 'chuyenvien');
});

test('the leader finds it under "Chờ duyệt", approves, and a wrong PIN is refused in the chosen language (desktop)', async () => {
  const page = await pageFor(DESKTOP);
  await login(page, 'lanhdao', 'lanhdao-real-password');
  const group = page.locator('section[data-group=group_approve]');
  await group.getByRole('link', { name: SUBJECT }).click();
  await page.getByRole('button', { name: 'Duyệt' }).click();
  await page.locator('[data-state=approved]').waitFor();
  await page.getByRole('button', { name: 'Ký số' }).click();
  await page.getByLabel('Mã PIN').fill('000000');
  await page.getByRole('button', { name: 'Ký số' }).click();
  await page.locator('[role=alert][data-code=wrong_pin]').waitFor();
  assert.match(await page.locator('[role=alert]').innerText(), /Mã PIN không đúng/);
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Actions' }).waitFor();
  assert.match(await page.locator('[role=alert]').innerText(), /Wrong PIN/);
  await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
});

test('the leader signs with the PIN; the signed PDF is previewed and the timeline shows each step', async () => {
  const page = contexts[1]!.pages()[0]!;
  await page.getByLabel('Mã PIN').fill(LEADER_PIN);
  await page.getByRole('button', { name: 'Ký số' }).click();
  await page.locator('[data-state=signed]').waitFor({ timeout: 20_000 });
  await page.locator('iframe[title="Xem bản PDF"]').waitFor();
  assert.match(String(await page.locator('iframe').getAttribute('src')), /^blob:/);
  assert.equal(await page.locator('ol.timeline li').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))), ['create', 'submit', 'approve', 'sign']);
  await shot(page, 'signed-1366');
});

test('the clerk numbers and issues with the seal PIN; the number and the issued state show', async () => {
  const page = await pageFor(DESKTOP);
  await login(page, 'vanthu', 'vanthu-real-password');
  await page.locator('section[data-group=group_number]').getByRole('link', { name: SUBJECT }).click();
  await page.getByRole('button', { name: 'Cấp số' }).click();
  await page.locator('[data-state=numbered]').waitFor();
  assert.match(await page.locator('[data-number]').innerText(), /^01\/QĐ-/);
  await page.getByRole('button', { name: 'Phát hành' }).click();
  await page.getByLabel('Mã PIN con dấu của cơ quan').fill(SEAL_PIN);
  await page.getByRole('button', { name: 'Phát hành' }).click();
  await page.locator('[data-state=issued]').waitFor({ timeout: 20_000 });
  await page.locator('[data-verdict=valid]').waitFor();
  assert.match(await page.locator('[data-verdict]').innerText(), /Hợp lệ/);
  assert.is(await page.locator('[data-signature]').count(), 2, 'the leader\'s and the agency\'s signatures');
  await shot(page, 'issued-1366');
  const phone = await pageFor(PHONE);
  await login(phone, 'vanthu', 'vanthu-real-password');
  await phone.goto(`${ward.url}/#/doc/${docId}`);
  await phone.locator('[data-state=issued]').waitFor();
  await shot(phone, 'issued-360');
});

test('the outgoing list finds the document without accents and filters by status', async () => {
  const page = contexts[2]!.pages()[0]!;
  await page.getByRole('link', { name: 'Văn bản đi', exact: true }).click();
  await page.getByLabel('Tìm kiếm').fill('chuyen doi so 2026');
  await page.getByRole('link', { name: SUBJECT }).waitFor();
  await page.getByLabel('Trạng thái').selectOption('draft');
  await page.locator('wd-doc-list [data-empty]', { hasText: 'khớp «chuyen doi so 2026»' }).waitFor();
  await page.getByLabel('Trạng thái').selectOption('issued');
  await page.getByRole('link', { name: SUBJECT }).waitFor();
  assert.is(await page.locator('[data-total]').innerText(), '1');
  await shot(page, 'outgoing-1366');
});

test.run();
