// The set a device replicates, as the node answers it (GET /api/replicate's
// doc_count, _all_docs without keys, a pull), is the set the rule gives on
// each document's summary — the way the feed worked it out before it read
// the summary columns instead (one summary object per document): on a seeded
// ward of 400 documents over 200 days, in every state, for officials of each
// role and one who handles many of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { viewInSet, type Reader } from '../../node/working-set.js';
import { localIds, pull } from '../helpers/replica.js';
import { seed } from '../helpers/seed.js';
import { official, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const DAY = 86_400_000;
let dir: string;
let ward: TestWard;
const officials: { reader: Reader; client: Client }[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warddesk-replicate-set-'));
  // 400 documents, one every half day up to today: some inside the 90-day window, most before it; a third incoming.
  await seed(dir, 400, Date.now() - 200 * DAY, { everyMs: DAY / 2, incomingEvery: 3 });
  ward = await startTestWard({}, dir);
  for (const [user, role] of [['chuyenvien', 'specialist'], ['lanhdao', 'leader'], ['vanthu', 'clerk'], ['quantri', 'admin']] as const) {
    officials.push({ reader: { user, role }, client: await official(ward, user, role) });
  }
});
test.after(async () => { await ward.stop(); rmSync(dir, { recursive: true, force: true }); });

/** Every id of the reader's set, from each summary object, as the feed did before. */
function expectedIds(reader: Reader): string[] {
  const p = ward.node.projection;
  const now = Date.now();
  return [...p.all()].filter((v) => viewInSet(v, reader, now)).flatMap((v) => [v.id, ...p.eventIds(v)]).sort();
}

test('each official\'s set size and first ids are those of the rule on every summary', async () => {
  const sizes = new Set<number>();
  for (const { reader, client } of officials) {
    const expected = expectedIds(reader);
    const info = await client.get('/api/replicate');
    assert.is(info.status, 200);
    assert.is(info.body.doc_count, expected.length, `${reader.role}: size`);
    const all = await client.post('/api/replicate/_all_docs', {});
    assert.equal(all.body.rows.map((r: { key: string }) => r.key), expected.slice(0, 1000), `${reader.role}: _all_docs`);
    sizes.add(expected.length);
  }
  // Neither everything nor nothing, and not the same for all: the rule is exercised.
  const total = ward.node.projection.size;
  assert.ok([...sizes].every((n) => n > 0), 'every official has documents');
  assert.ok(sizes.size > 1, `sets differ between roles: ${[...sizes].join(', ')} of ${total} documents`);
});

test('a clerk\'s first pull brings exactly the set, and the handler\'s too', async () => {
  for (const { reader, client } of officials.filter((o) => o.reader.role === 'clerk' || o.reader.role === 'specialist')) {
    const local = new PouchDB(join(dir, `device-${reader.user}`));
    await pull(local, client);
    assert.equal((await localIds(local)).sort(), expectedIds(reader), reader.user);
    await local.close();
  }
});

test('a record outside the set is refused by _bulk_get and GET, one inside is given', async () => {
  const { reader, client } = officials.find((o) => o.reader.role === 'specialist')!;
  const mine = new Set(expectedIds(reader));
  const p = ward.node.projection;
  const outside = [...p.all()].find((v) => !mine.has(v.id))!;
  const inside = [...p.all()].find((v) => mine.has(v.id))!;
  assert.ok(outside && inside, 'the fixture has both');
  const got = await client.post('/api/replicate/_bulk_get', { docs: [{ id: outside.id }, { id: inside.id }] });
  assert.is(got.status, 200);
  assert.ok(got.body.results[0].docs[0].error, 'outside: not found');
  assert.is(got.body.results[1].docs[0].ok._id, inside.id);
  assert.is((await client.get(`/api/replicate/${encodeURIComponent(outside.id)}`)).status, 404);
  assert.is((await client.get(`/api/replicate/${encodeURIComponent(inside.id)}`)).status, 200);
});

test.run();
