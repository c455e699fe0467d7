// The admin is warned on the admin screen when the ward node's data disk is
// 90 % full: a real ward node on a real 64 MB tmpfs (mounted as root), filled
// with a file, and Debian's Chromium on a phone. The warning is in Vietnamese
// (the node's own text, from the admin-only part of /api/health), passes axe,
// and goes away once space is freed. Skipped where tmpfs cannot be mounted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { axeViolations } from '../helpers/axe.js';
import { ensurePwaBuilt, launchChromium, loginInApp, phoneContext } from '../helpers/browser.js';
import { startTestWard, type TestWard } from '../helpers/ward.js';

test('the admin screen warns, in Vietnamese, when the data disk is over 90 % full, and stops once space is freed', async () => {
  const mnt = mkdtempSync(join(tmpdir(), 'warddesk-disk-pwa-'));
  try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt], { stdio: 'pipe' }); } catch {
    console.log('disk warning in the PWA: SKIPPED, tmpfs cannot be mounted here (needs root)');
    rmSync(mnt, { recursive: true, force: true });
    return;
  }
  ensurePwaBuilt();
  let ward: TestWard | null = null;
  let browser: Browser | null = null;
  try {
    ward = await startTestWard({}, join(mnt, 'data'));
    // Fill until 3 MB are left: about 95 % used, while the node still has room to write.
    const filler = join(mnt, 'filler');
    const fd = openSync(filler, 'w');
    const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
    while (free() > (3 << 20) + (1 << 20)) writeSync(fd, Buffer.alloc(1 << 20));
    closeSync(fd);
    browser = await launchChromium();
    const page = await (await phoneContext(browser)).newPage();
    await loginInApp(page, ward.url, 'admin', 'admin-password-1');
    const warning = page.locator('wd-users [role=alert][data-disk-warning]');
    await warning.waitFor();
    assert.match(await warning.innerText(), /Ổ đĩa dữ liệu của máy chủ phường đã dùng 9\d(\.\d)? %/);
    assert.equal(await axeViolations(page), []);
    rmSync(filler);
    await page.reload();
    const line = page.locator('wd-users [data-disk]');
    await line.waitFor();
    assert.match(await line.innerText(), /Ổ đĩa dữ liệu của máy chủ phường: \d+(\.\d)? % đã dùng/);
    assert.is(await page.locator('wd-users [data-disk-warning]').count(), 0);
  } finally {
    await browser?.close();
    await ward?.stop().catch(() => undefined);
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});

test.run();
