import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startHubServer, type HubServer } from '../../node/city/hub-http.js';
import { ARTIFACTS, ensureHubBuilt, launchChromium } from '../helpers/browser.js';
import { ALTERED, MemoryHubView, cityRecords, hubDocument, hubWard, inWeek2026, theCountedWeek } from '../helpers/hub-records.js';
import { twoPagePdf } from '../helpers/signing-fixtures.js';

const ADMIN = { name: 'cityadmin', password: 'mật-khẩu-thành-phố-1' };
const auth = (a: { name: string; password: string } = ADMIN) => ({ authorization: `Basic ${Buffer.from(`${a.name}:${a.password}`).toString('base64')}` });

let view: MemoryHubView;
let server: HubServer;
let browser: Browser | null = null;
let pdf: Buffer;
const INVALID_DOC = 'doc:out:000000009001-phuong-6';

async function get(path: string, headers: Record<string, string> = auth()): Promise<{ status: number; headers: Headers; text: string; json: any }> { // any: JSON under test
  const res = await fetch(server.url + path, { headers });
  // Decoded by hand: fetch's text() would drop the byte-order mark the CSV must start with.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { /* CSV, PDF or HTML */ }
  return { status: res.status, headers: res.headers, text, json };
}

test.before(async () => {
  ensureHubBuilt();
  view = new MemoryHubView();
  pdf = (await twoPagePdf()).pdf;
  const sha = view.putFile('phuong-6', pdf);
  const wards = Array.from({ length: 17 }, (_, i) => hubWard(`phuong-${i + 1}`, { lastSeenAt: inWeek2026(10, 4), lagP50Seconds: 30 + i * 30, lagMaxSeconds: 600, pendingFiles: i % 3 }));
  const docs = theCountedWeek();
  // One of phuong-6's two invalid documents carries its (altered) PDF for drill-down; a week earlier, a few more.
  const invalid = docs.find((d) => d.ward === 'phuong-6' && d.verdict === 'invalid')!;
  const drill = { ...hubDocument({ ward: 'phuong-6', n: 9001, issuedAt: invalid.issuedAt!, verdict: 'invalid', reasons: [ALTERED], subject: 'Quyết định về việc "thu hồi", bổ sung' }), pdf: { sha256: sha, size: pdf.length, complete: true } };
  docs.splice(docs.indexOf(invalid), 1, drill);
  docs.push(hubDocument({ ward: 'phuong-1', n: 5001, issuedAt: inWeek2026(9) }), hubDocument({ ward: 'phuong-1', n: 5002, issuedAt: inWeek2026(9), signing: 'paper' }));
  view.put([...docs, ...wards]);
  server = await startHubServer(view, { port: 0, admin: ADMIN });
});

test.after(async () => {
  await browser?.close();
  await server?.close();
});

test('without the city administrator\'s credentials nothing is shown, the page included, and repeated wrong passwords lock the address out', async () => {
  for (const path of ['/', '/api/hub/summary', '/api/hub/documents/phuong-6/' + INVALID_DOC + '/pdf']) {
    const r = await get(path, {});
    assert.is(r.status, 401, path);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="WardDesk city hub"/);
    assert.is(r.json.message.vi, 'Bạn chưa đăng nhập hoặc phiên đã hết hạn.');
    assert.ok(!r.text.includes('phuong-6'));
  }
  const wrong = await get('/api/hub/summary', auth({ name: ADMIN.name, password: 'sai' }));
  assert.is(wrong.status, 401);
  assert.is(wrong.json.code, 'bad_credentials');
  assert.is(wrong.json.message.en, 'Wrong user name or password.');
});

