// Bytes on the wire for a device's first load of the app, from a real ward
// node over HTTP: the page, the service worker and its Workbox runtime, and
// everything the service worker precaches on that first visit (scripts, CSS,
// icons, manifest): that is what a phone downloads before it can work
// offline. Asked three ways: no Accept-Encoding (raw), gzip only, and as
// Chromium asks (br chosen). Also a JSON answer: the document list of a
// leader with 60 documents, raw and compressed. Body bytes only (no headers).
//   npx tsx test/bench/transfer.ts
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePwaBuilt, PWA_DIST } from '../helpers/browser.js';
import { official, sampleDraft, startTestWard } from '../helpers/ward.js';

function bodyBytes(url: string, headers: Record<string, string>): Promise<{ bytes: number; coding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve({ bytes, coding: String(res.headers['content-encoding'] ?? 'identity') }) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

ensurePwaBuilt();
const sw = readFileSync(join(PWA_DIST, 'sw.js'), 'utf8');
const precached = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => `/${m[1]}`);
const runtime = [...sw.matchAll(/define\(\["\.\/(workbox-[\w-]+)"\]/g)].map((m) => `/${m[1]}.js`);
const paths = ['/', '/sw.js', ...runtime, ...precached];
const ASKS = { raw: {}, gzip: { 'accept-encoding': 'gzip' }, br: { 'accept-encoding': 'gzip, deflate, br, zstd' } } as const;

const ward = await startTestWard();
try {
  const leader = await official(ward, 'lanh', 'leader');
  const cv = await official(ward, 'chuyenvien', 'specialist');
  for (let i = 0; i < 60; i++) {
    const d = await cv.post('/api/documents/outgoing', sampleDraft({ subject: `Kế hoạch ${i} về chuyển đổi số và cải cách hành chính của phường` }));
    await cv.post(`/api/documents/${d.body.id}/actions/submit`);
  }
  const total = async (ask: Record<string, string>) => {
    let sum = 0;
    for (const p of paths) sum += (await bodyBytes(ward.url + p, ask)).bytes;
    return sum;
  };
  const sums = { raw: await total(ASKS.raw), gzip: await total(ASKS.gzip), br: await total(ASKS.br) };
  console.log(`first_load_files ${paths.length}`);
  console.log(`first_load_kb_raw ${(sums.raw / 1024).toFixed(1)}`);
  console.log(`first_load_kb_gzip ${(sums.gzip / 1024).toFixed(1)}`);
  console.log(`first_load_kb_br ${(sums.br / 1024).toFixed(1)}`);
  const list = async (ask: Record<string, string>) => (await bodyBytes(`${ward.url}/api/documents`, { cookie: leader.cookie, ...ask })).bytes;
  console.log(`documents_list_kb_raw ${((await list(ASKS.raw)) / 1024).toFixed(1)}`);
  console.log(`documents_list_kb_br ${((await list(ASKS.br)) / 1024).toFixed(1)}`);
} finally {
  await ward.stop();
}
