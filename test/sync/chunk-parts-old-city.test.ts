// A city whose rules predate chunks in parts (write rules before version 6)
// refuses a chunk's parts document: the ward then sends that chunk, and the
// ones after it, whole, and the file still arrives whole and hash-checked.
// The old rules are played by a second design document that forbids `parts`
// (CouchDB and the embedded city run every design document's
// validate_doc_update). Real weak-link proxy, real embedded city.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { CHUNK_BYTES, wardDbName } from '../../sync/city-contract.js';
import { CITY_ADMIN, cityFile, couch } from '../helpers/city.js';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

const WARD = 'w-old-city';
let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start([WARD]); });
test.after(async () => { await wards.close(); });

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const db = wardDbName(WARD);

test('against rules that refuse a parts list, the ward falls back to whole chunks and every file arrives whole', async () => {
  const old = await couch(wards.city.url, CITY_ADMIN, 'PUT', `/${db}/_design/rules-v5`, {
    validate_doc_update: 'function (newDoc) { if (newDoc.parts) { throw({ forbidden: "chunk " + newDoc._id + " carries only its attachment, not parts" }); } }',
  });
  assert.is(old.status, 201, JSON.stringify(old.body));
  const ward = await wards.setup(WARD, { bytesPerSecond: 16_000, latencyMs: 150, cutEveryMs: 2_500, downMs: 400 }, { documents: 1, pdfBytes: 5_000, scans: 1, scanBytes: 36_000 });
  const logged: string[] = [];
  const rep = ward.entry.rep = wardReplicator(ward.db, wards.credentials(WARD), ward.link.url, { intervalMs: 60_000, log: (_level, msg) => logged.push(msg) });
  await rep.start();
  const status = await untilUpToDate(rep, 60_000);

  assert.ok(rep.link().plan.partBytes < CHUNK_BYTES, 'the link called for parts');
  assert.is(status.refused.count, 0, 'nothing reported refused: the chunk went whole instead');
  const all = await couch(wards.city.url, CITY_ADMIN, 'GET', `/${db}/_all_docs?include_docs=true`);
  assert.ok(!(all.body.rows as { doc: { parts?: unknown } }[]).some((r) => r.doc.parts !== undefined), 'no parts list at the old city');
  for (const file of ward.work.files) {
    const there = await cityFile(wards.city.url, db, sha(file.bytes));
    assert.ok(there && there.equals(file.bytes), `file ${sha(file.bytes).slice(0, 12)}… whole at the city`);
  }
});

test.run();
