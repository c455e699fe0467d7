// A sync that stopped never sounds good: with the city refusing the ward's
// credentials (or sync not configured) the status is not "up to date",
// whatever the city confirmed before, and says that sync stopped, why and
// what to do — over computeStatus, and over a real ward node's
// /api/sync/status against a real embedded city.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeStatus, type SyncFacts } from '../../sync/status.js';
import { ERRORS } from '../../sync/errors.js';
import { initCity } from '../../node/city/init.js';
import { CITY_ADMIN, startTestCity } from '../helpers/city.js';
import { startTestWard } from '../helpers/ward.js';

const now = Date.parse('2026-12-01T03:00:00Z');
const confirmedAll: SyncFacts = {
  configured: true, phase: 'idle', confirmedSeq: 42, chunkSeq: 42, localSeq: 42, pendingDocs: 0, pendingBytes: 0, reachable: true,
  lastAttemptAt: now - 1000, lastSuccessAt: now - 60_000, nextRunAt: null, lastError: null, refused: [], rate: null, batchSize: 100, badInbox: [],
};

test('a replicator that confirmed everything is up to date', () => {
  const s = computeStatus(confirmedAll, now);
  assert.ok(s.upToDate);
  assert.is(s.action, null);
  assert.match(s.summary.en, /confirmed receipt of all/);
});

test('a replicator stopped by unauthorised credentials is not up to date and says why and what to do', () => {
  const s = computeStatus({ ...confirmedAll, phase: 'stopped', lastError: { code: 'sync_unauthorized', at: now, detail: '401 unauthorized' } }, now);
  assert.is(s.upToDate, false);
  assert.is(s.phase, 'stopped');
  assert.equal(s.lastError, { code: 'sync_unauthorized', at: new Date(now).toISOString(), vi: ERRORS.sync_unauthorized.vi, en: ERRORS.sync_unauthorized.en });
  assert.equal(s.action, ERRORS.sync_unauthorized.action);
  assert.is(s.summary.en, `Sync with the city has stopped: ${ERRORS.sync_unauthorized.en} Ask the city to check the ward's credentials (or issue a new file), then press "Sync now".`);
  assert.ok(s.summary.vi.startsWith('Đồng bộ với thành phố đã dừng: ') && s.summary.vi.includes('Đồng bộ ngay'), s.summary.vi);
  assert.not.match(s.summary.en, /confirmed/);
});

test('a replicator stopped by any other error is not up to date either, and says to tell the administrator', () => {
  const s = computeStatus({ ...confirmedAll, phase: 'stopped', lastError: { code: 'sync_failed', at: now } }, now);
  assert.is(s.upToDate, false);
  assert.match(s.summary.en, /^Sync with the city has stopped: .* Tell the administrator, then press "Sync now"\.$/);
});

test('a ward node whose city credentials become wrong reports sync stopped over HTTP, not "all confirmed"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-status-'));
  const city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-sai'], outDir: join(dir, 'creds') });
  const file = join(dir, 'creds', 'phuong-sai.credentials.json');
  const ward = await startTestWard({ ward: { code: 'phuong-sai' }, city: { credentialsFile: file, intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });
  try {
    const first = (await ward.admin.post('/api/sync/now')).body;
    assert.ok(first.upToDate, JSON.stringify(first));
    const credentials = JSON.parse(readFileSync(file, 'utf8')) as { password: string };
    writeFileSync(file, JSON.stringify({ ...credentials, password: 'not-the-password-the-city-has' }));
    assert.is((await ward.admin.post('/api/sync/now')).status, 200);
    const r = await ward.admin.get('/api/sync/status');
    assert.is(r.status, 200);
    const s = r.body;
    assert.is(s.phase, 'stopped');
    assert.is(s.upToDate, false);
    assert.is(s.lastError.code, 'sync_unauthorized');
    assert.equal(s.action, ERRORS.sync_unauthorized.action);
    assert.is(s.summary.en, `Sync with the city has stopped: ${ERRORS.sync_unauthorized.en} ${ERRORS.sync_unauthorized.action.en}`);
    assert.is(s.summary.vi, `Đồng bộ với thành phố đã dừng: ${ERRORS.sync_unauthorized.vi} ${ERRORS.sync_unauthorized.action.vi}`);
  } finally {
    await ward.stop();
    await city.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
