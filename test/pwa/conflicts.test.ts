// A real conflict, end to end in Chromium: the app reaches its ward node
// through a TCP proxy (test/helpers/weak-link.ts) that the test cuts. With the
// link down the specialist edits two of her drafts on the device (one opened
// while the node answered, one opened from the device's copy) and saves them:
// both wait in the data layer's outbox. Meanwhile she saves other versions of
// both from another client (her PC, straight to the node), so the queued
// edits are based on revisions the node no longer has. When the link is back
// and the device syncs, both refusals are listed under "Thay đổi bị nút
// phường từ chối" with the node's message (Vietnamese, then English), her
// text kept; "Thử lại" sends her version on the latest revision, "Bỏ thay
// đổi" drops the other and the node's version stays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ERRORS } from '../../sync/errors.js';
import { ARTIFACTS, ensurePwaBuilt, loginInApp, phonePage } from '../helpers/browser.js';
import { WeakLink } from '../helpers/weak-link.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const tmp = mkdtempSync(join(tmpdir(), 'warddesk-pwa-conflicts-'));
let ward: TestWard;
let link: WeakLink;
let pc: Client; // the same specialist on another machine, talking to the node directly
let phone: Awaited<ReturnType<typeof phonePage>> | undefined;
let page: Page;

/** Two drafts made on her PC: the first one's refused edit is retried, the second's discarded. */
const RETRIED = { id: '', rev: '', start: 'Kế hoạch tiếp dân quý I', device: 'Kế hoạch tiếp dân quý I (sửa trên điện thoại)', node: 'Kế hoạch tiếp dân quý I (sửa trên máy tính)' };
const DISCARDED = { id: '', rev: '', start: 'Thông báo lịch họp giao ban', device: 'Thông báo lịch họp giao ban (bản trên điện thoại)', node: 'Thông báo lịch họp giao ban (bản trên máy tính)' };
const HOUR = 3_600_000;

const pending = () => page.locator('[data-pending]').innerText();
const conflictRow = (subject: string) => page.locator('wd-tasks [data-conflicts] li', { hasText: subject });
const onNode = async (id: string) => (await pc.get(`/api/documents/${id}`)).body as { rev: string; state: string; content: { subject: string } };

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  ward = await startTestWard({}, join(tmp, 'node'));
  pc = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  for (const d of [RETRIED, DISCARDED]) {
    const created = await pc.post('/api/documents/outgoing', sampleDraft({ subject: d.start }));
    assert.is(created.status, 201, JSON.stringify(created.body));
    d.id = created.body.id; d.rev = created.body.rev;
  }
  link = await WeakLink.start({ target: { host: '127.0.0.1', port: Number(new URL(ward.url).port) } });
  phone = await phonePage();
  page = phone.page;
});

