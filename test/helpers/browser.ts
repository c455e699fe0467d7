// Debian's Chromium driven by playwright-core, for the PWA's browser tests
// and bench, and a build of the app that is fresh for the sources on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, firefox, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const PWA_DIST = join(root, 'dist/pwa');
export const ARTIFACTS = join(root, 'test/pwa/artifacts');

const mtime = (p: string) => { try { return statSync(p).mtimeMs; } catch { return Infinity; } };

interface Build { list: string; config: string; extras: string[] }
const PWA_BUILD: Build = { list: 'pwa-build-inputs.json', config: 'pwa/vite.config.ts', extras: ['index.html', 'vite.config.ts', 'icons.ts', 'src/base.css'].map((f) => `pwa/${f}`) };
/** The city dashboard page (pwa/hub → dist/hub). */
const HUB_BUILD: Build = { list: 'hub-build-inputs.json', config: 'pwa/hub/vite.config.ts', extras: ['hub/index.html', 'hub/vite.config.ts', 'hub/src/hub.css', 'vite.config.ts', 'src/base.css'].map((f) => `pwa/${f}`) };

/** Is the build missing, or older than a file it read last time (dist/<list>), its config or its page? */
function stale(b: Build): boolean {
  const list = join(root, 'dist', b.list);
  if (!existsSync(list)) return true;
  const builtAt = mtime(list);
  const inputs = [...(JSON.parse(readFileSync(list, 'utf8')) as string[]), ...b.extras.map((f) => join(root, f))];
  return inputs.some((f) => mtime(f) > builtAt);
}

/** Builds dist/pwa when it is stale (one build at a time across test processes). */
export function ensurePwaBuilt(): void { ensureBuilt(PWA_BUILD); }
/** Builds dist/hub when it is stale. */
export function ensureHubBuilt(): void { ensureBuilt(HUB_BUILD); }

function ensureBuilt(b: Build): void {
  if (!stale(b)) return;
  const lock = join(root, 'dist/.pwa-build.lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (let i = 0; ; i++) {
    try { mkdirSync(lock); break; } catch {
      if (i > 600) throw new Error('waited 60 s for another PWA build');
      execFileSync('sleep', ['0.1']);
    }
  }
  try {
    if (stale(b)) execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', b.config, '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  } finally { rmdirSync(lock); }
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