test('the summary counts the week like the city did by hand: "296/507 — 58,4 %", 4 of 17 units at 100 %', async () => {
  const r = await get('/api/hub/summary?from=2026-W10&to=2026-W10');
  assert.is(r.status, 200);
  assert.is(r.json.total.rate.vi, '296/507 — 58,4 %');
  assert.is(r.json.total.rate.en, '296/507 — 58.4%');
  assert.equal([r.json.units.at100, r.json.units.total], [4, 17]);
  assert.is(r.json.wards, 17);
  // Without a range every week counts; W09 adds one digital and one paper document.
  const all = await get('/api/hub/summary');
  assert.is(all.json.total.rate.vi, '297/509 — 58,3 %');
  const weeks = await get('/api/hub/weeks');
  assert.equal(weeks.json.rows.map((w: { week: string; rate: { vi: string } }) => [w.week, w.rate.vi]), [['2026-W09', '1/2 — 50,0 %'], ['2026-W10', '296/507 — 58,4 %']]);
  const wards = await get('/api/hub/wards?from=2026-W10&to=2026-W10');
  assert.is(wards.json.rows.length, 17);
  assert.is(wards.json.rows[0].ward, 'phuong-6');
  const one = await get('/api/hub/wards?ward=phuong-1');
  assert.equal(one.json.rows.map((w: { ward: string; issued: number }) => [w.ward, w.issued]), [['phuong-1', 22]]);
  const sync = await get('/api/hub/sync');
  assert.is(sync.json.rows.length, 17);
  assert.is(sync.json.rows[0].health, 'poor');
});

test('invalid signatures are listed with their reasons, and a document opens with its timeline and its PDF byte for byte', async () => {
  const list = await get('/api/hub/invalid?ward=phuong-6');
  assert.is(list.json.total, 2);
  const row = list.json.rows.find((d: { docId: string }) => d.docId === INVALID_DOC);
  assert.equal(row.reasons, [ALTERED]);
  const detail = await get(`/api/hub/documents/phuong-6/${INVALID_DOC}`);
  assert.is(detail.status, 200);
  assert.is(detail.json.document.verdict, 'invalid');
  assert.equal(detail.json.timeline.map((e: { what: string }) => e.what), ['created', 'issued', 'arrived', 'verified']);
  assert.is(detail.json.pdf.url, `/api/hub/documents/phuong-6/${INVALID_DOC}/pdf`);
  const res = await fetch(server.url + detail.json.pdf.url, { headers: auth() });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/pdf');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(pdf));
  // A document whose PDF has not fully arrived says so in both languages.
  const other = list.json.rows.find((d: { docId: string }) => d.docId !== INVALID_DOC);
  view.put([{ ...view.document('phuong-6', other.docId)!, pdf: { sha256: 'a'.repeat(64), size: 10, complete: false } }]);
  const pending = await get(`/api/hub/documents/phuong-6/${other.docId}/pdf`);
  assert.is(pending.status, 404);
  assert.match(pending.json.details[0].vi, /chưa về đủ/);
  assert.match(pending.json.details[0].en, /not fully reached/);
  const unknown = await get('/api/hub/documents/phuong-6/doc:out:000000000000-none');
  assert.is(unknown.status, 404);
  assert.is(unknown.json.code, 'document_not_found');
});

