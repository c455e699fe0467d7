// A phone on the ward LAN logs in over HTTPS after following /setup. The
// test makes a LAN: a network namespace (the phone) joined to this host by a
// veth pair with addresses of their own. The node starts with its defaults
// on every interface, so its own certificate names the veth address. Inside
// the namespace: plain HTTP gives the /setup page (the HTTPS address, the
// root) and redirects everything else; Chromium, trusting only the root
// downloaded from /setup (in its NSS database, as a phone installs it), opens
// the node's non-loopback address, logs in, and keeps the Secure session
// cookie across a reload. Without the root the same page is refused.
// Needs root and iproute2; when the namespace cannot be made, the reason is
// printed and the test says it was skipped, never passes silently.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../node/config.js';
import { startWardNode, type WardNode } from '../../node/ward-node.js';
import { ensurePwaBuilt, loginInApp } from '../helpers/browser.js';
import { launchTrusting, type TrustingChromium } from '../helpers/trusting-chromium.js';

const run = promisify(execFile);
const id = process.pid % 100_000;
const NS = `wdlan${id}`;
const HOST_IF = `wdh${id}`;
const PHONE_IF = `wdp${id}`;
const NET = `10.213.${id % 250}`;
const NODE_IP = `${NET}.1`;
const PHONE_IP = `${NET}.2`;
const dir = mkdtempSync(join(tmpdir(), 'warddesk-lan-'));
let skipped: string | null = null;
let node: WardNode | null = null;
const devices: TrustingChromium[] = [];

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || r.error?.message}`);
}

/** Runs a script with this Node inside the phone's namespace; answers its stdout. Asynchronous: the node answering it runs in this process. */
async function inPhone(script: string): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

test.before(async () => {
  try {
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', PHONE_IF);
    ip('link', 'set', PHONE_IF, 'netns', NS);
    ip('addr', 'add', `${NODE_IP}/24`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${PHONE_IP}/24`, 'dev', PHONE_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', PHONE_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    skipped = (err as Error).message;
    console.log(`SKIPPED lan-phone: the test LAN (network namespace ${NS}) could not be made: ${skipped}`);
    return;
  }
  ensurePwaBuilt();
  // The node as `npm start` runs it: every interface, Secure cookies, its own HTTPS certificate.
  node = await startWardNode(loadConfig({}, { dataDir: join(dir, 'data'), host: '0.0.0.0', port: 0, logLevel: 'silent', tls: { setupPort: 0 } }), { log: pino({ level: 'silent' }) });
});

test.after(async () => {
  for (const d of devices) await d.close();
  await node?.close();
  spawnSync('ip', ['netns', 'del', NS]);
  spawnSync('ip', ['link', 'del', HOST_IF]);
  rmSync(dir, { recursive: true, force: true });
});

/** Chromium started inside the phone's namespace (playwright talks to it over inherited pipes, which `ip netns exec` keeps). */
function launcher(): string {
  const file = join(dir, 'chromium-in-phone');
  writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${NS} /usr/bin/chromium "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

const httpsUrl = () => `https://${NODE_IP}:${new URL(node!.url).port}`;
const setupUrl = () => `http://${NODE_IP}:${new URL(node!.setupUrl!).port}`;

test('the node\'s own certificate names its LAN address; over plain HTTP the phone gets only /setup and redirects', async () => {
  if (skipped) { console.log(`SKIPPED: ${skipped}`); return; }
  assert.ok(node!.lanTls!.current.names.includes(NODE_IP), `certificate names: ${node!.lanTls!.current.names.join(', ')}`);
  const seen = JSON.parse(await inPhone(`
    const page = await fetch('${setupUrl()}/setup');
    const api = await fetch('${setupUrl()}/api/health', { redirect: 'manual' });
    console.log(JSON.stringify({ status: page.status, html: await page.text(), redirect: api.status, location: api.headers.get('location') }));
  `)) as { status: number; html: string; redirect: number; location: string };
  assert.is(seen.status, 200);
  assert.ok(seen.html.includes(`${httpsUrl()}/`), 'the page names the HTTPS address the phone reached');
  assert.match(seen.html, /<svg/, 'with its QR code');
  assert.is(seen.redirect, 308);
  assert.is(seen.location, `${httpsUrl()}/api/health`);
});

test('Chromium in the phone\'s namespace, trusting the root from /setup, logs in over HTTPS and keeps the Secure cookie', async () => {
  if (skipped) { console.log(`SKIPPED: ${skipped}`); return; }
  const root = await inPhone(`const r = await fetch('${setupUrl()}/setup/city-root.crt'); process.stdout.write(await r.text());`);
  assert.match(root, /BEGIN CERTIFICATE/);
  const phone = await launchTrusting([root], launcher());
  devices.push(phone);
  const context = await phone.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN' });
  const page = await context.newPage();
  await loginInApp(page, httpsUrl(), 'admin', node!.firstAdmin!.password);
  await page.getByLabel('Mật khẩu mới', { exact: true }).fill('admin-password-1');
  await page.getByLabel('Nhập lại mật khẩu mới').fill('admin-password-1');
  await page.getByRole('button', { name: 'Lưu mật khẩu' }).click();
  await page.getByRole('heading', { name: 'Thiết lập ban đầu', level: 1 }).waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'wd_session');
  assert.ok(cookie, 'the session cookie is kept');
  assert.is(cookie!.secure, true);
  assert.is(cookie!.domain, NODE_IP);
  await page.reload();
  await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  assert.is(await page.evaluate('window.isSecureContext'), true, 'a secure context: the service worker may run');
});

test('the same phone without the root is refused by TLS', async () => {
  if (skipped) { console.log(`SKIPPED: ${skipped}`); return; }
  const bare = await launchTrusting([], launcher());
  devices.push(bare);
  const page = await (await bare.browser.newContext()).newPage();
  const err = await page.goto(httpsUrl()).then(() => null, (e: Error) => e.message);
  assert.match(String(err), /ERR_CERT_AUTHORITY_INVALID/);
});

test.run();
