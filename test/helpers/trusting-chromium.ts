// Chromium that trusts given roots the way a device does after following the
// node's /setup page: the roots go into the NSS database Chromium reads on
// Linux ($HOME/.pki/nssdb, a throw-away HOME here), as trusted CAs. No
// --ignore-certificate-errors: a certificate the roots do not vouch for
// (wrong name, other issuer) fails as it would on a phone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.js';

export interface TrustingChromium { browser: Browser; home: string; close(): Promise<void> }

/** `executablePath`: another launcher (e.g. a script that runs Chromium inside a network namespace). */
export async function launchTrusting(rootsPem: string[], executablePath = '/usr/bin/chromium'): Promise<TrustingChromium> {
  const home = mkdtempSync(join(tmpdir(), 'warddesk-device-'));
  const nss = join(home, '.pki', 'nssdb');
  mkdirSync(nss, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  rootsPem.forEach((pem, i) => {
    const file = join(home, `root-${i}.pem`);
    writeFileSync(file, pem);
    execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', `warddesk-root-${i}`, '-t', 'C,,', '-i', file]);
  });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, env: { ...process.env, HOME: home } });
  return { browser, home, async close() { await browser.close().catch(() => undefined); rmSync(home, { recursive: true, force: true }); } };
}
