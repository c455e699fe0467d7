// A city that holds a chunk larger than MAX_CHUNK_BYTES (a real CouchDB
// stores one: validate_doc_update sees no length for a streamed attachment)
// or a chunk whose bytes are not what its id names: the hub reads it with a
// cap and calls the file corrupt without holding more than the cap, the
// ward's inbox pull skips it, says so, does not fetch it again at every run,
// and still receives the good files around it. The embedded city refuses an
// oversized chunk upload itself (413), and `city init` says it cannot set
// CouchDB's size limits there. Real embedded city, real PouchDB on disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { initCity } from '../../node/city/init.js';
import { readCityFile } from '../../node/city/hub-verify.js';
import { MAX_CHUNK_BYTES, WardCredentials } from '../../sync/city-contract.js';
import { splitFile } from '../../sync/chunks.js';
import { CITY_ADMIN, startTestCity, type TestCity } from '../helpers/city.js';
import { wardReplicator } from '../helpers/sync-data.js';
import type { ReplicatorOptions } from '../../sync/replicator.js';

const WARD = 'phuong-cap';
const DB = `ward_${WARD}`;
const dir = mkdtempSync(join(tmpdir(), 'warddesk-chunk-limits-'));
const auth = `Basic ${Buffer.from(`${CITY_ADMIN.name}:${CITY_ADMIN.password}`).toString('base64')}`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pdf = (size: number) => { const b = randomBytes(size); b.write('%PDF-1.7\n', 0, 'latin1'); return b; };

let city: TestCity;
let initOutput: string[] = [];
/** Two good files, one with a 1.5 MiB chunk, one with a chunk whose bytes are not its hash; in that order. */
const files: Record<'good1' | 'oversize' | 'wrongHash' | 'good2', { sha256: string; bytes: Buffer }> = {} as never;

async function putChunk(sha256: string, bytes: Buffer): Promise<number> {
  const r = await fetch(`${city.url}/${DB}/chunk:${sha256}/data`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/octet-stream' }, body: bytes });
  await r.text();
  return r.status;
}

async function putBlob(sha256: string, size: number, chunkSize: number, chunks: string[]): Promise<void> {
  const r = await fetch(`${city.url}/${DB}/blob:${sha256}`, {
    method: 'PUT', headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `blob:${sha256}`, type: 'blob', contentType: 'application/pdf', size, sha256, chunkSize, chunks, origin: 'city' }),
  });
  assert.is(r.status, 201, await r.text());
}

async function sendGood(bytes: Buffer): Promise<{ sha256: string; bytes: Buffer }> {
  const split = await splitFile(bytes);
  for (const c of split.chunks) assert.is(await putChunk(c.sha256, Buffer.from(c.bytes)), 201);
  await putBlob(split.sha256, split.size, split.chunkSize, split.chunks.map((c) => c.sha256));
  return { sha256: split.sha256, bytes };
}

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(dir, 'creds'), report: (l) => initOutput.push(l) });
  files.good1 = await sendGood(pdf(150_000));
  // A 1.5 MiB piece with its true hash, in a file cut in 1 MiB chunks: too large for a chunk.
  const big = pdf(1.5 * 1024 * 1024);
  const bigSha = sha(big);
  const tail = randomBytes(1000);
  const oversize = Buffer.concat([big, tail]);
  await putBlob(sha(oversize), MAX_CHUNK_BYTES + 1000, MAX_CHUNK_BYTES, [bigSha, sha(tail)]);
  files.oversize = { sha256: sha(oversize), bytes: oversize };
  // Bytes stored under another piece's hash (the city cannot hash attachments, so this one goes in over HTTP).
  const honest = pdf(64 * 1024);
  const liar = randomBytes(64 * 1024);
  const wrongHash = Buffer.concat([honest, liar]);
  assert.is(await putChunk(sha(honest), liar), 201);
  assert.is(await putChunk(sha(liar), liar), 201);
  await putBlob(sha(wrongHash), wrongHash.length, 64 * 1024, [sha(honest), sha(liar)]);
  files.wrongHash = { sha256: sha(wrongHash), bytes: wrongHash };
  files.good2 = await sendGood(pdf(300_000));
  // The oversized chunk bypasses the city's own checks: written straight into its database on disk, city stopped.
  await city.stop();
  const store = new PouchDB(join(city.dataDir, DB));
  await store.put({ _id: `chunk:${bigSha}`, _attachments: { data: { content_type: 'application/octet-stream', data: big } } } as unknown as Parameters<PouchDB.Database['put']>[0]);
  await store.close();
  await city.restart();
});
test.after(async () => {
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('the embedded city refuses a 1.5 MiB chunk upload with 413 before storing it, and init says it cannot set size limits', async () => {
  const big = randomBytes(1.5 * 1024 * 1024);
  assert.is(await putChunk(sha(big), big), 413);
  const r = await fetch(`${city.url}/${DB}/chunk:${sha(big)}`, { headers: { authorization: auth } });
  assert.is(r.status, 404, 'nothing was stored');
  await r.text();
  const max = randomBytes(MAX_CHUNK_BYTES);
  assert.is(await putChunk(sha(max), max), 201, 'a chunk of exactly the limit is accepted');
  assert.ok(initOutput.includes('size limits: not supported by this server (it enforces its own chunk cap)'), initOutput.join('\n'));
});

/** The hub's reader over HTTP, counting the bytes it pulled from each attachment body (one network read at a time). */
async function hubRead(sha256: string): Promise<{ state: string; reason?: string; pulled: Map<string, number> }> {
  const pulled = new Map<string, number>();
  const file = await readCityFile(async (path) => {
    const r = await fetch(`${city.url}/${DB}/${path}`, { headers: { authorization: auth } });
    if (r.status === 404) { await r.text(); return null; }
    if (!path.endsWith('/data') || !r.body) return r;
    const reader = r.body.getReader();
    pulled.set(path, 0);
    const counted = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await reader.read();
        if (done) { c.close(); return; }
        pulled.set(path, pulled.get(path)! + value.byteLength);
        c.enqueue(value);
      },
      async cancel() { await reader.cancel(); },
    }, { highWaterMark: 0 });
    return new Response(counted, { status: r.status, headers: r.headers });
  }, sha256);
  return { state: file.state, ...(file.state === 'corrupt' && file.reason ? { reason: file.reason } : {}), pulled };
}

