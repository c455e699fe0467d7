// The replicator over the weak-link proxy, against a real embedded city in
// its own process: cuts with latency, a reset in the middle of a large file,
// 5xx and 413 answers, a name that does not resolve, half-open sockets, and a
// long outage. Data is scaled down (tens of documents, files up to 3 MB) so
// the suite stays short. Deadlines are generous: they only bound a hung run on a loaded CI machine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wardReplicator, untilUpToDate } from '../helpers/sync-data.js';
import { WeakWards } from '../helpers/weak-wards.js';

const WARDS = ['w-cuts', 'w-resume', 'w-faults', 'w-413', 'w-halfopen', 'w-outage'];
let wards: WeakWards;

test.before(async () => {
  wards = await WeakWards.start(WARDS);
});
test.after(async () => {
  await wards.close();
  // On a loaded machine a run was seen to pass all six cases and then not exit
  // (a handle outlived cleanup; not yet found — likely a half-open socket the
  // proxy keeps by design). Leave with uvu's verdict rather than hang CI.
  setTimeout(() => process.exit(process.exitCode ?? 0), 5_000).unref();
});

const credentials = (ward: string) => wards.credentials(ward);
const setup = (...args: Parameters<WeakWards['setup']>) => wards.setup(...args);
const assertConverged = (...args: Parameters<WeakWards['assertConverged']>) => wards.assertConverged(...args);

test('converges with nothing lost and nothing duplicated over a slow link with latency, cut every 1.5 s', async () => {
  const { link, db, entry } = await setup('w-cuts', { bytesPerSecond: 300_000, latencyMs: 40, cutEveryMs: 1500, downMs: 300 }, { documents: 20, pdfBytes: 30_000, scans: 2, scanBytes: 400_000 });
  const rep = entry.rep = wardReplicator(db, credentials('w-cuts'), link.url);
  await rep.start();
  const status = await untilUpToDate(rep, 180_000);
  assert.ok(link.cuts >= 2, `the link was cut ${link.cuts} times during the sync`);
  assert.is(status.pending.documents, 0);
  assert.is(status.refused.count, 0);
  await assertConverged(db, 'w-cuts');
});

test('a reset in the middle of a 3 MB scan resumes from the chunks the city has: bytes on the wire stay well below 2× the payload', async () => {
  const { link, db, payload, entry } = await setup('w-resume', { bytesPerSecond: 2_000_000 }, { documents: 1, pdfBytes: 20_000, scans: 1, scanBytes: 3_000_000 });
  link.resetAfter(1_800_000);
  const rep = entry.rep = wardReplicator(db, credentials('w-resume'), link.url);
  await rep.syncNow();
  const cut = await rep.status();
  assert.is(cut.lastError?.code, 'sync_offline', `the reset ended the first run: ${JSON.stringify(cut.lastError)}`);
  assert.is(cut.upToDate, false);
  const status = await untilUpToDate(rep, 90_000);
  assert.is(status.lastError, null);
  await assertConverged(db, 'w-resume');
  const ratio = link.bytes.up / payload;
  assert.ok(ratio < 1.3, `ward → city bytes ${link.bytes.up} for a payload of ${payload} (${ratio.toFixed(2)}×)`);
  // A second run sends nothing again: the file stored twice, or sent twice, goes up once.
  const before = link.bytes.up;
  await rep.syncNow();
  assert.ok(link.bytes.up - before < 10_000, `an idle run sent ${link.bytes.up - before} bytes`);
});

test('5xx answers and a city name that does not resolve are retried with backoff until the sync converges', async () => {
  const { link, db, entry } = await setup('w-faults', {}, { documents: 5, pdfBytes: 10_000, scans: 1, scanBytes: 200_000 });
  const good = credentials('w-faults');
  let creds = { ...good, url: 'http://city.warddesk.invalid:5984' };
  const rep = entry.rep = wardReplicator(db, good, null, { loadCredentials: async () => creds });
  await rep.syncNow();
  const dns = await rep.status();
  assert.is(dns.lastError?.code, 'sync_offline', JSON.stringify(dns.lastError));
  assert.is(dns.online, false);
  let failures = 0;
  link.httpFault(() => (failures++ < 4 ? 503 : null));
  creds = { ...good, url: link.url };
  await rep.syncNow();
  const failing = await rep.status();
  assert.is(failing.lastError?.code, 'sync_server_error', JSON.stringify(failing.lastError));
  assert.ok(failing.nextRun, 'a retry is scheduled');
  assert.is(failing.upToDate, false);
  const status = await untilUpToDate(rep, 90_000);
  assert.is(status.lastError, null);
  assert.ok(link.faulted >= 4, `${link.faulted} requests answered 503`);
  await assertConverged(db, 'w-faults');
});

