// Lean transfer (issue 16 item 4), over real HTTP against a real ward node:
// the app's text files from their build-time .br/.gz variants, JSON answers
// compressed on the fly above 1 KiB, files (PDF, PNG, JPEG) never, and device
// replication (PouchDB over /api/replicate, longpoll included) unharmed.
// node/http/precompressed.ts, node/http/compress-json.ts, node/http/encoding.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import PouchDB from 'pouchdb';
import { ensurePwaBuilt, PWA_DIST } from '../helpers/browser.js';
import { onePagePdf, smallJpeg, smallPng } from '../helpers/files.js';
import { localIds } from '../helpers/replica.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

interface Raw { status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }

/** One request with exactly the headers given (node:http adds no Accept-Encoding and decodes nothing). */
function raw(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
const decode = (r: Raw) => (r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.bytes) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.bytes) : r.bytes);
const session = (c: Client) => ({ cookie: c.cookie });
const vary = (r: Raw) => String(r.headers['vary'] ?? '').toLowerCase();

let ward: TestWard;
let alice: Client;
let dir: string;

test.before(async () => {
  ensurePwaBuilt();
  dir = mkdtempSync(join(tmpdir(), 'warddesk-compress-'));
  ward = await startTestWard();
  alice = await official(ward, 'alice', 'specialist');
  // Enough documents that the list and the replication feed are well above 1 KiB.
  for (let i = 0; i < 12; i++) await alice.post('/api/documents/outgoing', sampleDraft({ subject: `Kế hoạch số ${i} về chuyển đổi số của phường` }));
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

test('the app\'s script comes brotli-compressed to a browser that accepts br, and decodes to the very file built', async () => {
  const name = readdirSync(join(PWA_DIST, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
  const built = readFileSync(join(PWA_DIST, 'assets', name));
  const r = await raw(`${ward.url}/assets/${name}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
  assert.is(r.status, 200);
  assert.is(r.headers['content-encoding'], 'br');
  assert.match(String(r.headers['content-type']), /javascript/);
  assert.match(vary(r), /accept-encoding/);
  assert.match(String(r.headers['cache-control']), /immutable/);
  assert.ok(r.bytes.length < built.length / 2, `${r.bytes.length} of ${built.length} bytes`);
  assert.ok(decode(r).equals(built));
});

test('a client that takes only gzip gets gzip, one that asks for nothing gets the plain file, each with its own ETag', async () => {
  const plain = await raw(`${ward.url}/sw.js`);
  const gz = await raw(`${ward.url}/sw.js`, { 'accept-encoding': 'gzip' });
  const refused = await raw(`${ward.url}/sw.js`, { 'accept-encoding': 'br;q=0, gzip;q=0' });
  assert.is(plain.headers['content-encoding'], undefined);
  assert.is(refused.headers['content-encoding'], undefined);
  assert.is(gz.headers['content-encoding'], 'gzip');
  assert.match(String(gz.headers['content-type']), /javascript/);
  assert.is(String(gz.headers['cache-control']), 'no-cache');
  assert.ok(decode(gz).equals(plain.bytes));
  assert.ok(plain.bytes.equals(readFileSync(join(PWA_DIST, 'sw.js'))));
  assert.is.not(gz.headers['etag'], plain.headers['etag']);
  assert.match(vary(plain), /accept-encoding/);
  // A revalidation of the compressed copy with its own ETag is a 304, as for the plain one.
  const again = await raw(`${ward.url}/sw.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers['etag']) });
  assert.is(again.status, 304);
});

test('images are sent as they are, even to a client that accepts br', async () => {
  const icon = await raw(`${ward.url}/icons/icon-192.png`, { 'accept-encoding': 'br, gzip' });
  assert.is(icon.status, 200);
  assert.is(icon.headers['content-encoding'], undefined);
  assert.is(icon.headers['content-type'], 'image/png');
});

test('a deep link opens the app (index.html) whatever the client accepts', async () => {
  const r = await raw(`${ward.url}/documents/some-deep-link`, { accept: 'text/html', 'accept-encoding': 'br' });
  assert.is(r.status, 200);
  assert.match(String(r.headers['content-type']), /text\/html/);
  assert.match(decode(r).toString(), /<script type="module"/);
});

test('a long JSON answer is compressed (br, else gzip) and reads as the same JSON; a short one is not', async () => {
  const plain = await raw(`${ward.url}/api/documents`, session(alice));
  const br = await raw(`${ward.url}/api/documents`, { ...session(alice), 'accept-encoding': 'gzip, deflate, br' });
  const gz = await raw(`${ward.url}/api/documents`, { ...session(alice), 'accept-encoding': 'gzip' });
  assert.is(plain.status, 200);
  assert.ok(plain.bytes.length > 1024, `${plain.bytes.length} bytes`);
  assert.is(plain.headers['content-encoding'], undefined);
  assert.is(br.headers['content-encoding'], 'br');
  assert.is(gz.headers['content-encoding'], 'gzip');
  assert.match(String(br.headers['content-type']), /^application\/json; charset=utf-8/);
  assert.match(vary(br), /accept-encoding/);
  assert.equal(JSON.parse(decode(br).toString()), JSON.parse(plain.bytes.toString()));
  assert.equal(JSON.parse(decode(gz).toString()), JSON.parse(plain.bytes.toString()));
  assert.ok(br.bytes.length < plain.bytes.length / 3, `${br.bytes.length} of ${plain.bytes.length}`);
  assert.ok(/Kế hoạch số 11/.test(decode(br).toString()), 'Vietnamese text survives');

  const health = await raw(`${ward.url}/api/health`, { 'accept-encoding': 'br' });
  assert.is(health.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(health.bytes.toString()), { ok: true });
});

test('uploaded PDFs, PNGs and JPEGs come back byte for byte, never compressed', async () => {
  const clerk = await official(ward, 'vanthu', 'clerk');
  // A PDF padded with hex text would shrink a lot: it is still sent as it is.
  for (const [type, bytes] of [['application/pdf', onePagePdf('nén', 20_000)], ['image/png', smallPng(3, 64)], ['image/jpeg', smallJpeg(4, 64)]] as const) {
    const up = await clerk.post('/api/blobs', bytes, { 'content-type': type });
    assert.is(up.status, 201, JSON.stringify(up.body));
    const r = await raw(`${ward.url}/api/blobs/${up.body.sha256}`, { ...session(clerk), 'accept-encoding': 'br, gzip' });
    assert.is(r.status, 200, type);
    assert.is(r.headers['content-encoding'], undefined, type);
    assert.is(r.headers['content-type'], type);
    assert.ok(r.bytes.equals(bytes), type);
  }
});

test('a device replicates its working set through compressed answers (PouchDB over HTTP)', async () => {
  const codings: string[] = [];
  // The replica's fetch asks for br as a browser does, and notes what came back (fetch decodes it).
  const local = new PouchDB(join(dir, 'alice'));
  const watched = new PouchDB(`${alice.base}/api/replicate`, {
    skip_setup: true,
    fetch: async (url: string | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('cookie', alice.cookie);
      headers.set('accept-encoding', 'br, gzip');
      const res = await fetch(url, { ...init, headers });
      codings.push(res.headers.get('content-encoding') ?? 'identity');
      return res;
    },
  });
  try {
    const result = await local.replicate.from(watched, { batch_size: 50 }) as { ok: boolean };
    assert.ok(result.ok);
    const ids = await localIds(local);
    assert.is(ids.filter((id) => id.startsWith('doc:')).length, 12);
    assert.ok(codings.includes('br'), codings.join(' '));
  } finally {
    await watched.close(); await local.close();
  }
});

test('a longpoll on the replication feed, compressed, still answers as soon as a document changes', async () => {
  const head = JSON.parse(decode(await raw(`${ward.url}/api/replicate/_changes?since=now&limit=1`, session(alice))).toString()).last_seq;
  const waiting = raw(`${ward.url}/api/replicate/_changes?feed=longpoll&since=${head}&timeout=20000`, { ...session(alice), 'accept-encoding': 'br' });
  await new Promise((r) => setTimeout(r, 300));
  const created = await alice.post('/api/documents/outgoing', sampleDraft({ subject: 'Văn bản mới trong lúc chờ' }));
  const answer = await waiting;
  assert.is(answer.status, 200);
  const page = JSON.parse(decode(answer).toString()) as { results: { id: string }[] };
  assert.ok(page.results.some((r) => r.id === created.body.id), JSON.stringify(page.results));
});

test('a file changed after the build (a new service worker put in place) is sent as it now is, not from its older variant', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-compress-app-'));
  const app = join(dir, 'app');
  cpSync(PWA_DIST, app, { recursive: true, preserveTimestamps: true });
  // A node serving the copy (WARDDESK_PWA_DIR is read when the node starts).
  process.env['WARDDESK_PWA_DIR'] = app;
  const onCopy = await startTestWard();
  try {
    const before = await raw(`${onCopy.url}/sw.js`, { 'accept-encoding': 'br' });
    assert.is(before.headers['content-encoding'], 'br');
    const later = new Date(Date.now() + 5_000);
    appendFileSync(join(app, 'sw.js'), '\n// next version\n');
    utimesSync(join(app, 'sw.js'), later, later);
    const after = await raw(`${onCopy.url}/sw.js`, { 'accept-encoding': 'br' });
    assert.is(after.headers['content-encoding'], undefined);
    assert.match(after.bytes.toString(), /\/\/ next version\n$/);
  } finally {
    delete process.env['WARDDESK_PWA_DIR'];
    await onCopy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