test('the hub calls a file with a 1.5 MiB chunk corrupt, stopping the read just past the cap', async () => {
  const read = await hubRead(files.oversize.sha256);
  assert.is(read.state, 'corrupt');
  assert.match(read.reason ?? '', /more than 1048576 bytes/);
  const [path, bytes] = [...read.pulled][0]!;
  assert.ok(path.startsWith('chunk:'), path);
  // Measured: the read stops within one network read (≤ 64 KiB here) of the cap, of 1.5 MiB stored.
  assert.ok(bytes > MAX_CHUNK_BYTES && bytes <= MAX_CHUNK_BYTES + 64 * 1024, `read ${bytes} bytes of ${1.5 * 1024 * 1024}`);
  console.log(`  hub read ${bytes} bytes of a ${1.5 * 1024 * 1024}-byte chunk (cap ${MAX_CHUNK_BYTES})`);
  assert.is(read.pulled.size, 1, 'the chunk after it was not read');
});

test('the hub calls a file corrupt when a chunk\'s bytes do not match its hash, and reads the good files whole', async () => {
  const bad = await hubRead(files.wrongHash.sha256);
  assert.is(bad.state, 'corrupt');
  assert.match(bad.reason ?? '', /do not match sha-256/);
  for (const f of [files.good1, files.good2]) assert.is((await hubRead(f.sha256)).state, 'ok');
});

test('the ward\'s inbox pull skips the bad chunks, reports them, keeps the good files around them, and does not fetch them again', async () => {
  const credentials = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${WARD}.credentials.json`), 'utf8')));
  const local = new PouchDB(join(dir, 'ward-db'));
  const asked: string[] = [];
  const base = (PouchDB as unknown as { fetch: ReplicatorOptions['baseFetch'] }).fetch;
  const rep = wardReplicator(local, credentials, city.url, {
    intervalMs: 60_000, chunkPage: 2,
    baseFetch: (url, init) => { if (url.includes('chunk%3A')) asked.push(url); return base(url, init); },
  });
  try {
    await rep.syncNow();
    const status = await rep.status();
    assert.is(status.lastError, null, JSON.stringify(status.lastError));
    assert.is(status.badInbox.count, 2);
    assert.equal(new Set(status.badInbox.files), new Set([`blob:${files.oversize.sha256}`, `blob:${files.wrongHash.sha256}`]));
    for (const f of [files.good1, files.good2]) {
      const split = await splitFile(f.bytes);
      const have = await local.allDocs({ keys: split.chunks.map((c) => `chunk:${c.sha256}`) });
      assert.ok(have.rows.every((r) => !('error' in r)), `every chunk of ${f.sha256.slice(0, 8)} is stored`);
    }
    const bigChunk = `chunk:${sha(files.oversize.bytes.subarray(0, 1.5 * 1024 * 1024))}`;
    assert.ok('error' in (await local.allDocs({ keys: [bigChunk] })).rows[0]!, 'the oversized chunk was not stored');
    const badAsked = () => asked.filter((u) => u.includes(bigChunk.slice('chunk:'.length))).length;
    assert.is(badAsked(), 1);
    // The next runs do not fetch the bad chunk again, and the ward's checkpoint went past it.
    await rep.syncNow();
    await rep.syncNow();
    assert.is(badAsked(), 1, 'the bad chunk was fetched once');
    const lastBlob = Number((await local.changes({ since: 0, filter: (d: { _id: string }) => d._id.startsWith('blob:') })).last_seq);
    const state = await local.get<{ inboxFileSeq: number | null }>('_local/warddesk-city-sync');
    assert.ok((state.inboxFileSeq ?? 0) >= lastBlob, `the inbox file checkpoint (${state.inboxFileSeq}) passed the last file (${lastBlob})`);
    assert.is((await rep.status()).badInbox.count, 2, 'still reported after the runs');
  } finally {
    await rep.stop();
    await local.close();
  }
});

test.run();
