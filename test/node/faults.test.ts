// Faults on a real ward node: the disk fills up (a real tmpfs of 48 MB mounted
// as root, filled with a file; not an injected error), a stored file is
// damaged, a device's clock is far off. Each gives a clear message in both
// languages and loses nothing. The city down for a month is
// test/sync/month-outage.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chunkId } from '../../sync/city-contract.js';
import { fill, withWardOnTmpfs } from '../helpers/tmpfs.js';
import { Client, official, sampleDraft, startTestWard, type Reply, type TestWard } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';

const PDF = onePagePdf('faults');

function assertClear(r: Reply, status: number, code: string) {
  assert.is(r.status, status, JSON.stringify(r.body));
  assert.is(r.body.code, code);
  assert.ok(r.body.message.vi.length > 20 && r.body.message.en.length > 20, 'both languages');
}

async function state(w: TestWard) {
  return { docs: (await w.node.store.docs.info()).doc_count, seq: String((await w.node.store.docs.info()).update_seq), audit: w.node.ledger.length };
}


test('a full disk: writes answer 507 in both languages with nothing half-written, reads go on, writes work again once space is freed', () => withWardOnTmpfs('disk full', '48m', async (ward, mnt) => {
  const clerk = await official(ward, 'vanthu', 'clerk');
  const kept = await clerk.post('/api/documents/outgoing', sampleDraft());
  assert.is(kept.status, 201);
  // Fill the disk to the last byte.
  const filler = join(mnt, 'filler');
  fill(mnt, filler);
  const before = await state(ward);
  assertClear(await clerk.post('/api/documents/outgoing', sampleDraft({ body: 'x'.repeat(50_000) })), 507, 'disk_full');
  assertClear(await clerk.post(`/api/documents/${String(kept.body.id)}/actions/submit`, {}), 507, 'disk_full');
  assertClear(await clerk.post('/api/blobs', Buffer.concat([PDF, Buffer.alloc(200_000, 7)]), { 'content-type': 'application/pdf' }), 507, 'disk_full');
  assert.equal(await state(ward), before, 'nothing half-written: no document, no event, no audit entry');
  // Reading goes on.
  assert.is((await clerk.get('/api/documents')).status, 200);
  const detail = await clerk.get(`/api/documents/${String(kept.body.id)}`);
  assert.is(detail.status, 200);
  assert.is(detail.body.state, 'draft');
  // Space returns: the same requests now succeed, and the audit chain is whole.
  rmSync(filler);
  assert.is((await clerk.post(`/api/documents/${String(kept.body.id)}/actions/submit`, {})).status, 200);
  assert.is((await clerk.post('/api/documents/outgoing', sampleDraft())).status, 201);
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);
}));


test('a disk-full that LevelDB remembers: writes resume by themselves once space returns, logins never needed the space, and the login is audited afterwards', () => withWardOnTmpfs('sticky disk full', '64m', async (ward, mnt) => {
  const clerk = await official(ward, 'vanthu', 'clerk');
  const filler = join(mnt, 'filler');
  // Leave a few MB: LevelDB's log takes the drafts, then the table its memtable flushes to no longer fits.
  // That failure happens in LevelDB's background compaction, and LevelDB keeps it for every later write.
  fill(mnt, filler, 6 << 20);
  let refused = 0;
  for (let i = 0; i < 200 && refused < 5; i += 1) {
    const r = await clerk.post('/api/documents/outgoing', sampleDraft({ body: randomBytes(90_000).toString('base64') }));
    if (r.status === 507) refused += 1; else assert.is(r.status, 201, JSON.stringify(r.body));
  }
  assert.is(refused, 5, 'the disk filled up');
  // Admins are warned from 90 % full, in both languages; others are not told.
  const me = await ward.admin.get('/api/auth/me');
  assert.is(me.body.disk?.warning, true, JSON.stringify(me.body.disk));
  assert.ok(me.body.disk.usedPercent >= 90 && /ổ đĩa/i.test(me.body.disk.message.vi) && /disk/.test(me.body.disk.message.en));
  assert.is((await clerk.get('/api/auth/me')).body.disk, undefined);
  // The same warning in the admin-only part of /api/health (for monitoring); others get liveness only.
  const health = await ward.admin.get('/api/health');
  assert.is(health.body.disk?.warning, true, JSON.stringify(health.body));
  assert.ok(health.body.disk.usedPercent >= 90 && /ổ đĩa/i.test(health.body.disk.message.vi) && /disk/.test(health.body.disk.message.en));
  assert.is(health.body.writesRefusedDiskFull, true, 'the last writes failed for lack of space');
  assert.equal((await clerk.get('/api/health')).body, { ok: true });
  assert.equal(await (await fetch(`${ward.url}/api/health`)).json(), { ok: true });
  // Nobody needs free disk to log in; reading goes on with the new session.
  const leader = new Client(ward.url);
  const login = await leader.post('/api/auth/login', { username: 'vanthu', password: 'vanthu-real-password' });
  assert.is(login.status, 200, JSON.stringify(login.body));
  assert.is((await leader.get('/api/documents?limit=5')).status, 200);
  const wrong = await new Client(ward.url).post('/api/auth/login', { username: 'vanthu', password: 'not-the-password' });
  assert.is(wrong.status, 401, JSON.stringify(wrong.body));
  // Space returns: with no restart, writes work again within a few seconds.
  rmSync(filler);
  const freedAt = performance.now();
  let status = 0;
  while (performance.now() - freedAt < 10_000) {
    status = (await leader.post('/api/documents/outgoing', sampleDraft())).status;
    if (status === 201) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.is(status, 201, 'writes resume without a restart');
  console.log(`disk_full_recovery_ms ${(performance.now() - freedAt).toFixed(0)}`);
  // The logins made while the disk was full are in the audit chain now, and the chain is whole.
  await new Promise((ok) => setTimeout(ok, 2500)); // the login tail is retried every second
  const actions: string[] = [];
  for await (const e of ward.node.ledger.entries()) if (e.actor.user === 'vanthu') actions.push(e.action);
  assert.is(actions.filter((a) => a === 'auth.login').length, 2, `both logins audited, the one made while full too: ${actions.join(',')}`);
  assert.ok(actions.includes('auth.bad_credentials'), 'the failed login too');
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);
}));