test.after(async () => {
  await phone?.close();
  await link?.close();
  await ward?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('with the link to the node cut, edits saved on the device wait in its outbox', async () => {
  await loginInApp(page, link.url, 'chuyenvien', 'chuyenvien-real-password');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.locator('[data-synced=true][data-local-docs="2"]').waitFor();
  // The first draft is opened while the node answers (the editor holds the node's revision) ...
  await page.evaluate(`location.hash = '#/edit/${RETRIED.id}'`);
  await page.getByRole('heading', { name: 'Sửa dự thảo' }).waitFor();
  assert.is(await page.getByLabel('Trích yếu').inputValue(), RETRIED.start);
  link.cut(HOUR);
  await page.getByLabel('Trích yếu').fill(RETRIED.device);
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Đã lưu trên thiết bị').waitFor();
  await page.locator('[data-online=false]').waitFor();
  // ... the second with the node away: the editor opens the device's copy.
  await page.evaluate(`location.hash = '#/edit/${DISCARDED.id}'`);
  await page.waitForFunction(`document.querySelector('wd-app').shadowRoot.querySelector('wd-editor')?.shadowRoot.querySelector('#subject')?.value === ${JSON.stringify(DISCARDED.start)}`);
  await page.getByLabel('Trích yếu').fill(DISCARDED.device);
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Đã lưu trên thiết bị').waitFor();
  assert.is(await pending(), '2');
  // Her tasks on the device show both drafts with her text, marked as waiting to be sent.
  await page.getByRole('link', { name: 'Việc của tôi' }).click();
  for (const subject of [RETRIED.device, DISCARDED.device]) await page.locator('wd-tasks tr', { hasText: subject }).locator('[data-pending-doc]').waitFor();
  // Nothing reached the node.
  for (const d of [RETRIED, DISCARDED]) assert.is((await onNode(d.id)).content.subject, d.start);
});

test('when the node is back, edits based on revisions it no longer has are shown as conflicts with its message, her text kept', async () => {
  // Meanwhile she saved other versions on her PC, straight to the node.
  for (const d of [RETRIED, DISCARDED]) {
    const saved = await pc.put(`/api/documents/${d.id}`, { baseRev: d.rev, content: sampleDraft({ subject: d.node }) });
    assert.is(saved.status, 200, JSON.stringify(saved.body));
  }
  link.restore();
  await page.getByRole('button', { name: 'Đồng bộ ngay' }).click();
  await page.locator('[data-online=true]').waitFor();
  await page.getByRole('heading', { name: 'Thay đổi bị máy chủ phường từ chối (2)' }).waitFor();
  for (const d of [RETRIED, DISCARDED]) assert.match(await conflictRow(d.device).innerText(), ERRORS.stale_revision.vi);
  assert.match(await page.locator('[data-conflict-count]').innerText(), /Xung đột cần xử lý: 2/);
  assert.is(await pending(), '0', 'a refused change is a conflict, not pending and not dropped');
  // The node kept the PC's versions: a stale edit did not overwrite them.
  for (const d of [RETRIED, DISCARDED]) assert.is((await onNode(d.id)).content.subject, d.node);
  await page.screenshot({ path: join(ARTIFACTS, 'conflicts-360.png'), fullPage: true });

  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'Changes the ward node refused (2)' }).waitFor();
  assert.match(await conflictRow(RETRIED.device).innerText(), ERRORS.stale_revision.en);
  assert.is(await conflictRow(RETRIED.device).getByRole('button', { name: 'Retry' }).count(), 1);
  assert.is(await conflictRow(DISCARDED.device).getByRole('button', { name: 'Discard' }).count(), 1);
  await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
  await page.getByRole('heading', { name: 'Thay đổi bị máy chủ phường từ chối (2)' }).waitFor();
});

test('"Thử lại" sends her version on the node\'s latest revision; the node then holds her text', async () => {
  const before = await onNode(RETRIED.id);
  await conflictRow(RETRIED.device).getByRole('button', { name: 'Thử lại' }).click();
  await page.getByRole('heading', { name: 'Thay đổi bị máy chủ phường từ chối (1)' }).waitFor();
  await page.locator('[data-pending]', { hasText: /^0$/ }).waitFor();
  await page.locator('[data-sync-state=idle]').waitFor();
  const after = await onNode(RETRIED.id);
  assert.is(after.content.subject, RETRIED.device);
  assert.is.not(after.rev, before.rev);
  assert.is(after.state, 'draft');
  const events = (await pc.get(`/api/documents/${RETRIED.id}`)).body.events as { action: string }[];
  assert.equal(events.map((e) => e.action), ['create', 'edit', 'edit'], 'the PC\'s edit, then hers on top of it');
});

test('"Bỏ thay đổi" drops the other refused edit: the node\'s version stays, on the node and on the device', async () => {
  await conflictRow(DISCARDED.device).getByRole('button', { name: 'Bỏ thay đổi' }).click();
  await page.locator('wd-tasks [data-conflicts]').waitFor({ state: 'detached' });
  assert.is(await page.locator('[data-conflict-count]').count(), 0);
  assert.is(await pending(), '0');
  await page.getByRole('button', { name: 'Đồng bộ ngay' }).click();
  await page.locator('[data-sync-state=idle]').waitFor();
  assert.is((await onNode(DISCARDED.id)).content.subject, DISCARDED.node);
  // On the device: her tasks show the node's text for the discarded one, hers for the retried one, nothing waiting.
  await page.locator('wd-tasks a', { hasText: DISCARDED.node }).waitFor();
  await page.locator('wd-tasks a', { hasText: RETRIED.device }).waitFor();
  assert.is(await page.locator('wd-tasks [data-pending-doc]').count(), 0);
  assert.is(await page.locator('wd-tasks a', { hasText: DISCARDED.device }).count(), 0);
});

test.run();
