// The admin's screens in Debian's Chromium on a phone (360×640) against a
// real ward node with a real ward CA: a wrong CA PIN is refused in
// Vietnamese; the admin issues a leader a one-time activation code (never a
// PIN: the leader chooses it when redeeming the code), revokes the
// certificate behind a confirmation reached by keyboard, edits the agency
// name in the ward settings and uploads the seal image. Each screen passes
// axe (WCAG 2.1 A/AA) and fits the phone's width. Screenshots go to
// test/pwa/artifacts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sampleSealPng } from '../../certs/sample-images.js';
import { axeViolations } from '../helpers/axe.js';
import { ARTIFACTS, ensurePwaBuilt, launchChromium, loginInApp, phoneContext } from '../helpers/browser.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { official, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
let ward: TestWard;
let browser: Browser;
let page: Page;
let leader: Client;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const certs = () => page.locator('wd-certificates');
const enrolForm = () => certs().locator('form[aria-labelledby=et]');

async function fitsAndPassesAxe(screen: string): Promise<void> {
  const found = await axeViolations(page);
  assert.equal(found, [], `${screen}: ${JSON.stringify(found, null, 1)}`);
  const width = await page.evaluate('document.documentElement.scrollWidth') as number;
  assert.ok(width <= 360, `${screen} is ${width} px wide on a 360 px phone`);
}

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  ward = await startTestWard();
  installWardCa(ward.node.signing.keys, makeTestPki(), CA_PIN);
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  browser = await launchChromium();
  const context = await phoneContext(browser);
  page = await context.newPage();
});

test.after(async () => {
  await browser?.close();
  await ward?.stop();
});

