// The app's chrome on a 360×640 phone, in Debian's Chromium against a real
// ward node with a city link configured: header, sync bar, city bar and menu
// take at most a quarter of the screen, who is logged in stays visible, and
// the admin's user table reflows so every row's actions are reachable without
// scrolling sideways.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, ensurePwaBuilt, launchChromium, loginInApp } from '../helpers/browser.js';
import { official, startTestWard, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let browser: Browser;

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  // A city that is not there: the city bar shows its "not reachable" line, the tallest it gets.
  ward = await startTestWard({ city: { url: 'http://127.0.0.1:9/', intervalSeconds: 3600, backoffBaseSeconds: 3600 } });
  await official(ward, 'vanthu', 'clerk', 'Lê Thị Thu Hương');
  for (let i = 0; i < 4; i++) await official(ward, `canbo${i}`, 'specialist', `Nguyễn Văn Cán Bộ Số ${i}`);
  browser = await launchChromium();
});
test.after(async () => { await browser?.close(); await ward?.stop(); });

async function phone(username: string, password = `${username}-real-password`): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await loginInApp(page, ward.url, username, password);
  return page;
}

/** Where the page's own content starts: everything above it is chrome. */
const mainTop = (page: Page) => page.evaluate(() => {
  const document = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { querySelector(s: string): { getBoundingClientRect(): { top: number } } } } } }).document;
  const app = document.querySelector('wd-app')!.shadowRoot!;
  return app.querySelector('main')!.getBoundingClientRect().top;
}) as Promise<number>;

test('the clerk\'s header, sync bar, city bar and menu take at most a quarter of a 360×640 screen, and show who is logged in', async () => {
  const page = await phone('vanthu');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.locator('wd-sync-bar [data-city]').waitFor();
  const top = await mainTop(page);
  await page.screenshot({ path: join(ARTIFACTS, 'phone-chrome-360.png') });
  assert.ok(top <= 160, `the chrome is ${top} px of 640`);
  const who = page.locator('wd-app header .who');
  assert.ok(await who.isVisible(), 'who is logged in is visible on the phone');
  assert.match(await who.innerText(), /Lê Thị Thu Hương/);
  for (const name of ['Việc của tôi', 'Văn bản đi', 'Văn bản đến', 'Sổ đăng ký']) assert.ok(await page.getByRole('link', { name, exact: true }).count() === 1, `${name} in the menu`);
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= 360, `the page is ${width} px wide`);
});

test('the admin\'s user table reflows on the phone: each row\'s buttons sit inside the screen, no sideways scrolling', async () => {
  const page = await phone('admin', 'admin-password-1');
  const table = page.locator('wd-users table').first();
  await table.waitFor();
  await page.locator('wd-users tr[data-user=canbo3]').waitFor();
  for (const button of await page.locator('wd-users tr[data-user] button').all()) {
    const box = (await button.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `a button spans ${box.x}–${box.x + box.width} px`);
  }
  const scroll = await table.evaluate((t) => { const wrap = t.parentElement!; return wrap.scrollWidth - wrap.clientWidth; });
  assert.is(scroll, 0, 'nothing hidden to the side');
  await page.screenshot({ path: join(ARTIFACTS, 'phone-users-360.png'), fullPage: true });
});

test.run();
