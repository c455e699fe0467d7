import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';
import { recordHash } from '../../sync/record-hash.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));

async function wardWithHistory(): Promise<{ ward: TestWard; docId: string }> {
  const ward = await startTestWard();
  const specialist = await official(ward, 'chuyenvien', 'specialist');
  const leader = await official(ward, 'chutich', 'leader');
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/return`, { comment: 'Bổ sung căn cứ' });
  return { ward, docId: id };
}

function verifyCli(dataDir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, 'audit', 'verify'], { env: { ...process.env, WARDDESK_DATA_DIR: dataDir }, encoding: 'utf8' });
}

test('every step is in the audit log with who, what and from which device, and the chain verifies', async () => {
  const { ward, docId } = await wardWithHistory();
  try {
    const entries = (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((r) => r.doc as unknown as { action: string; target: string; actor: { user: string; device: string } });
    const ret = entries.find((e) => e.action === 'document.return' && e.target === docId);
    assert.ok(ret);
    assert.is(ret!.actor.user, 'chutich');
    assert.match(ret!.actor.device, /127\.0\.0\.1/);
    assert.ok(entries.some((e) => e.action === 'auth.login' && e.actor.user === 'chuyenvien'));
    const verdict = await ward.admin.get('/api/audit/verify');
    assert.is(verdict.body.ok, true);
    assert.is(verdict.body.entries, entries.length);
  } finally { await ward.stop(); }
});

test('changing an audit entry is detected by `warddesk audit verify`', async () => {
  const { ward } = await wardWithHistory();
  try {
    const db = ward.node.store.docs;
    const entry = await db.get<{ action: string }>('audit:000000000005');
    await db.put({ ...entry, action: 'document.approve' });
    await ward.node.close();
    const r = verifyCli(ward.dataDir);
    assert.is(r.status, 1);
    assert.match(r.stderr, /BROKEN at entry 5: hash-mismatch/);
  } finally { await ward.stop().catch(() => undefined); }
});

test('removing an audit entry is detected', async () => {
  const { ward } = await wardWithHistory();
  try {
    const db = ward.node.store.docs;
    const entry = await db.get('audit:000000000003');
    await db.remove({ _id: entry._id, _rev: entry._rev! });
    await ward.node.close();
    const r = verifyCli(ward.dataDir);
    assert.is(r.status, 1);
    assert.match(r.stderr, /missing-entry/);
  } finally { await ward.stop().catch(() => undefined); }
});

test('editing a workflow event behind the node\'s back is detected', async () => {
  const { ward, docId } = await wardWithHistory();
  try {
    const db = ward.node.store.docs;
    const events = (await db.allDocs({ startkey: `ev:${docId.slice(4)}:`, endkey: `ev:${docId.slice(4)}:\uffff`, include_docs: true })).rows;
    const ret = events.map((r) => r.doc as unknown as { _id: string; _rev: string; action: string; comment?: string }).find((e) => e.action === 'return')!;
    await db.put({ ...ret, comment: 'Đồng ý' });
    await ward.node.close();
    const r = verifyCli(ward.dataDir);
    assert.is(r.status, 1);
    assert.match(r.stderr, /document-changed/);
  } finally { await ward.stop().catch(() => undefined); }
});

test('an untouched store verifies with exit code 0', async () => {
  const { ward } = await wardWithHistory();
  try {
    await ward.node.close();
    const r = verifyCli(ward.dataDir);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /audit chain intact/);
  } finally { await ward.stop().catch(() => undefined); }
});

test('every event the node writes carries the hash sync\'s readers (the PWA, the city) compute for it', async () => {
  const { ward, docId } = await wardWithHistory();
  try {
    const events = (await ward.node.store.docs.allDocs({ startkey: `ev:${docId.slice(4)}:`, endkey: `ev:${docId.slice(4)}:\uffff`, include_docs: true })).rows.map((r) => r.doc as unknown as Record<string, unknown> & { _id: string });
    assert.is(events.length, 3, 'create, submit, return');
    for (const ev of events) {
      assert.match(String(ev['hash']), /^[0-9a-f]{64}$/);
      assert.is(ev['hash'], await recordHash(ev), ev._id);
    }
    // The return's comment is Vietnamese: the text is hashed as UTF-8 on both sides.
    assert.ok(events.some((e) => JSON.stringify(e).includes('Bổ sung căn cứ')));
  } finally { await ward.stop(); }
});

test.run();