test('every table exports as CSV for Excel: BOM, Vietnamese headers (English on request), quoted commas and quotes', async () => {
  const wards = await get('/api/hub/wards?from=2026-W10&to=2026-W10&format=csv');
  assert.is(wards.status, 200);
  assert.is(wards.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.is(wards.headers.get('content-disposition'), 'attachment; filename="warddesk-hub-wards_2026-W10_2026-W10_vi.csv"');
  assert.ok(wards.text.startsWith('\ufeffPhường,Đã phát hành,Ký số hợp lệ,'));
  assert.ok(wards.text.includes('\r\nphuong-6,32,14,16,2,0,"14/32 — 43,8 %","43,8 %",1,0\r\n'));
  const docs = await get('/api/hub/invalid?ward=phuong-6&format=csv&lang=en');
  assert.ok(docs.text.startsWith('\ufeffWard,Unit,Document id,Number,'));
  assert.ok(docs.text.includes('"Quyết định về việc ""thu hồi"", bổ sung"'));
  assert.ok(docs.text.includes(',Invalid,Content changed after signing\r\n'));
  for (const table of ['summary', 'weeks', 'units', 'sync', 'documents']) {
    const r = await get(`/api/hub/${table}?format=csv`);
    assert.is(r.status, 200, table);
    assert.ok(r.text.startsWith('\ufeff'), table);
    assert.ok(r.text.split('\r\n').length >= 3, table);
  }
});

test('bad query parameters get a 400 naming each problem in Vietnamese and English, and nothing else is answered', async () => {
  const r = await get('/api/hub/summary?from=2026-W60&ward=Phường%201&limti=5');
  assert.is(r.status, 400);
  assert.is(r.json.code, 'invalid_input');
  assert.is(r.json.message.vi, 'Dữ liệu không hợp lệ.');
  assert.equal(r.json.details.map((d: { path: string }) => d.path).sort(), ['from', 'limti', 'ward']);
  for (const d of r.json.details) assert.ok(d.vi && d.en);
  const order = await get('/api/hub/weeks?from=2026-W10&to=2026-W02');
  assert.is(order.status, 400);
  const limit = await get('/api/hub/documents?limit=100000');
  assert.is(limit.json.details[0].en, 'Must be a whole number from 1 to 500.');
  const id = await get('/api/hub/documents/phuong-6/..%2F..%2Fetc');
  assert.is(id.status, 400);
  assert.equal(id.json.details.map((d: { path: string }) => d.path), ['docId']);
  assert.is((await get('/api/hub/nothing')).status, 404);
});

test('a change in the hub\'s records shows at the next request (the cached answers are dropped)', async () => {
  const before = await get('/api/hub/summary?from=2026-W10&to=2026-W10');
  const target = view.document('phuong-5', before.json && [...view.documents()].find((d) => d.ward === 'phuong-5' && d.signing === 'paper')!.docId)!;
  view.put([{ ...target, signing: 'digital', verdict: 'valid' }]);
  const after = await get('/api/hub/summary?from=2026-W10&to=2026-W10');
  assert.is(after.json.total.rate.vi, '297/507 — 58,6 %');
  assert.ok(after.json.version > before.json.version);
  view.put([target]);
  assert.is((await get('/api/hub/summary?from=2026-W10&to=2026-W10')).json.total.rate.vi, '296/507 — 58,4 %');
});

test('in Chromium the dashboard shows "296/507 — 58,4 %", switches to English, and drills down to an invalid document and its PDF', async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  // Without credentials Chromium gives up on the page (headless, no prompt to answer).
  const refused = await browser.newContext();
  const denied = await (await refused.newPage()).goto(server.url + '/').then(() => 'opened', (e: Error) => e.message);
  assert.match(denied, /ERR_INVALID_AUTH_CREDENTIALS/);
  await refused.close();

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', httpCredentials: { username: ADMIN.name, password: ADMIN.password } });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`${m.text()} ${m.location().url}`); });
  await page.goto(server.url + '/');
  const rate = page.locator('[data-figure="city-rate"]');
  await rate.waitFor();
  assert.is((await rate.textContent())?.trim(), '296/507 — 58,4 %');
  assert.is((await page.locator('[data-figure="units-100"]').textContent())?.trim(), '4 trên 17');
  assert.is(await page.getByLabel('Từ tuần').inputValue(), '2026-W10');
  const firstWard = page.getByRole('region', { name: /Theo phường/ }).locator('tbody tr').first();
  assert.match((await firstWard.textContent()) ?? '', /phuong-6[\s\S]*14\/32 — 43,8 %/);
  assert.ok(await page.getByRole('img', { name: /Biểu đồ tỷ lệ ký số theo tuần/ }).isVisible());
  const csv = page.getByRole('link', { name: 'Tải CSV' }).nth(1);
  assert.is(await csv.getAttribute('href'), '/api/hub/wards?from=2026-W10&to=2026-W10&format=csv&lang=vi');
  await page.screenshot({ path: join(ARTIFACTS, 'hub-dashboard-1366.png'), fullPage: true });

  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.locator('[data-figure="city-rate"]', { hasText: '296/507 — 58.4%' }).waitFor();
  assert.is((await page.locator('[data-figure="units-100"]').textContent())?.trim(), '4 of 17');
  await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();

  // Filter to one ward, then open its invalid document.
  await page.getByLabel('Phường', { exact: true }).selectOption('phuong-6');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.locator('[data-figure="city-rate"]', { hasText: '14/32 — 43,8 %' }).waitFor();
  await page.getByRole('link', { name: /phuong-6 — 9001\/QĐ-UBND/ }).click();
  const heading = page.getByRole('heading', { name: /Văn bản 9001\/QĐ-UBND/ });
  await heading.waitFor();
  assert.ok(await page.getByText('Nội dung đã bị sửa sau khi ký').isVisible());
  assert.ok(await page.getByText('Về tới thành phố').isVisible());
  const pdfLink = page.getByRole('link', { name: 'Mở bản PDF đã ký' });
  const href = await pdfLink.getAttribute('href');
  const fetched = await page.evaluate(async (u) => { const r = await fetch(u!); return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength }; }, href);
  assert.equal(fetched, { status: 200, type: 'application/pdf', size: pdf.length });

  await page.setViewportSize({ width: 360, height: 640 });
  await page.screenshot({ path: join(ARTIFACTS, 'hub-document-360.png'), fullPage: true });
  await page.getByRole('link', { name: /Quay lại/ }).click();
  await rate.waitFor();
  const scrollWidth = await page.evaluate('document.documentElement.scrollWidth') as number;
  assert.ok(scrollWidth <= 360, `the page fits a phone (scrollWidth ${scrollWidth})`);
  await page.screenshot({ path: join(ARTIFACTS, 'hub-dashboard-360.png'), fullPage: true });
  assert.equal(failures, []);
  await context.close();
});

