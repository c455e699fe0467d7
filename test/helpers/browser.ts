// Debian's Chromium driven by playwright-core, for the PWA's browser tests
// and bench, and a build of the app that is fresh for the sources on disk.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, firefox, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const PWA_DIST = join(root, 'dist/pwa');
export const ARTIFACTS = join(root, 'test/pwa/artifacts');

/** Builds dist/pwa when its sources changed, the way `npm start` does (bin/build.js: content stamps, .br/.gz variants, one build at a time across processes). */
export function ensurePwaBuilt(): void { build('pwa'); }
/** Builds dist/hub (the city dashboard page, pwa/hub) when its sources changed. */
export function ensureHubBuilt(): void { build('hub'); }

function build(part: 'pwa' | 'hub'): void {
  execFileSync(process.execPath, [join(root, 'bin/build.js'), '--quiet', part], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** A phone-sized (360×640) browser context as a ward official's phone has it: Vietnamese, Vietnam time. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
}

/** Chromium with one phone-sized page (phoneContext); close() ends both (safe to call after a failed start). */
export async function phonePage(): Promise<{ page: Page; close(): Promise<void> }> {
  const browser = await launchChromium();
  const context = await phoneContext(browser);
  return { page: await context.newPage(), close: async () => { await context.close(); await browser.close(); } };
}

/** Debian's Firefox ESR over WebDriver BiDi (playwright-core's "moz-firefox" channel; plain
 *  firefox.launch needs Playwright's patched Firefox, which cannot be downloaded here), through the
 *  relay in firefox-bidi-relay.ts that stands in for one command ESR lacks. */
export function launchFirefox(): Promise<Browser> {
  return firefox.launch({ channel: 'moz-firefox', executablePath: join(root, 'test/helpers/firefox-esr-bidi'), headless: true });
}

/** Opens the app at `url` and logs in through its form (Vietnamese labels). */
export async function loginInApp(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}
