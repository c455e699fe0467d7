// Debian's Chromium driven by playwright-core, for the PWA's browser tests
// and bench, and a build of the app that is fresh for the sources on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const PWA_DIST = join(root, 'dist/pwa');
export const ARTIFACTS = join(root, 'test/pwa/artifacts');

function newest(dir: string): number {
  return readdirSync(dir).reduce((m, name) => {
    const p = join(dir, name);
    const s = statSync(p);
    return Math.max(m, s.isDirectory() ? newest(p) : s.mtimeMs);
  }, 0);
}

/** Builds dist/pwa when it is missing or older than pwa/ or sync/ (one build at a time across test processes). */
export function ensurePwaBuilt(): void {
  const built = join(PWA_DIST, 'sw.js');
  const stale = () => !existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(root, 'pwa')), newest(join(root, 'sync')));
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
