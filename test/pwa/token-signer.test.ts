// The two-phase flow in Chromium: the leader's app, served by the ward node,
// finds `warddesk signer` (a real child process, --pin-stdin) on loopback,
// offers "Ký bằng token của tôi", and the document ends up signed by the
// leader's SoftHSM2 token. A page of another origin cannot use the signer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sampleSignaturePng } from '../../certs/sample-images.js';
import { ensurePwaBuilt, launchChromium, loginInApp } from '../helpers/browser.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from '../helpers/softhsm.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pki = makeTestPki();
let hsm: SoftHsm;
let ward: TestWard;
let signer: ChildProcessWithoutNullStreams;
let signerUrl = '';
let signerOutput = '';
let browser: Browser;
let page: Page;
let specialist: Client;
let leader: Client;

test.before(async () => {
  ensurePwaBuilt();
  hsm = startSoftHsm('OfficialToken');
  hsm.keygen('01', 'leader');
  hsm.writeCert('01', hsm.issue(pki, '01', 'leader', 'Nguyễn Văn An'));
  ward = await startTestWard();
  installWardCa(ward.node.signing.keys, pki, 'ward-ca-pin-2026');
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
  signer = spawn(process.execPath, ['--import', 'tsx', join(root, 'node/cli.ts'), 'signer', '--node', ward.url, '--module', SOFTHSM_MODULE, '--token-label', hsm.label, '--key-id', '01', '--port', '0', '--pin-stdin'], { cwd: root, env: hsm.env });
  signerUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signer did not start: ${signerOutput}`)), 60_000);
    signer.stdout.on('data', (c: Buffer) => { signerOutput += c; const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(signerOutput); if (m) { clearTimeout(timer); resolve(m[1]!); } });
    signer.stderr.on('data', (c: Buffer) => { signerOutput += c; });
    signer.once('exit', (code) => reject(new Error(`signer exited ${code}: ${signerOutput}`)));
  });
  browser = await launchChromium();
  const context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  await context.addInitScript((url) => { localStorage.setItem('warddesk.signerUrl', url); }, signerUrl);
  page = await context.newPage();
});
test.after(async () => {
  await browser?.close();
  if (signer && signer.exitCode === null) { signer.kill('SIGTERM'); await new Promise((r) => signer.once('exit', r)); }
  await ward?.stop();
  hsm?.cleanup();
});

test('the leader signs with their own token from the app: the signer shows the document and asks its own PIN', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'V/v ký bằng token trong trình duyệt' }))).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  await loginInApp(page, ward.url, 'lanhdao', 'lanhdao-real-password');
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(id)}`);
  const button = page.getByRole('button', { name: 'Ký bằng token của tôi' });
  await button.waitFor({ timeout: 30_000 });
  assert.is(await page.locator('#pin').count(), 0, 'no PIN field in the app: the signer asks it');
  signer.stdin.write(`${hsm.pin}\n`);
  await button.click();
  await page.locator('[data-state="signed"]').waitFor({ timeout: 60_000 });
  assert.match(signerOutput, /V\/v ký bằng token trong trình duyệt/, 'the signer showed the subject');
  assert.not.match(signerOutput, new RegExp(hsm.pin), 'the PIN is never printed');
  const doc = (await leader.get(`/api/documents/${id}`)).body;
  assert.is(doc.state, 'signed');
  const verdict = (await leader.get(`/api/documents/${id}/verification`)).body.verdict;
  assert.is(verdict.signatures[0].integrity, 'valid');
  assert.is(verdict.signatures[0].role, 'leader');
});

test('a wrong PIN at the signer shows a clear error in the app and signs nothing', async () => {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft({ subject: 'V/v thử PIN sai' }))).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  await page.goto(`${ward.url}/#/doc/${encodeURIComponent(id)}`);
  const button = page.getByRole('button', { name: 'Ký bằng token của tôi' });
  await button.waitFor({ timeout: 30_000 });
  signer.stdin.write('000000\n');
  await button.click();
  await page.getByText('Mã PIN không đúng.').waitFor({ timeout: 30_000 });
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
});

test('a page of another origin cannot reach the signer', async () => {
  const other = ward.url.replace('127.0.0.1', 'localhost');
  await page.goto(`${other}/api/health`);
  const outcome = await page.evaluate(async (url) => {
    try { const r = await fetch(`${url}/v1/status`); return `answered ${r.status}`; } catch (e) { return `blocked: ${(e as Error).name}`; }
  }, signerUrl);
  assert.match(outcome, /^blocked: TypeError/);
});

test.run();