test('ten wrong passwords from one address lock it out with 429, even for the right password', async () => {
  const own = await startHubServer(view, { port: 0, admin: ADMIN });
  const status = async (a?: { name: string; password: string }) => {
    const r = await fetch(own.url + '/api/hub/summary', { headers: a ? auth(a) : {} });
    return { status: r.status, body: await r.json() as { code: string; message: { vi: string } } };
  };
  try {
    for (let i = 0; i < 10; i++) assert.is((await status({ name: ADMIN.name, password: `sai-${i}` })).status, 401);
    const locked = await status(ADMIN);
    assert.is(locked.status, 429);
    assert.is(locked.body.code, 'account_locked');
    assert.match(locked.body.message.vi, /tạm khóa/);
  } finally { await own.close(); }
});

test('a long export is streamed: every record once, BOM and header first, and the dashboard answers meanwhile', async () => {
  const more = cityRecords(2, 20, 40).docs; // 1,600 more: past the 2,000 rows kept in memory
  view.put(more);
  const total = [...view.documents()].length;
  const [csv, summary] = await Promise.all([get('/api/hub/documents?format=csv'), get('/api/hub/summary')]);
  assert.is(csv.status, 200);
  assert.is(summary.status, 200);
  assert.is(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.ok(csv.text.startsWith('\ufeffPhường,Đơn vị,Mã văn bản,'));
  const lines = csv.text.split('\r\n').filter(Boolean);
  assert.is(lines.length, total + 1);
  assert.is(new Set(lines).size, total + 1);
});

test('the dashboard\'s script and its long JSON answers travel compressed to a browser that accepts br; a PDF never', async () => {
  const br = { ...auth(), 'accept-encoding': 'gzip, deflate, br' };
  const page = await get('/', br);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
  assert.ok(script, page.text);
  const js = await fetch(server.url + script, { headers: br });
  assert.is(js.headers.get('content-encoding'), 'br');
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.match(js.headers.get('vary') ?? '', /Accept-Encoding/i);
  assert.match(await js.text(), /customElements|LitElement|lit/);
  const wards = await get('/api/hub/wards?from=2026-W10&to=2026-W10', br);
  assert.is(wards.status, 200);
  assert.ok(wards.text.length > 1024, `${wards.text.length} characters`);
  assert.is(wards.headers.get('content-encoding'), 'br');
  assert.ok(wards.json.rows.length >= 17, 'decodes to the same JSON');
  const file = await get(`/api/hub/documents/phuong-6/${INVALID_DOC}/pdf`, br);
  assert.is(file.status, 200);
  assert.is(file.headers.get('content-encoding'), null);
});

test.run();
