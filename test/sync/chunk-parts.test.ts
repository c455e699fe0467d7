// Chunks sent in parts (sync/chunk-parts.ts, decision 0013): on a link whose
// up-periods are too short for a whole stored chunk, the ward re-splits
// chunks at upload time into smaller content-addressed parts and then writes
// the chunk as a list of them. Through the real weak-link proxy into a real
// embedded city: the file arrives whole and every byte is checked against
// its hash when read back; a parts list that lies reads as corrupt, one
// whose part is missing as not there yet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { CHUNK_BYTES, wardDbName } from '../../sync/city-contract.js';
import { readChunk, type CityGet } from '../../sync/chunk-parts.js';
import { CITY_ADMIN, cityFile, couch } from '../helpers/city.js';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

const WARD = 'w-parts';
let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start([WARD]); });
test.after(async () => { await wards.close(); });

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const db = wardDbName(WARD);

test('on a link up 2 s at a time, chunks go up in parts and every file assembles at the city to its sha-256', async () => {
  const ward = await wards.setup(WARD, { bytesPerSecond: 12_000, latencyMs: 150, cutEveryMs: 2_000, downMs: 400 }, { documents: 1, pdfBytes: 5_000, scans: 1, scanBytes: 48_000 });
  const rep = ward.entry.rep = wardReplicator(ward.db, wards.credentials(WARD), ward.link.url, { intervalMs: 60_000 });
  await rep.start();
  await untilUpToDate(rep, 60_000);

  const plan = rep.link().plan;
  assert.ok(ward.link.cuts >= 1, `the link was cut ${ward.link.cuts} times`);
  assert.ok(plan.partBytes < CHUNK_BYTES, `parts of ${plan.partBytes} bytes on this link (stored chunks: ${CHUNK_BYTES})`);
  const all = await couch(wards.city.url, CITY_ADMIN, 'GET', `/${db}/_all_docs?include_docs=true`);
  const inParts = (all.body.rows as { id: string; doc: { parts?: string[] } }[]).filter((r) => r.id.startsWith('chunk:') && Array.isArray(r.doc.parts));
  assert.ok(inParts.length >= 1, 'at least one chunk reached the city in parts');
  for (const file of ward.work.files) {
    const there = await cityFile(wards.city.url, db, sha(file.bytes));
    assert.ok(there && there.equals(file.bytes), `file ${sha(file.bytes).slice(0, 12)}… (${file.bytes.length} bytes) whole at the city`);
  }
  // Every record and chunk of the ward at the city, nothing else but the parts its chunks list.
  await wards.assertConverged(ward.db, WARD);
});

test('a parts list read from the city: joined and checked; in the wrong order it is corrupt; with a part missing it is not there yet', async () => {
  const whole = randomBytes(10_000);
  const p1 = whole.subarray(0, 6_000);
  const p2 = whole.subarray(6_000);
  for (const p of [p1, p2]) {
    const put = await couch(wards.city.url, CITY_ADMIN, 'PUT', `/${db}/chunk:${sha(p)}`, { _attachments: { data: { content_type: 'application/octet-stream', data: Buffer.from(p).toString('base64') } } });
    assert.is(put.status, 201, JSON.stringify(put.body));
  }
  const lying = randomBytes(32);
  const gone = 'e'.repeat(64);
  const docs = [
    { _id: `chunk:${sha(whole)}`, parts: [sha(p1), sha(p2)] },
    { _id: `chunk:${sha(lying)}`, parts: [sha(p2), sha(p1)] },
    { _id: `chunk:${'f'.repeat(64)}`, parts: [sha(p1), gone] },
  ];
  for (const doc of docs) assert.is((await couch(wards.city.url, CITY_ADMIN, 'PUT', `/${db}/${doc._id}`, doc)).status, 201);
  // A parts list is immutable like any chunk.
  const again = await couch(wards.city.url, CITY_ADMIN, 'PUT', `/${db}/${docs[0]!._id}`, { ...docs[0], _rev: (await couch(wards.city.url, CITY_ADMIN, 'GET', `/${db}/${docs[0]!._id}`)).body._rev, parts: [sha(p2), sha(p1)] });
  assert.is(again.status, 403);
  assert.match(JSON.stringify(again.body), /immutable/);

  const get: CityGet = async (path) => {
    const r = await fetch(`${wards.city.url}/${db}/${path}`, { headers: { authorization: `Basic ${Buffer.from(`${CITY_ADMIN.name}:${CITY_ADMIN.password}`).toString('base64')}` } });
    if (r.status === 404) { await r.arrayBuffer(); return null; }
    return r;
  };
  const good = await readChunk(get, sha(whole), 1024 * 1024);
  assert.ok(good?.ok && Buffer.from(good.bytes).equals(whole), 'the parts join into the chunk');
  const bad = await readChunk(get, sha(lying), 1024 * 1024);
  assert.ok(bad && !bad.ok && bad.reason === 'hash-mismatch', JSON.stringify(bad));
  assert.is(await readChunk(get, 'f'.repeat(64), 1024 * 1024), null, 'a part not there yet: the chunk is not there yet');
  // The cap holds over the parts together: 10,000 bytes in two parts are more than a 8,000-byte chunk may be.
  const over = await readChunk(get, sha(whole), 8_000);
  assert.ok(over && !over.ok && over.reason === 'too-large', JSON.stringify(over));
});

test.run();
