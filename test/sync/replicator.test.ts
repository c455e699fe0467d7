// A real ward node replicating to a real embedded city (own process) over
// loopback: documents, events, files, profiles and the audit chain reach the
// city; secrets never do; the city's inbox reaches the ward; a city outage
// queues work and the status stays honest until the city confirms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { startTestCity, couch, cityFile, divergence, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { startTestWard, official, sampleDraft, type Client, type TestWard } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';
import { assertNoSecretsAtCity } from '../helpers/secret-scan.js';

let city: TestCity;
let ward: TestWard;
let author: Client;
let credsDir: string;
const PDF = onePagePdf('WardDesk test file');

/** Every replicated document at the city, with its revision. */
async function cityDocs(): Promise<Map<string, any>> { // any: CouchDB JSON
  const r = await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuc-xa/_all_docs?include_docs=true&conflicts=true');
  return new Map((r.body.rows as { id: string; doc: any }[]).filter((row) => !row.id.startsWith('_design/')).map((row) => [row.id, row.doc]));
}

async function assertConverged(): Promise<void> {
  const problems = await divergence(ward.node.store.docs, city.url, 'ward_phuc-xa');
  assert.equal(problems, [], problems.slice(0, 5).join('; '));
}

test.before(async () => {
  city = await startTestCity();
  credsDir = mkdtempSync(join(tmpdir(), 'warddesk-wardcreds-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuc-xa'], outDir: credsDir });
  ward = await startTestWard({
    ward: { code: 'phuc-xa' },
    // A long interval: the test drives runs with "sync now"; short backoff and timeouts for the outage.
    city: { credentialsFile: join(credsDir, 'phuc-xa.credentials.json'), intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5, batchSize: 25 },
  });
  author = await official(ward, 'chuyenvien', 'specialist');
});
test.after(async () => { await ward.stop(); await city.destroy(); rmSync(credsDir, { recursive: true, force: true }); });

test('the status does not claim anything is synced before the city confirmed it', async () => {
  await author.post('/api/documents/outgoing', sampleDraft());
  const r = await author.get('/api/sync/status');
  assert.is(r.status, 200);
  if (r.body.pending.confirmedSeq === null) {
    assert.is(r.body.upToDate, false);
    assert.ok(r.body.pending.documents > 0);
  }
});

test('documents, events, files, profiles and the audit chain reach the city', async () => {
  const blob = await author.post('/api/blobs', PDF, { 'content-type': 'application/pdf' });
  assert.is(blob.status, 201);
  const created = await author.post('/api/documents/outgoing', sampleDraft({ attachments: [{ name: 'phu-luc.pdf', contentType: 'application/pdf', size: PDF.length, sha256: blob.body.sha256 }] }));
  assert.is(created.status, 201);
  assert.is((await author.post(`/api/documents/${created.body.id}/actions/submit`, {})).status, 200);
  const now = await author.post('/api/sync/now');
  assert.is(now.status, 200);
  assert.is(now.body.lastError, null, JSON.stringify(now.body.lastError));
  assert.is(now.body.upToDate, true, JSON.stringify(now.body));
  assert.is(now.body.pending.documents, 0);
  assert.is(now.body.online, true);
  assert.ok(now.body.lastSuccessfulSync);
  await assertConverged();
  const remote = await cityDocs();
  for (const prefix of ['doc:out:', 'ev:', 'user:', 'audit:', `blob:${blob.body.sha256}`]) assert.ok([...remote.keys()].some((id) => id.startsWith(prefix)), `${prefix} at the city`);
  const file = await cityFile(city.url, 'ward_phuc-xa', blob.body.sha256);
  assert.ok(file?.equals(PDF), 'file bytes identical at the city, chunks and whole checked against their sha-256');
});

