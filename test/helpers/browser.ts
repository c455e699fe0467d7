// Debian's Chromium driven by playwright-core, for the PWA's browser tests
// and bench, and a build of the app that is fresh for the sources on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const PWA_DIST = join(root, 'dist/pwa');
export const ARTIFACTS = join(root, 'test/pwa/artifacts');

const mtime = (p: string) => { try { return statSync(p).mtimeMs; } catch { return Infinity; } };

/** Is dist/pwa missing, or older than a file the last build read (dist/pwa-build-inputs.json), its config or its page? */
function stale(): boolean {
  const list = join(PWA_DIST, '../pwa-build-inputs.json');
  if (!existsSync(list)) return true;
  const builtAt = mtime(list);
  const inputs = [...(JSON.parse(readFileSync(list, 'utf8')) as string[]), ...['index.html', 'vite.config.ts', 'icons.ts', 'src/base.css'].map((f) => join(root, 'pwa', f))];
  return inputs.some((f) => mtime(f) > builtAt);
}

/** Builds dist/pwa when it is stale (one build at a time across test processes). */
export function ensurePwaBuilt(): void {
  if (!stale()) return;
  const lock = join(root, 'dist/.pwa-build.lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (let i = 0; ; i++) {
    try { mkdirSync(lock); break; } catch {
      if (i > 600) throw new Error('waited 60 s for another PWA build');
      execFileSync('sleep', ['0.1']);
    }
  }
  try {
    if (stale()) execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', 'pwa/vite.config.ts', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  } finally { rmdirSync(lock); }
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** Opens the app at `url` and logs in through its form (Vietnamese labels). */
export async function loginInApp(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}
