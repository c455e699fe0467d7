// The incoming desk as officials met it, in Debian's Chromium against a real
// ward node: the clerk registers a paper arrival in one step (its page says
// "Giấy", labels the number "Số đến" and previews the scan instead of saying
// no signed PDF exists); the leader picks the handler from the ward's
// officials, not a typed username, and sets a hạn xử lý; the handler's tasks
// show it, red once it has passed (the browser's clock moved ten days on). The
// văn thư reads, prints and exports the register book. A returned draft opens
// with the leader's comment at the top.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, ensurePwaBuilt, launchChromium, loginInApp } from '../helpers/browser.js';
import { onePagePdf } from '../helpers/files.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

let ward: TestWard;
let browser: Browser;
let specialist: Client;
let leader: Client;
const contexts: BrowserContext[] = [];
let docId = '';

async function pageFor(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(context);
  return context.newPage();
}
const login = (page: Page, username: string) => loginInApp(page, ward.url, username, `${username}-real-password`);
const vnDay = (offsetDays = 0) => new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('/');

test.before(async () => {
  ensurePwaBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  ward = await startTestWard();
  await official(ward, 'vanthu', 'clerk', 'Lê Thị Văn Thư');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  specialist = await official(ward, 'chuyenvien', 'specialist', 'Trần Văn Chuyên');
  browser = await launchChromium();
});
test.after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await ward?.stop();
});

test('the clerk registers a paper arrival in one step: "Giấy", "Số đến", and the scan previewed, not "no signed PDF"', async () => {
  const page = await pageFor({ width: 360, height: 640 });
  await login(page, 'vanthu');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.goto(`${ward.url}/#/incoming/new`);
  await page.getByLabel('Cơ quan gửi').fill('UBND Thành phố');
  await page.getByLabel('Số, ký hiệu gốc').fill('123/UBND-VP');
  await page.getByLabel('Trích yếu').fill('Về việc rà soát hộ nghèo năm 2026');
  assert.ok(await page.getByLabel('Bản quét (PDF, JPEG hoặc PNG)').isVisible(), 'the label says what is accepted');
  await page.getByLabel('Bản quét (PDF, JPEG hoặc PNG)').setInputFiles({ name: 'cong-van-123.pdf', mimeType: 'application/pdf', buffer: onePagePdf('Cong van 123') });
  assert.ok(await page.getByLabel('Vào sổ văn bản đến ngay (cấp số đến)').isChecked(), 'one step by default');
  await page.getByRole('button', { name: 'Lưu' }).click();
  const detail = page.locator('wd-detail');
  await detail.locator('[data-number]').waitFor();
  docId = decodeURIComponent(new URL(page.url()).hash.replace('#/doc/', ''));
  const text = await detail.locator('dl').innerText();
  assert.match(text, /Số đến\s+\d+/);
  assert.match(text, /Hình thức\s+Giấy/);
  assert.is(await detail.locator('[data-state]').getAttribute('data-state'), 'registered');
  await detail.locator('iframe').waitFor();
  assert.is(await detail.locator('[data-no-pdf]').count(), 0);
  const link = detail.getByRole('link', { name: 'cong-van-123.pdf' });
  assert.match(await link.getAttribute('href') ?? '', /\?name=cong-van-123\.pdf$/);
  await page.screenshot({ path: join(ARTIFACTS, 'incoming-registered-360.png'), fullPage: true });
});

