// Bad links and bad cities (issue 19), each handled without a crash, a lost
// record or a wrong "synced": gzip'd bodies at the embedded city (and a zip
// bomb refused), a city that answers slowly, a proxy that truncates
// answers, a link that damages bytes (hash mismatch, fetched again), and a
// wall clock that jumps. Real embedded city, real PouchDB, the weak-link proxy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync, deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { splitFile, assembleFile } from '../../sync/chunks.js';
import { toBytes } from '../../sync/chunk-push.js';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-gzip', 'w-slow', 'w-cut-short', 'w-damage', 'w-clock']); });
test.after(async () => { await wards.close(); });

const admin = () => `Basic ${Buffer.from('cityadmin:city-admin-password-1').toString('base64')}`;
async function post(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const r = await fetch(wards.city.url + path, { method: path.includes('/chunk:') ? 'PUT' : 'POST', headers: { authorization: admin(), ...headers }, body });
  return { status: r.status, text: await r.text() };
}

/** A file the city sends the ward (origin "city"), stored at the city in chunks. */
async function cityFile(ward: string) {
  const file = await splitFile(randomBytes(80_000));
  for (const c of file.chunks) assert.is((await post(`/ward_${ward}/chunk:${c.sha256}/data`, Buffer.from(c.bytes), { 'content-type': 'application/octet-stream' })).status, 201);
  const blob = { _id: `blob:${file.sha256}`, type: 'blob', contentType: 'application/pdf', size: file.size, sha256: file.sha256, chunkSize: file.chunkSize, chunks: file.chunks.map((c) => c.sha256), origin: 'city' };
  assert.is((await post(`/ward_${ward}/_bulk_docs`, Buffer.from(JSON.stringify({ docs: [blob] })), { 'content-type': 'application/json' })).status, 201);
  return blob;
}

const localChunk = (db: PouchDB.Database) => async (sha: string) => toBytes(await db.getAttachment(`chunk:${sha}`, 'data')).catch(() => null);

test('the city reads gzip JSON bodies, and refuses a zip bomb (413), broken gzip (400), other encodings and gzip attachments (415)', async () => {
  const keys = Buffer.from(JSON.stringify({ keys: Array.from({ length: 200 }, (_, i) => `doc:out:${i}`) }));
  const ok = await post('/ward_w-gzip/_all_docs', gzipSync(keys), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.is(ok.status, 200, ok.text);
  assert.is((JSON.parse(ok.text) as { rows: unknown[] }).rows.length, 200);
  // 40 MiB of spaces inside a JSON string: ~40 kB on the wire.
  const bomb = gzipSync(Buffer.concat([Buffer.from('{"keys":["'), Buffer.alloc(40 * 1024 * 1024, 0x20), Buffer.from('"]}')]));
  assert.ok(bomb.length < 200_000);
  const big = await post('/ward_w-gzip/_all_docs', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.is(big.status, 413, big.text);
  assert.match(big.text, /giải nén.*inflated/);
  const broken = gzipSync(keys);
  broken[broken.length >> 1] ^= 0xff;
  const bad = await post('/ward_w-gzip/_all_docs', broken, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.is(bad.status, 400, bad.text);
  assert.match(bad.text, /hỏng.*corrupt/);
  const other = await post('/ward_w-gzip/_all_docs', deflateSync(keys), { 'content-type': 'application/json', 'content-encoding': 'deflate' });
  assert.is(other.status, 415, other.text);
  const att = await post(`/ward_w-gzip/chunk:${'a'.repeat(64)}/data`, gzipSync(randomBytes(1000)), { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
  assert.is(att.status, 415, att.text);
});

test('a city that answers slowly: requests time out, nothing shows as synced, then it converges', async () => {
  const { link, db, entry } = await wards.setup('w-slow', { latencyMs: 1_500 }, { documents: 3, pdfBytes: 5_000, scans: 0, scanBytes: 0 });
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-slow'), link.url, { requestTimeoutMs: 2_000 });
  await rep.syncNow();
  const slow = await rep.status();
  assert.is(slow.lastError?.code, 'sync_timeout', JSON.stringify(slow.lastError));
  assert.is(slow.upToDate, false);
  link.latencyMs = 20;
  await untilUpToDate(rep, 30_000);
  await wards.assertConverged(db, 'w-slow');
});

test('a proxy that cuts answers short: the runs fail, are retried, and converge with nothing lost', async () => {
  const { link, db, entry } = await wards.setup('w-cut-short', { latencyMs: 10 }, { documents: 3, pdfBytes: 20_000, scans: 1, scanBytes: 100_000 });
  const blob = await cityFile('w-cut-short');
  link.truncateDown(3);
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-cut-short'), link.url);
  await rep.syncNow();
  await untilUpToDate(rep, 30_000);
  assert.is(link.damaged, 3, 'three answers were cut short');
  await wards.assertConverged(db, 'w-cut-short');
  assert.ok((await assembleFile(blob, localChunk(db))).ok, 'the city\'s file arrived whole');
});

test('bytes damaged on the way down: the chunk fails its hash, is fetched again, and the city\'s file arrives whole', async () => {
  const { link, db, entry } = await wards.setup('w-damage', {}, { documents: 1, pdfBytes: 5_000, scans: 0, scanBytes: 0 });
  const blob = await cityFile('w-damage');
  link.corruptDown(3);
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-damage'), link.url);
  await rep.syncNow();
  const status = await untilUpToDate(rep, 30_000);
  assert.is(link.damaged, 3, 'three answers were damaged on the way');
  assert.is(status.badInbox.count, 0, JSON.stringify(status.badInbox));
  assert.ok((await assembleFile(blob, localChunk(db))).ok, 'the city\'s file arrived whole');
});

test('a wall clock that jumps a day back, then two ahead, mid-sync: it converges and says so only once it has', async () => {
  const { link, db, entry } = await wards.setup('w-clock', { bytesPerSecond: 200_000, cutEveryMs: 1_000, downMs: 200 }, { documents: 3, pdfBytes: 20_000, scans: 1, scanBytes: 200_000 });
  let offset = 0;
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-clock'), link.url, { now: () => Date.now() + offset });
  await rep.start();
  await new Promise((r) => setTimeout(r, 700));
  offset = -86_400_000;
  const mid = await rep.status();
  assert.is(mid.upToDate, false);
  await new Promise((r) => setTimeout(r, 700));
  offset = 2 * 86_400_000;
  const status = await untilUpToDate(rep, 60_000);
  assert.is(status.pending.documents, 0);
  await wards.assertConverged(db, 'w-clock');
});

test.run();
