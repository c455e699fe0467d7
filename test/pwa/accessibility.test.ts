// An automated accessibility check (axe-core, WCAG 2.1 A and AA) of the app's
// main screens on a phone (360×640) in Debian's Chromium: login, my tasks,
// the outgoing list, the draft editor and a document's detail. Names,
// labels, contrast and structure are what a screen-reader or keyboard user
// depends on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../helpers/axe.js';
import { ensurePwaBuilt, launchChromium, loginInApp, phoneContext } from '../helpers/browser.js';
import { official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let browser: Browser;
let page: Page;
let docId = '';

const clean = async (screen: string) => {
  const found = await axeViolations(page);
  assert.equal(found, [], `${screen}: ${JSON.stringify(found, null, 1)}`);
};

test.before(async () => {
  ensurePwaBuilt();
  ward = await startTestWard();
  const cv = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  const created = await cv.post('/api/documents/outgoing', sampleDraft({ subject: 'Về việc kiểm tra khả năng tiếp cận' }));
  docId = created.body.id;
  browser = await launchChromium();
  const context = await phoneContext(browser);
  page = await context.newPage();
});

test.after(async () => {
  await browser?.close();
  await ward?.stop();
});

test('the login screen has no WCAG A/AA violations', async () => {
  await page.goto(ward.url);
  await page.getByLabel('Tên đăng nhập').waitFor();
  await clean('login');
});

test('the check does notice a control without a label', async () => {
  await page.evaluate(`document.body.append(Object.assign(document.createElement('input'), { id: 'unlabelled' }))`);
  const found = await axeViolations(page);
  assert.ok(found.some((v) => v.id === 'label' && v.targets.some((t) => t.includes('unlabelled'))), JSON.stringify(found));
  await page.evaluate(`document.getElementById('unlabelled').remove()`);
});

test('my tasks, the outgoing list, the editor and the detail have no WCAG A/AA violations', async () => {
  await loginInApp(page, ward.url, 'chuyenvien', 'chuyenvien-real-password');
  await page.getByRole('link', { name: 'Về việc kiểm tra khả năng tiếp cận' }).waitFor();
  await clean('tasks');
  await page.getByRole('link', { name: 'Văn bản đi' }).click();
  await page.locator('wd-doc-list [data-total]').waitFor();
  await clean('outgoing list');
  await page.getByRole('link', { name: 'Soạn mới' }).click();
  await page.getByLabel('Trích yếu').waitFor();
  await clean('editor');
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(docId)}`);
  await page.getByRole('heading', { name: 'Về việc kiểm tra khả năng tiếp cận' }).waitFor();
  await clean('detail');
});

test.run();