test('the leader assigns from a list of officials with a hạn xử lý; the handler sees it on their tasks, red once past', async () => {
  const page = await pageFor({ width: 1366, height: 768 });
  await login(page, 'lanhdao');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(docId)}`);
  const detail = page.locator('wd-detail');
  await detail.getByRole('button', { name: 'Phân công' }).click();
  await detail.locator('select#handler').waitFor();
  const picker = detail.getByLabel('Người xử lý');
  assert.is(await picker.evaluate((el) => el.tagName), 'SELECT', 'a picker, not a free-text username');
  const options = await picker.locator('option').allInnerTexts();
  assert.ok(options.includes('Trần Văn Chuyên (chuyenvien)'), options.join(' | '));
  assert.not.ok(options.some((o) => o.includes('admin')), 'the admin handles nothing');
  await picker.selectOption('chuyenvien');
  const due = vnDay(3);
  await detail.getByLabel('Hạn xử lý').fill(due);
  await detail.getByRole('button', { name: 'Phân công' }).click();
  await detail.locator('[data-deadline]').waitFor();
  assert.match(await detail.locator('[data-deadline]').innerText(), new RegExp(ddmmyyyy(due)));
  assert.is((await leader.get(`/api/documents/${docId}`)).body.handler, 'chuyenvien');

  const phone = await pageFor({ width: 360, height: 640 });
  await login(phone, 'chuyenvien');
  const task = phone.locator('[data-deadline]').first();
  await task.waitFor();
  assert.is(await task.getAttribute('data-deadline'), 'due');
  assert.match(await task.innerText(), new RegExp(`Hạn xử lý: ${ddmmyyyy(due)}`));
  await phone.screenshot({ path: join(ARTIFACTS, 'tasks-deadline-360.png'), fullPage: true });

  // Ten days on, by the phone's clock: past the deadline, and shown so.
  const later = await pageFor({ width: 360, height: 640 });
  await later.clock.install({ time: new Date(Date.now() + 10 * 86_400_000) });
  await login(later, 'chuyenvien');
  const overdue = later.locator('[data-deadline=overdue]').first();
  await overdue.waitFor();
  assert.match(await overdue.innerText(), /quá hạn/);
  const colour = await overdue.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
  assert.is(colour, 'rgb(183, 28, 28)');
});

test('the văn thư opens the register book of incoming documents, prints it and exports it', async () => {
  const page = await pageFor({ width: 1366, height: 768 });
  await login(page, 'vanthu');
  await page.getByRole('link', { name: 'Sổ đăng ký' }).click();
  const books = page.locator('wd-registers');
  await books.locator('table[data-book=in]').waitFor();
  assert.match(await books.getByLabel('Chọn sổ và năm').locator('option:checked').innerText(), /^Sổ văn bản đến — \d{4}$/);
  const row = await books.locator('table[data-book=in] tbody tr').first().innerText();
  assert.match(row, /01[\s\S]*UBND Thành phố[\s\S]*123\/UBND-VP[\s\S]*Công văn: Về việc rà soát hộ nghèo năm 2026[\s\S]*chuyenvien/);
  const [pdf] = await Promise.all([page.waitForEvent('download'), books.getByRole('link', { name: 'In sổ (PDF)' }).click()]);
  assert.match(pdf.suggestedFilename(), /^so-van-ban-den-\d{4}\.pdf$/);
  const [csv] = await Promise.all([page.waitForEvent('download'), books.getByRole('link', { name: 'Xuất bảng tính (CSV)' }).click()]);
  assert.match(csv.suggestedFilename(), /^so-van-ban-den-\d{4}\.csv$/);
  await page.screenshot({ path: join(ARTIFACTS, 'register-book-1366.png'), fullPage: true });
  // A search with no match says so about the search, not that there are no documents.
  await page.getByRole('link', { name: 'Văn bản đến', exact: true }).click();
  await page.getByLabel('Tìm kiếm').fill('khong co van ban nay');
  const empty = page.locator('wd-doc-list [data-empty]');
  await empty.waitFor();
  assert.match(await empty.innerText(), /khớp «khong co van ban nay»/);
});

test('a returned draft opens with the leader\'s comment at the top, above the body', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ body: Array.from({ length: 40 }, (_, i) => `Đoạn ${i + 1} của nội dung dự thảo.`).join('\n') }))).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  assert.is((await leader.post(`/api/documents/${id}/actions/return`, { comment: 'Sửa lại Điều 2: ghi rõ thời hạn thực hiện.' })).status, 200);
  const page = await pageFor({ width: 1366, height: 768 });
  await login(page, 'chuyenvien');
  await page.getByRole('heading', { name: 'Việc của tôi' }).waitFor();
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(id)}`);
  const note = page.locator('wd-detail [data-return-comment]');
  await note.waitFor();
  assert.match(await note.innerText(), /Sửa lại Điều 2: ghi rõ thời hạn thực hiện\./);
  const box = await note.boundingBox();
  assert.ok(box && box.y + box.height < 768, `visible without scrolling (top ${box?.y})`);
  await page.locator('wd-detail [data-draft-preview]').waitFor();
  assert.is(await page.locator('wd-detail iframe').count(), 1, 'the draft as it will print, before anyone signs');
});

test.run();
