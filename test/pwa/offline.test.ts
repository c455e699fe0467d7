// The app without its node: the service worker opens the precached shell
// with the ward node stopped, a specialist drafts and submits on the device,
// and when the node is back (same data, same port) the queued draft is sent
// and submitted. Then a new app version is announced and applied on click
// without losing the draft being typed, and a draft an earlier version left
// pending in localStorage (its own queue then) is moved into the outbox. The
// app is served from a copy of dist/pwa (WARDDESK_PWA_DIR) so the test can
// publish a "new version".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, ensurePwaBuilt, loginInApp, phonePage, PWA_DIST } from '../helpers/browser.js';
import { official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';

const tmp = mkdtempSync(join(tmpdir(), 'warddesk-pwa-offline-'));
const appDir = join(tmp, 'app');
const dataDir = join(tmp, 'data');
let ward: TestWard;
let port = 0;
let phone: Awaited<ReturnType<typeof phonePage>> | undefined;
let page: Page;

const EARLIER = 'Về việc lịch tiếp công dân tháng 12';
const pending = () => page.locator('[data-pending]').innerText();

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  cpSync(PWA_DIST, appDir, { recursive: true });
  process.env['WARDDESK_PWA_DIR'] = appDir;
  mkdirSync(dataDir);
  ward = await startTestWard({}, dataDir);
  port = Number(new URL(ward.url).port);
  const chuyenvien = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  const earlier = await chuyenvien.post('/api/documents/outgoing', sampleDraft({ subject: EARLIER }));
  assert.is(earlier.status, 201, JSON.stringify(earlier.body));
  phone = await phonePage();
  page = phone.page;
});

test.after(async () => {
  await phone?.close();
  await ward?.stop();
  delete process.env['WARDDESK_PWA_DIR'];
  rmSync(tmp, { recursive: true, force: true });
});

test('after one visit the service worker controls the app', async () => {
  await loginInApp(page, ward.url, 'chuyenvien', 'chuyenvien-real-password');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.evaluate('navigator.serviceWorker.ready');
  await page.reload();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  assert.ok(await page.evaluate('!!navigator.serviceWorker.controller'));
  // The working set reached the browser's database (the draft made earlier through the API).
  await page.locator('[data-synced=true][data-local-docs="1"]').waitFor();
});

test('with the node stopped the shell opens from the cache, and a draft is saved and submitted on the device', async () => {
  await ward.node.close();
  await page.reload();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.locator('[data-online=false]').waitFor();
  // The time of the last sync, before the node went away, is kept on the device: not "never".
  assert.match(await page.locator('wd-sync-bar .last').textContent() ?? '', /Đồng bộ lần cuối: \d\d\/\d\d\/\d{4} \d\d:\d\d/);
  // The task list comes from IndexedDB: the draft pulled while the node was up is still there.
  await page.locator('wd-tasks [data-source=local]').waitFor({ state: 'attached' });
  await page.getByRole('link', { name: EARLIER }).waitFor();
  // So do the outgoing list (searched without accents) and the document itself, marked as the device's copy.
  await page.getByRole('link', { name: 'Văn bản đi' }).click();
  await page.getByLabel('Tìm kiếm').fill('lich tiep cong dan');
  await page.locator('wd-doc-list [data-source=local]').waitFor();
  await page.getByRole('link', { name: EARLIER }).click();
  await page.locator('wd-detail [data-offline-copy]').waitFor();
  await page.getByRole('heading', { name: EARLIER }).waitFor();
  await page.getByRole('link', { name: 'Soạn mới' }).click();
  await page.getByLabel('Trích yếu').fill('Về việc kiểm tra khi mất mạng');
  await page.getByRole('button', { name: 'Lưu và trình ký' }).click();
  // Submitted on the device, the document is shown as after an online submit, marked as waiting to be sent.
  const note = page.locator('wd-detail [data-device-note=waiting]');
  await note.waitFor();
  assert.match(await note.innerText(), /^Đã lưu trên thiết bị, chưa gửi lên máy chủ phường/);
  await page.getByRole('heading', { name: 'Về việc kiểm tra khi mất mạng' }).waitFor();
  assert.is(await page.locator('wd-detail [data-state]').innerText(), 'Đã trình');
  // Two changes wait in the device's outbox: the draft's creation and its submission.
  assert.is(await pending(), '2');
  await page.screenshot({ path: join(ARTIFACTS, 'offline-draft-360.png'), fullPage: true });
  // The outgoing list on the device shows it at once, submitted and marked as waiting to be sent.
  await page.getByRole('link', { name: 'Văn bản đi', exact: true }).click();
  const row = page.locator('wd-doc-list tr', { hasText: 'Về việc kiểm tra khi mất mạng' });
  await row.locator('[data-pending-doc]').waitFor();
  assert.match(await row.innerText(), /Đã trình/);
});

