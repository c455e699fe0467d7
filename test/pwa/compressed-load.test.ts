// The app in Chromium served compressed (issue 16 item 4): its scripts arrive
// as brotli, the app opens, logs in, pulls its working set through the
// compressed replication feed, and the service worker's precache (fetched
// compressed, stored decoded) opens the app with the node unreachable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { ensurePwaBuilt, launchChromium, loginInApp, phoneContext } from '../helpers/browser.js';
import { official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let context: BrowserContext;
let page: Page;
/** url → Content-Encoding of every answer the page (not the service worker) received from the node. */
const codings = new Map<string, string>();

test.before(async () => {
  ensurePwaBuilt();
  ward = await startTestWard();
  const cv = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  for (let i = 0; i < 3; i++) assert.is((await cv.post('/api/documents/outgoing', sampleDraft({ subject: `Dự thảo ${i} về lịch tiếp công dân` }))).status, 201);
  browser = await launchChromium();
  context = await phoneContext(browser);
  page = await context.newPage();
  page.on('response', (r) => { codings.set(r.url(), r.headers()['content-encoding'] ?? 'identity'); });
});

test.after(async () => {
  await context?.close();
  await browser?.close();
  await ward?.stop();
});

test('the app\'s scripts arrive brotli-compressed and the app opens, logs in and pulls its drafts', async () => {
  await loginInApp(page, ward.url, 'chuyenvien', 'chuyenvien-real-password');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  const scripts = [...codings].filter(([url]) => /\/assets\/index-.*\.js$/.test(url));
  assert.ok(scripts.length > 0, [...codings.keys()].join('\n'));
  assert.ok(scripts.every(([, c]) => c === 'br'), JSON.stringify(scripts));
  // The three drafts reached the browser's database through /api/replicate.
  await page.locator('[data-synced=true][data-local-docs="3"]').waitFor();
});

test('the service worker\'s precache, filled from compressed answers, opens the app with the node unreachable', async () => {
  await page.evaluate('navigator.serviceWorker.ready');
  await page.reload();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  assert.ok(await page.evaluate('!!navigator.serviceWorker.controller'));
  // What the precache holds is the decoded script: it parses, and it is the size of the built file.
  // A string: the tests' tsconfig has no DOM types (this runs in the page).
  const cached = await page.evaluate(`(async () => {
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        if (/\\/assets\\/index-.*\\.js/.test(req.url)) return (await (await cache.match(req)).text()).length;
      }
    }
    return 0;
  })()`) as number;
  assert.ok(cached > 50_000, `cached script: ${cached} characters`);
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await context.setOffline(false);
});

test.run();
