// PouchDB's replication asks the source database for info() after every batch
// it writes, only to update its activeTasks progress, and attaches no catch:
// a city link that fails at that moment used to be an unhandled rejection,
// which ends a Node process (the ward node with it; seen once in CI as a
// crash of test/sync/resume-files.test.ts on ECONNRESET). Here the link
// resets every info request (GET of the database itself) to the city after
// the first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { CITY_ADMIN, couch } from '../helpers/city.js';
import { WeakWards } from '../helpers/weak-wards.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => { unhandled.push(reason); });

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-info']); });
test.after(async () => { await wards.close(); });

/** Two documents from the city (record + arrival each), in the ward's inbox. */
async function cityDocuments(n: number): Promise<string[]> {
  const ids: string[] = [];
  const docs = Array.from({ length: n }, (_, i) => {
    const uuid = randomUUID();
    const id = `doc:in:${uuid}`;
    ids.push(id);
    const at = `2026-03-0${i + 2}T09:00:00+07:00`;
    return [
      { _id: id, type: 'document', ward: 'w-info', direction: 'incoming', createdAt: at, createdBy: 'city', origin: 'city',
        content: { senderName: 'UBND Thành phố', originalSymbol: `${20 + i}/QĐ-UBND`, originalDate: '2026-03-01', docType: 'QĐ', subject: `Quyết định số ${i}`, attachments: [], medium: 'electronic' } },
      { _id: `ev:in:${uuid}:001772416800000`, type: 'event', ward: 'w-info', docId: id, action: 'arrive', at, actor: { user: 'city', role: 'city', device: 'hub' }, data: {}, origin: 'city' },
    ];
  }).flat();
  const sent = await couch(wards.city.url, CITY_ADMIN, 'POST', '/ward_w-info/_bulk_docs', { docs });
  assert.ok(sent.body.every((r: { ok?: boolean }) => r.ok), JSON.stringify(sent.body));
  return ids;
}

test('a link that resets the info requests after each batch still delivers the inbox in small batches, and nothing goes unhandled', async () => {
  const { link, db, entry } = await wards.setup('w-info', {}, { documents: 3, pdfBytes: 5_000, scans: 0, scanBytes: 0 });
  const ids = await cityDocuments(4);
  const infoAsked: string[] = [];
  const pages: string[] = [];
  link.httpFault((h) => {
    if (h.method === 'POST' && h.path.startsWith('/ward_w-info/_bulk_get')) pages.push(h.path);
    // The first (the replication's start) goes through; the ones after each batch are reset.
    if (h.method === 'GET' && h.path === '/ward_w-info/') { infoAsked.push(h.path); return infoAsked.length > 1 ? 'reset' : null; }
    return null;
  });
  // Batches of two. The inbox pull now reads the city's changes itself (sync/genuine-pull.ts) and asks for
  // no info; any info request on the way (the push's, PouchDB's checks) is still reset after the first.
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-info'), link.url, { batchSize: 2, intervalMs: 60_000 });
  await rep.syncNow();
  const status = await untilUpToDate(rep, 30_000);
  assert.is(status.lastError, null, JSON.stringify(status.lastError));
  for (const id of ids) assert.ok(await db.get(id), `${id} arrived`);
  assert.ok(pages.length >= 2, `the inbox came in ${pages.length} page(s) of at most two records`);
  await new Promise((r) => setTimeout(r, 200)); // let any stray rejection surface
  assert.equal(unhandled.map(String), [], 'no rejection went unhandled');
  await wards.assertConverged(db, 'w-info');
});

test.run();