test('when the node is back, "sync now" sends and submits the queued draft', async () => {
  ward = await startTestWard({ port }, dataDir);
  await page.getByRole('button', { name: 'Đồng bộ ngay' }).click();
  await page.locator('[data-online=true]').waitFor();
  await page.locator('[data-pending]', { hasText: /^0$/ }).waitFor();
  const list = await ward.admin.get('/api/documents?q=kiem tra khi mat mang');
  assert.is(list.body.total, 1, JSON.stringify(list.body));
  assert.is(list.body.items[0].state, 'submitted');
  assert.is(list.body.items[0].author, 'chuyenvien');
});

test('a new version is announced; applying it keeps the draft being typed', async () => {
  await page.getByRole('link', { name: 'Soạn mới' }).click();
  await page.getByLabel('Trích yếu').fill('Bản nháp đang gõ dở khi có bản cập nhật');
  appendFileSync(join(appDir, 'sw.js'), '\n// next version\n');
  await page.evaluate('navigator.serviceWorker.getRegistration().then((r) => r.update())');
  await page.getByText('Có phiên bản mới').waitFor();
  const reloaded = page.waitForEvent('load');
  await page.getByRole('button', { name: 'Cập nhật ngay' }).click();
  await reloaded;
  await page.getByText('Đã khôi phục bản nháp').waitFor();
  assert.is(await page.getByLabel('Trích yếu').inputValue(), 'Bản nháp đang gõ dở khi có bản cập nhật');
  assert.is(await page.getByText('Có phiên bản mới').count(), 0);
});

test('a draft an earlier app version left pending in localStorage moves into the outbox once and is sent and submitted', async () => {
  const subject = 'Về việc bản nháp chờ gửi từ phiên bản trước';
  // What the previous version wrote for a draft saved and submitted with the node away.
  const legacy = { 'local:legacy-1': { key: 'local:legacy-1', content: { ...sampleDraft({ subject }), attachments: [] }, savedAt: Date.now(), pending: true, submit: true } };
  await page.getByRole('link', { name: 'Việc của tôi' }).click();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.evaluate(`localStorage.setItem('wd.drafts.chuyenvien', ${JSON.stringify(JSON.stringify(legacy))})`);
  await page.reload();
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  const query = `/api/documents?q=${encodeURIComponent('ban nhap cho gui tu phien ban truoc')}`;
  for (let i = 0; (await ward.admin.get(query)).body.total === 0; i++) {
    assert.ok(i < 100, 'the legacy draft reached the node within 20 s');
    await page.waitForTimeout(200);
  }
  const list = await ward.admin.get(query);
  assert.is(list.body.total, 1, JSON.stringify(list.body));
  assert.is(list.body.items[0].state, 'submitted');
  await page.locator('[data-pending]', { hasText: /^0$/ }).waitFor();
  assert.is(await page.evaluate(`localStorage.getItem('wd.drafts.chuyenvien')`), '{}', 'gone from the old queue: a later start does not send it again');
  await page.reload();
  await page.locator('[data-synced=true]').waitFor();
  assert.is((await ward.admin.get(query)).body.total, 1);
});

test.run();
