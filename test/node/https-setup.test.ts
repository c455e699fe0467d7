import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { makeTestTls } from '../helpers/test-pki.js';
import { startTlsWard, type TlsWard } from '../helpers/tls-node.js';
import { loadConfig } from '../../node/config.js';
import { startWardNode, type WardNode } from '../../node/ward-node.js';
import pino from 'pino';

const tls = makeTestTls();
let dir: string;
let node: WardNode;
let ward: TlsWard;

test.before(async () => { ward = await startTlsWard(tls); node = ward.node; dir = ward.dir; });
test.after(async () => { await ward.stop(); });

function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test('the API is served over HTTPS with the ward certificate, trusted through the city root, with HSTS', async () => {
  assert.match(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const r = await httpsGet(`${node.url}/api/health`, tls.rootPem);
  assert.is(r.status, 200);
  assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
});

test('a client that does not trust the city root is refused by TLS', async () => {
  const other = makeTestTls();
  await httpsGet(`${node.url}/api/health`, other.rootPem).then(() => assert.unreachable('should not connect'), (err: Error) => assert.match(err.message, /self[- ]signed|unable to verify|certificate/i));
});

test('plain HTTP offers only the setup page: the city root, a QR code of the HTTPS address, install steps', async () => {
  const page = await fetch(node.setupUrl!);
  assert.is(page.status, 200);
  const html = await page.text();
  assert.match(html, /<svg/);
  assert.match(html, /Android/);
  assert.match(html, /iOS/);
  assert.match(html, /Windows/);
  assert.ok(html.includes(`https://127.0.0.1:${new URL(node.url).port}/`));
  const root = await fetch(new URL('/setup/city-root.crt', node.setupUrl!));
  assert.is(root.headers.get('content-type'), 'application/x-x509-ca-cert');
  assert.is(await root.text(), tls.rootPem);
  const api = await fetch(new URL('/api/health', node.setupUrl!), { redirect: 'manual' });
  assert.is(api.status, 308);
  assert.is(api.headers.get('location'), `https://127.0.0.1:${new URL(node.url).port}/api/health`);
});

test('the setup page redirects and points its QR code only to the node\'s own names, whatever Host header it is given', async () => {
  const setup = new URL(node.setupUrl!);
  const ask = (path: string, host: string) => new Promise<{ status: number; location: string; body: string }>((resolve, reject) => {
    httpRequest({ host: setup.hostname, port: setup.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), body }));
    }).on('error', reject).end();
  });
  const port = new URL(node.url).port;
  const evil = await ask('/api/health', 'evil.example');
  assert.is(evil.status, 308);
  assert.ok(!evil.location.includes('evil.example'), evil.location);
  assert.match(evil.location, new RegExp(`^https://[^/]+:${port}/api/health$`));
  const page = await ask('/setup', 'evil.example:8080');
  assert.not.ok(page.body.includes('evil.example'), 'the page names no foreign host');
  const own = await ask('/api/health', `localhost:${setup.port}`);
  assert.is(own.location, `https://localhost:${port}/api/health`, 'a name on the certificate is kept');
});

test('a wrong TLS PIN stops the boot with a clear message', async () => {
  process.env['WARDDESK_TLS_PIN'] = 'wrong-pin';
  try {
    const config = loadConfig({}, { dataDir: join(dir, 'data2'), host: '127.0.0.1', port: 0, logLevel: 'silent', tls: { pfxFile: join(dir, 'node.p12'), setupPort: 0 } });
    await startWardNode(config, { log: pino({ level: 'silent' }) }).then(() => assert.unreachable('must not start'), (err: Error) => assert.match(err.message, /wrong PIN/));
  } finally { process.env['WARDDESK_TLS_PIN'] = tls.pin; }
});

test.run();