test('a stored file whose bytes changed is caught by its SHA-256: a clear error, never served as if valid', async () => {
  const ward = await startTestWard();
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const up = await clerk.post('/api/blobs', PDF, { 'content-type': 'application/pdf' });
    assert.is(up.status, 201);
    const sha = String(up.body.sha256);
    assert.is((await clerk.get(`/api/blobs/${sha}`)).body, PDF.toString('latin1'));
    // Damage below the node's ledger: one byte of the stored chunk changes.
    // (Rewritten through PouchDB: LevelDB's own block checksums would catch a flipped bit in its files first.)
    const db = ward.node.store.docs;
    const meta = await db.get<{ chunks: string[] }>(`blob:${sha}`);
    const id = chunkId(meta.chunks[0]!);
    const damaged = Buffer.from(PDF);
    damaged[12] = damaged[12]! ^ 0x20;
    await db.putAttachment(id, 'data', (await db.get(id))._rev, damaged, 'application/octet-stream');
    const r = await clerk.get(`/api/blobs/${sha}`);
    assertClear(r, 500, 'attachment_corrupt');
    assert.match(r.body.message.en, /SHA-256/);
    assert.not.match(String(r.headers.get('content-type')), /pdf/);
    assert.is((await clerk.get('/api/health')).status, 200, 'the node goes on');
  } finally {
    await ward.stop();
  }
});

test('a device with its clock years off: the node\'s clock dates every event, whatever the device says', async () => {
  const ward = await startTestWard();
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const skewed = { date: 'Mon, 01 Jan 2001 00:00:00 GMT' };
    const forged = await clerk.request('POST', '/api/documents/outgoing', { ...sampleDraft(), createdAt: '2001-01-01T00:00:00+07:00' }, skewed);
    assert.is(forged.status, 400, 'a date from the device is not taken');
    const before = Date.now();
    const made = await clerk.request('POST', '/api/documents/outgoing', sampleDraft(), skewed);
    assert.is(made.status, 201);
    const stepped = await clerk.request('POST', `/api/documents/${String(made.body.id)}/actions/submit`, { data: { at: '2099-12-31T00:00:00+07:00' } }, skewed);
    assert.is(stepped.status, 400, 'nor a date in the step data');
    const done = await clerk.request('POST', `/api/documents/${String(made.body.id)}/actions/submit`, {}, skewed);
    assert.is(done.status, 200);
    for (const at of [made.body.createdAt, ...done.body.events.map((e: { at: string }) => e.at)]) {
      const t = Date.parse(String(at));
      assert.ok(t >= before - 2000 && t <= Date.now() + 2000, `${String(at)} is the node's time`);
    }
  } finally {
    await ward.stop();
  }
});

test.run();