test('a file written after runs that had nothing to send still reaches the city at the next run', async () => {
  // Runs with nothing new: the chunk pass ends on an empty page (an answer about it, kept, once hid what came after).
  for (let i = 0; i < 2; i++) assert.is((await author.post('/api/sync/now')).body.upToDate, true);
  const later = Buffer.concat([PDF, Buffer.from('Phụ lục gửi sau')]);
  const blob = await author.post('/api/blobs', later, { 'content-type': 'application/pdf' });
  assert.is(blob.status, 201);
  const created = await author.post('/api/documents/outgoing', sampleDraft({ attachments: [{ name: 'phu-luc-sau.pdf', contentType: 'application/pdf', size: later.length, sha256: blob.body.sha256 }] }));
  assert.is((await author.post(`/api/documents/${created.body.id}/actions/submit`, {})).status, 200);
  const now = await author.post('/api/sync/now');
  assert.is(now.body.upToDate, true, JSON.stringify(now.body));
  const file = await cityFile(city.url, 'ward_phuc-xa', blob.body.sha256);
  assert.ok(file?.equals(later), 'the later file whole at the city');
  await assertConverged();
});

test('a PIN sent with a paper document\'s issue step is refused as an unknown field, and the step with its scan alone reaches the city', async () => {
  const clerk = await official(ward, 'vanthu', 'clerk');
  const paper = await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: 'Giấy mời họp tổ dân phố', docType: 'GM' }));
  assert.is(paper.status, 201);
  assert.is((await clerk.post(`/api/documents/${paper.body.id}/actions/number`)).status, 200);
  const scan = await clerk.post('/api/blobs', onePagePdf('scan of the signed paper'), { 'content-type': 'application/pdf' });
  const withPin = await clerk.post(`/api/documents/${paper.body.id}/actions/issue`, { data: { scan: scan.body.sha256, pin: '654321' } });
  assert.is(withPin.status, 400, JSON.stringify(withPin.body));
  assert.is(withPin.body.code, 'invalid_input');
  assert.ok(withPin.body.details.some((d: { path: string; vi: string; en: string }) => d.path === 'data.pin' && /pin/.test(d.vi) && /Unknown field/.test(d.en)), JSON.stringify(withPin.body.details));
  const issued = await clerk.post(`/api/documents/${paper.body.id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  assert.is(issued.status, 200, JSON.stringify(issued.body));
  assert.equal(issued.body.events.at(-1).data, { scan: scan.body.sha256 });
  const now = await author.post('/api/sync/now');
  assert.is(now.body.upToDate, true, JSON.stringify(now.body));
});

test('no secret ever reaches the city: password hashes, sessions, CSRF tokens, passwords', async () => {
  const secrets = await ward.node.store.secrets.allDocs({ include_docs: true });
  const needles = new Set<string>(['admin-password-1', 'chuyenvien-real-password', 'chuyenvien-initial-pw', author.csrf, author.cookie.replace('wd_session=', '')]);
  for (const row of secrets.rows) {
    needles.add(row.id);
    const doc = row.doc as Record<string, any>; // any: secrets documents of several shapes
    if (doc['password']) { needles.add(doc['password'].hash); needles.add(doc['password'].salt); }
    if (doc['csrf']) needles.add(doc['csrf']);
  }
  assert.ok(secrets.rows.length >= 3, 'the scan has secrets to look for');
  const dump = JSON.stringify([...(await cityDocs()).values()]);
  for (const needle of needles) if (needle) assert.not.ok(dump.includes(needle), `secret found at the city: ${needle.slice(0, 12)}…`);
  assert.not.match(dump, /scrypt|"csrf"|"sess:|"cred:/);
  // And by shape, in any field: PINs, passwords, tokens, key material (test/helpers/secret-scan.ts).
  const creds = JSON.parse(readFileSync(join(credsDir, 'phuc-xa.credentials.json'), 'utf8')) as { password: string };
  assert.ok(await assertNoSecretsAtCity(city.url, 'ward_phuc-xa', [...needles, creds.password, '654321']) > 10);
});

test('a document the city writes into the inbox reaches the ward and its document list', async () => {
  const uuid = randomUUID();
  const id = `doc:in:${uuid}`;
  const at = '2026-03-02T09:00:00+07:00';
  const put = await couch(city.url, CITY_ADMIN, 'POST', '/ward_phuc-xa/_bulk_docs', { docs: [
    { _id: id, type: 'document', ward: 'phuc-xa', direction: 'incoming', createdAt: at, createdBy: 'city', origin: 'city',
      content: { senderName: 'UBND Thành phố', originalSymbol: '15/QĐ-UBND', originalDate: '2026-03-01', docType: 'QĐ', subject: 'Quyết định về việc kiểm tra', attachments: [], medium: 'electronic' } },
    { _id: `ev:in:${uuid}:001772416800000`, type: 'event', ward: 'phuc-xa', docId: id, action: 'arrive', at, actor: { user: 'city', role: 'city', device: 'hub' }, data: {}, origin: 'city' },
  ] });
  assert.ok(put.body.every((r: { ok?: boolean }) => r.ok), JSON.stringify(put.body));
  const now = await author.post('/api/sync/now');
  assert.is(now.body.upToDate, true, JSON.stringify(now.body));
  let detail = await author.get(`/api/documents/${encodeURIComponent(id)}`);
  for (let i = 0; i < 20 && detail.status !== 200; i += 1) { await new Promise((r) => setTimeout(r, 50)); detail = await author.get(`/api/documents/${encodeURIComponent(id)}`); }
  assert.is(detail.status, 200, JSON.stringify(detail.body));
  assert.is(detail.body.state ?? detail.body.derived?.state, 'arrived', JSON.stringify(detail.body).slice(0, 400));
  await assertConverged();
});

test('a city outage queues the work, the status says so, and after a restart everything converges once', async () => {
  await city.stop();
  for (let i = 0; i < 30; i += 1) await author.post('/api/documents/outgoing', sampleDraft({ subject: `Công văn số ${i} trong lúc mất kết nối` }));
  const down = await author.post('/api/sync/now');
  assert.is(down.body.online, false);
  assert.is(down.body.upToDate, false);
  assert.ok(down.body.pending.documents >= 60, `pending ${down.body.pending.documents}`);
  assert.ok(down.body.pending.bytes > 0);
  assert.is(down.body.lastError.code, 'sync_offline', JSON.stringify(down.body.lastError));
  assert.ok(down.body.lastError.vi.length > 0 && down.body.lastError.en.length > 0);
  assert.ok(down.body.nextRun, 'a retry is scheduled');
  await city.restart();
  // The backoff retry may win the race with "sync now"; either way the city must confirm.
  let up = await author.post('/api/sync/now');
  for (let i = 0; i < 20 && !up.body.upToDate; i += 1) { await new Promise((r) => setTimeout(r, 250)); up = await author.get('/api/sync/status'); }
  assert.is(up.body.upToDate, true, JSON.stringify(up.body));
  assert.is(up.body.pending.documents, 0);
  assert.is(up.body.lastError, null);
  await assertConverged();
});

test('refused credentials stop the timer with a plain-words error; a fixed credentials file works at the next "sync now"', async () => {
  const file = join(credsDir, 'phuc-xa.credentials.json');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(good), password: 'a-wrong-password-for-the-city' }));
  await author.post('/api/documents/outgoing', sampleDraft());
  const refused = await author.post('/api/sync/now');
  assert.is(refused.body.lastError.code, 'sync_unauthorized', JSON.stringify(refused.body));
  assert.is(refused.body.phase, 'stopped');
  assert.is(refused.body.nextRun, null, 'no blind retries with credentials the city refuses');
  assert.is(refused.body.upToDate, false);
  writeFileSync(file, good);
  const fixed = await author.post('/api/sync/now');
  assert.is(fixed.body.upToDate, true, JSON.stringify(fixed.body));
  await assertConverged();
});

test.run();
