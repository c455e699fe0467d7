// After a cut in the middle of a file, the replicator's retry goes straight
// back to the chunks: the records already went both ways, nothing changed at
// the ward since, so the checkpoint reads and the inbox query of a full run
// (seven round trips, seconds on a 300 ms link cut every 20 s) are skipped.
// A local write, or "sync now", brings the full run back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { untilUpToDate, wardReplicator } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

let wards: WeakWards;
test.before(async () => { wards = await WeakWards.start(['w-skip']); });
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
  assert.ok(seen.some((r) => r.startsWith('PUT') && r.includes('chunk%3A')), seen.slice(0, 5).join(', '));
  assert.not.ok(seen.some((r) => r.includes('_changes') || r.includes('_bulk_docs') || r.includes('_local')), `the retry read checkpoints or changes: ${seen.filter((r) => !r.includes('chunk')).join(', ')}`);
  await wards.assertConverged(db, 'w-skip');
  // "Sync now" always does the full run (the inbox is read again).
  seen.length = 0;
  await rep.syncNow();
  assert.ok(seen.some((r) => r.includes('_changes') || r.includes('_local')), 'sync now read the checkpoints and the inbox');
});

test.run();