test('a wrong ward CA PIN is refused in Vietnamese, and nothing is issued', async () => {
  await loginInApp(page, ward.url, 'admin', 'admin-password-1');
  await page.getByRole('heading', { name: 'Chứng thư số', exact: true }).waitFor();
  await enrolForm().getByLabel('Cấp cho').selectOption('lanhdao');
  await enrolForm().getByLabel('Mã PIN của CA phường').fill('not-the-ca-pin');
  await enrolForm().getByRole('button', { name: 'Cấp mã kích hoạt' }).click();
  const alert = certs().locator('[role=alert][data-code=wrong_ca_pin]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Mã PIN của CA phường không đúng/);
  assert.not.ok(ward.node.signing.keys.has('user.lanhdao'));
  assert.equal(ward.node.activations.open(), [], 'no activation either');
});

test('the admin issues the leader a one-time code without choosing any PIN; once the leader redeems it the list shows the certificate valid', async () => {
  await enrolForm().getByLabel('Mã PIN của CA phường').fill(CA_PIN);
  await enrolForm().getByRole('button', { name: 'Cấp mã kích hoạt' }).click();
  const box = certs().locator('[data-activation="user.lanhdao"]');
  await box.waitFor();
  assert.not.ok(await enrolForm().locator('input[autocomplete=new-password]').count(), 'the admin is never asked for the holder\'s PIN');
  const code = (await box.locator('[data-code]').innerText()).trim();
  assert.not.ok(ward.node.signing.keys.has('user.lanhdao'), 'no key until the holder chooses a PIN');
  await fitsAndPassesAxe('activation code');
  assert.is((await leader.post('/api/me/activate', { code, pin: '246810' })).status, 200);
  await page.reload();
  const row = certs().locator('tr[data-holder="user.lanhdao"]');
  // Under load the row can be drawn before its status: wait for the status (a row that never shows it still fails here).
  await row.filter({ hasText: 'Còn hiệu lực' }).waitFor();
  assert.match(await row.innerText(), /Nguyễn Văn An[\s\S]*Còn hiệu lực/);
  await fitsAndPassesAxe('users and certificates');
  await shot('admin-certificates-360');
});

test('the admin revokes it by keyboard behind a confirmation; the row shows it revoked', async () => {
  const serial = (await ward.admin.get('/api/certificates')).body.items.find((c: { holder: string }) => c.holder === 'user.lanhdao').serial as string;
  await certs().getByRole('button', { name: 'Thu hồi: Nguyễn Văn An (lanhdao)' }).focus();
  await page.keyboard.press('Enter');
  const confirm = certs().locator('form[aria-labelledby=rt]');
  await confirm.waitFor();
  assert.ok(await confirm.getByLabel('Lý do thu hồi').evaluate((el) => el.matches(':focus')), 'the confirmation takes the focus');
  assert.match(await confirm.innerText(), /Không thể hoàn tác/);
  await page.keyboard.press('ArrowDown'); // keyCompromise → affiliationChanged
  await page.keyboard.press('Tab');
  await page.keyboard.type(CA_PIN);
  await fitsAndPassesAxe('revocation confirmation');
  await shot('admin-revoke-360');
  await page.keyboard.press('Enter');
  await certs().getByRole('status').filter({ hasText: 'Đã thu hồi chứng thư số.' }).waitFor();
  await certs().locator('tr[data-holder="user.lanhdao"] [data-revoked]').waitFor();
  assert.match(await certs().locator('tr[data-holder="user.lanhdao"]').innerText(), /Đã thu hồi/);
  const listed = (await ward.admin.get('/api/certificates')).body.items.find((c: { serial: string }) => c.serial === serial);
  assert.is(listed.revoked.reason, 'affiliationChanged');
});

test('the admin edits the agency name and uploads the seal image in the ward settings; an error shows in the chosen language', async () => {
  await page.getByRole('link', { name: 'Cài đặt phường' }).click();
  await page.getByRole('heading', { name: 'Cài đặt của phường' }).waitFor();
  const settings = page.locator('wd-settings');
  assert.is(await settings.locator('dd[data-field=agencyName]').innerText(), 'UBND PHƯỜNG MẪU');
  await settings.locator('p[data-seal=missing]').waitFor();
  await fitsAndPassesAxe('ward settings');

  await settings.getByLabel('Tên cơ quan').fill('U');
  await settings.getByRole('button', { name: 'Lưu' }).click();
  await settings.locator('[role=alert][data-code=invalid_input]').waitFor();
  assert.match(await settings.locator('[role=alert]').innerText(), /Dữ liệu không hợp lệ/);

  await settings.getByLabel('Tên cơ quan').fill('UBND Phường Điện Biên');
  await settings.getByRole('button', { name: 'Lưu' }).click();
  await settings.getByRole('status').filter({ hasText: 'Đã lưu.' }).waitFor();
  assert.is(await settings.locator('dd[data-field=agencyName]').innerText(), 'UBND Phường Điện Biên');
  assert.is((await ward.admin.get('/api/settings')).body.ward.agencyName, 'UBND Phường Điện Biên');
  assert.equal((await ward.admin.get('/api/settings')).body.overridden, ['agencyName'], 'only the changed field overrides the configuration');

  await settings.getByLabel('Chọn ảnh con dấu (PNG trong suốt, màu đỏ, tối đa 512 KB)').setInputFiles({ name: 'con-dau.png', mimeType: 'image/png', buffer: sampleSealPng() });
  await settings.getByRole('button', { name: 'Tải ảnh con dấu lên' }).click();
  await settings.locator('p[data-seal=present]').waitFor();
  await shot('admin-settings-360');

  await page.getByRole('button', { name: 'Switch to English' }).click();
  await settings.getByLabel('Agency name').fill('U');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.locator('[role=alert][data-code=invalid_input]').waitFor();
  assert.match(await settings.locator('[role=alert]').innerText(), /The data is not valid/);
  await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
});

test('the new-user form checks the username in the browser as the node does, and the node says the allowed format in the user\'s language', async () => {
  await page.getByRole('link', { name: 'Người dùng' }).click();
  const username = page.locator('wd-users input[name=username]');
  await username.waitFor();
  const mismatch = async (value: string) => { await username.fill(value); return username.evaluate((el) => (el as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch); };
  // An invalid pattern is ignored by the browser, so each of these shows the pattern is in force.
  assert.is(await mismatch('Nguyễn An'), true, 'accents, capitals and spaces are caught before sending');
  assert.is(await mismatch('9an'), true, 'must start with a letter');
  assert.is(await mismatch('nguyenvan.an'), false);
  assert.is(await mismatch('to-dan-pho_3'), false, 'hyphen and underscore are allowed');
  assert.match(await page.locator('#nu-hint').innerText(), /ví dụ: nguyenvan\.an/);
  const refused = await ward.admin.post('/api/users', { username: 'Nguyễn An', fullName: 'Nguyễn Văn An', role: 'specialist', password: 'mat-khau-dai-2026' });
  assert.is(refused.status, 400);
  const problem = refused.body.details?.find((p: { path: string }) => p.path === 'username');
  assert.ok(problem, JSON.stringify(refused.body));
  assert.match(problem.vi, /^Tên đăng nhập chưa đúng: cần từ 2 đến 32 ký tự/);
  assert.not.match(problem.vi, /username/, 'no English field name in the Vietnamese message');
  assert.match(problem.en, /^Username is not valid: use 2 to 32 characters/);
});

test.run();
