// After a cut in the middle of a file, the replicator's retry goes straight
// back to the chunks: the records already went both ways, nothing changed at
// the ward since, so the checkpoint reads and the inbox query of a full run
// (seven round trips, seconds on a 300 ms link cut every 20 s) are skipped.
// A local write, or "sync now", brings the full run back. The inbox is still
// pulled once an interval, alongside the chunks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { CITY_ADMIN, couch } from '../helpers/city.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-skip', 'w-inbox']); });
test.after(async () => { await wards.close(); });

test('the retry after a cut mid-file sends chunks at once, without the records\' round trips, and converges', async () => {
  const { link, db, entry } = await wards.setup('w-skip', { bytesPerSecond: 2_000_000 }, { documents: 2, pdfBytes: 20_000, scans: 1, scanBytes: 1_500_000 });
  link.resetAfter(700_000);
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-skip'), link.url, { intervalMs: 60_000 });
  await rep.syncNow();
  assert.is((await rep.status()).lastError?.code, 'sync_offline', 'the reset ended the first run inside the files pass');
  const seen: string[] = [];
  link.httpFault((h) => { seen.push(`${h.method} ${h.path}`); return null; });
  await untilUpToDate(rep, 60_000);
  // Chunks go up alone (a PUT) or in units (`_bulk_docs` of chunk documents), as the link allows; records would need `_revs_diff` and checkpoints first.
  assert.ok(seen.some((r) => (r.startsWith('PUT') && r.includes('chunk%3A')) || (r.startsWith('POST') && r.endsWith('/_bulk_docs'))), seen.slice(0, 5).join(', '));
  assert.not.ok(seen.some((r) => r.includes('_changes') || r.includes('_revs_diff') || r.includes('_local')), `the retry read checkpoints or changes: ${seen.join(', ')}`);
  await wards.assertConverged(db, 'w-skip');
  // "Sync now" always does the full run (the inbox is read again).
  seen.length = 0;
  await rep.syncNow();
  assert.ok(seen.some((r) => r.includes('_changes') || r.includes('_local')), 'sync now read the checkpoints and the inbox');
});

test('while a long upload is cut again and again, a document the city sends still arrives within an interval', async () => {
  const { link, db, entry } = await wards.setup('w-inbox', { bytesPerSecond: 250_000, cutEveryMs: 2_000, downMs: 200 }, { documents: 2, pdfBytes: 20_000, scans: 1, scanBytes: 4_000_000 });
  const rep = entry.rep = wardReplicator(db, wards.credentials('w-inbox'), link.url, { intervalMs: 1_500, backoff: { baseMs: 100, capMs: 400 } });
  await rep.start();
  // Wait until the upload of the scan is under way (records are done, chunks move).
  for (let i = 0; i < 200 && ((await rep.status()).lastError === null || link.cuts < 2); i += 1) await new Promise((r) => setTimeout(r, 50));
  const uuid = randomUUID();
  const id = `doc:in:${uuid}`;
  const at = '2026-03-02T09:00:00+07:00';
  const sent = await couch(wards.city.url, CITY_ADMIN, 'POST', '/ward_w-inbox/_bulk_docs', { docs: [
    { _id: id, type: 'document', ward: 'w-inbox', direction: 'incoming', createdAt: at, createdBy: 'city', origin: 'city',
      content: { senderName: 'UBND Thành phố', originalSymbol: '16/QĐ-UBND', originalDate: '2026-03-01', docType: 'QĐ', subject: 'Quyết định khẩn', attachments: [], medium: 'electronic' } },
    { _id: `ev:in:${uuid}:001772416800000`, type: 'event', ward: 'w-inbox', docId: id, action: 'arrive', at, actor: { user: 'city', role: 'city', device: 'hub' }, data: {}, origin: 'city' },
  ] });
  assert.ok(sent.body.every((r: { ok?: boolean }) => r.ok), JSON.stringify(sent.body));
  let arrived = false;
  for (let i = 0; i < 200 && !arrived; i += 1) {
    arrived = await db.get(id).then(() => true, () => false);
    if (!arrived) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(arrived, 'the city\'s document reached the ward within 10 s');
  const status = await rep.status();
  assert.is(status.upToDate, false, 'it arrived while the ward\'s scan was still going up, not after it');
  assert.ok(status.pending.bytes > 0, JSON.stringify(status));
  await untilUpToDate(rep, 90_000);
  await wards.assertConverged(db, 'w-inbox');
});

test.run();