test('413 on large batches halves the batch until the city takes it', async () => {
  const { link, db, entry } = await setup('w-413', {}, { documents: 30, pdfBytes: 5_000, scans: 0, scanBytes: 0 });
  link.httpFault((h) => (h.method === 'POST' && h.path.includes('_bulk_docs') && h.contentLength > 2_000 ? 413 : null));
  // Batches are sized by bytes and sent gzip'd: the refusal is of what passes 2 kB on the wire.
  const halved: number[] = [];
  const rep = entry.rep = wardReplicator(db, credentials('w-413'), link.url, { log: (_level, msg, extra) => { if (msg.includes('halving')) halved.push(Number(extra?.['batchSize'])); } });
  await rep.start();
  const status = await untilUpToDate(rep, 90_000);
  assert.ok(halved.length >= 1, 'a batch was refused and halved');
  assert.ok(status.batchSize <= halved[0]!, `batch size came down to ${status.batchSize} (first halved to ${halved[0]})`);
  assert.ok(link.faulted >= 1);
  await assertConverged(db, 'w-413');
});

test('half-open sockets time out and the sync recovers on fresh connections', async () => {
  const { link, db, entry } = await setup('w-halfopen', { bytesPerSecond: 400_000 }, { documents: 5, pdfBytes: 10_000, scans: 1, scanBytes: 1_000_000 });
  const rep = entry.rep = wardReplicator(db, credentials('w-halfopen'), link.url, { requestTimeoutMs: 1_000 });
  await rep.start();
  await new Promise((r) => setTimeout(r, 500));
  link.halfOpen();
  await new Promise((r) => setTimeout(r, 1_500));
  const stuck = await rep.status();
  assert.is(stuck.upToDate, false);
  link.heal();
  const status = await untilUpToDate(rep, 90_000);
  assert.is(status.lastError, null);
  await assertConverged(db, 'w-halfopen');
});

test('a long outage simply queues: pending shown, retries thin out to the cap, no error storm; then it converges', async () => {
  const { link, db, entry } = await setup('w-outage', {}, { documents: 10, pdfBytes: 10_000, scans: 1, scanBytes: 300_000 });
  link.cut(10 * 60_000);
  let attempts = 0;
  const rep = entry.rep = wardReplicator(db, credentials('w-outage'), link.url, { backoff: { baseMs: 100, capMs: 800 }, log: (level) => { if (level === 'warn') attempts += 1; } });
  await rep.start();
  await new Promise((r) => setTimeout(r, 4_000));
  let down = await rep.status();
  // Between two runs (a loaded machine may be in the middle of one): the next retry is only known then.
  for (let i = 0; i < 40 && down.phase === 'running'; i += 1) { await new Promise((r) => setTimeout(r, 25)); down = await rep.status(); }
  assert.is(down.upToDate, false);
  assert.is(down.online, false);
  assert.is(down.lastError?.code, 'sync_offline');
  assert.ok(down.lastError!.vi.length > 0 && down.lastError!.en.length > 0);
  assert.ok(down.pending.documents > 40, `pending ${down.pending.documents}`);
  assert.ok(down.pending.bytes > 300_000, `pending bytes ${down.pending.bytes}`);
  assert.match(down.summary.en, /No connection to the city/);
  // 4 s with delays growing 100 → 800 ms: about ten attempts, not hundreds.
  assert.ok(attempts >= 4 && attempts <= 12, `${attempts} failed runs in 4 s`);
  // From the failure, not the attempt's start: a loaded machine spends a while reaching the network.
  const wait = Date.parse(down.nextRun!) - Date.parse(down.lastError!.at);
  assert.ok(wait <= 900, `the next retry is ${wait} ms away: capped`);
  link.restore();
  const status = await untilUpToDate(rep, 90_000);
  assert.is(status.online, true);
  await assertConverged(db, 'w-outage');
});

test.run();
