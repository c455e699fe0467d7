import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';
import { startChildNode } from '../helpers/child-node.js';
import { monotonicClock } from '../../node/store.js';

async function signedDocs(clerk: Client, count: number, docType = 'QĐ'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await clerk.post('/api/documents/outgoing/paper', sampleDraft({ docType, subject: `Văn bản số ${i}` }))).body.id);
  return ids;
}

/** Every outgoing number event on disk, as "register:number" → document id. */
async function numbersOnDisk(ward: TestWard): Promise<{ numbers: number[]; byDoc: Map<string, number> }> {
  const rows = (await ward.node.store.docs.allDocs({ startkey: 'ev:num:out:', endkey: 'ev:num:out:\uffff', include_docs: true })).rows;
  const byDoc = new Map<string, number>();
  const numbers = rows.map((r) => {
    const data = (r.doc as unknown as { data: { number: number } }).data;
    const docId = String((r.doc as unknown as { docId: string }).docId);
    assert.not.ok(byDoc.has(docId), `document ${docId} numbered twice`);
    byDoc.set(docId, data.number);
    return data.number;
  }).sort((a, b) => a - b);
  return { numbers, byDoc };
}

test('50 concurrent number requests get 01…50: no gap, no duplicate', async () => {
  const ward = await startTestWard();
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const ids = await signedDocs(clerk, 50);
    const replies = await Promise.all(ids.map((id) => clerk.post(`/api/documents/${id}/actions/number`)));
    assert.ok(replies.every((r) => r.status === 200));
    const got = replies.map((r) => Number(r.body.number)).sort((a, b) => a - b);
    assert.equal(got, Array.from({ length: 50 }, (_, i) => i + 1));
    assert.is(replies.find((r) => r.body.number === '05')?.body.numberAndSymbol, '05/QĐ-UBND');
    const onDisk = await numbersOnDisk(ward);
    assert.equal(onDisk.numbers, got);
  } finally { await ward.stop(); }
});

test('50 concurrent requests to number the same document number it once', async () => {
  const ward = await startTestWard();
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const [id] = await signedDocs(clerk, 1);
    const replies = await Promise.all(Array.from({ length: 50 }, () => clerk.post(`/api/documents/${id}/actions/number`)));
    assert.is(replies.filter((r) => r.status === 200).length, 1);
    assert.ok(replies.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.code === 'illegal_transition'));
    assert.equal((await numbersOnDisk(ward)).numbers, [1]);
  } finally { await ward.stop(); }
});

test('separate registers number independently when the ward configures them', async () => {
  const ward = await startTestWard({ registers: [{ key: 'qd', types: ['QĐ'] }, { key: 'chung', types: ['*'] }] });
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const [qd] = await signedDocs(clerk, 1, 'QĐ');
    const [tb1, tb2] = await signedDocs(clerk, 2, 'TB');
    assert.is((await clerk.post(`/api/documents/${tb1}/actions/number`)).body.numberAndSymbol, '01/TB-UBND');
    assert.is((await clerk.post(`/api/documents/${qd}/actions/number`)).body.numberAndSymbol, '01/QĐ-UBND');
    assert.is((await clerk.post(`/api/documents/${tb2}/actions/number`)).body.numberAndSymbol, '02/TB-UBND');
  } finally { await ward.stop(); }
});

test('numbers restart at 01 on 1 January, Vietnam time', async () => {
  let now = Date.parse('2026-12-31T16:58:00Z'); // 23:58 in Hà Nội
  const ward = await startTestWard({}, undefined, { clock: monotonicClock(() => now) });
  try {
    const clerk = await official(ward, 'vanthu', 'clerk');
    const ids = await signedDocs(clerk, 3);
    assert.is((await clerk.post(`/api/documents/${ids[0]}/actions/number`)).body.number, '01');
    assert.is((await clerk.post(`/api/documents/${ids[1]}/actions/number`)).body.number, '02');
    now = Date.parse('2026-12-31T17:00:30Z'); // 00:00:30 on 1 January 2027 in Hà Nội
    const newYear = await clerk.post(`/api/documents/${ids[2]}/actions/number`);
    assert.is(newYear.body.number, '01');
    assert.match(newYear.body.date, /^2027-01-01T00:00:30/);
  } finally { await ward.stop(); }
});

test('kill -9 in the middle of numbering loses no acknowledged number and leaves no gap or duplicate', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-kill-'));
  try {
    let ward = await startTestWard({}, dataDir);
    const clerkSetup = await official(ward, 'vanthu', 'clerk');
    // Four rounds of 50 number at most 200: some are always left for the numbering after the kills.
    const ids = await signedDocs(clerkSetup, 210);
    await ward.node.close();

    const acknowledged = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const child = await startChildNode(dataDir);
      const clerk = new Client(child.url);
      await clerk.login('vanthu', 'vanthu-real-password');
      const pending = ids.filter((id) => !acknowledged.has(id));
      const before = acknowledged.size;
      const inflight = pending.slice(0, 50).map(async (id) => {
        const r = await clerk.post(`/api/documents/${id}/actions/number`).catch(() => null);
        if (r?.status === 200) acknowledged.set(id, Number(r.body.number));
      });
      // Kill after a random share of the answers have come back: once the first is in (a loaded machine
      // may take longer than the kill window to answer at all), then a random moment.
      const first = Date.now();
      while (acknowledged.size === before && Date.now() - first < 15_000) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      await child.kill();
      await Promise.allSettled(inflight);
    }

    ward = await startTestWard({}, dataDir);
    const { numbers, byDoc } = await numbersOnDisk(ward);
    assert.ok(acknowledged.size > 0, 'some requests were acknowledged before the kills');
    for (const [id, n] of acknowledged) assert.is(byDoc.get(id), n, `acknowledged number ${n} survived`);
    assert.equal(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), 'contiguous from 1');
    // The node keeps numbering where it stopped.
    const clerk = new Client(ward.url);
    await clerk.login('vanthu', 'vanthu-real-password');
    const next = ids.find((id) => !byDoc.has(id))!;
    assert.is(Number((await clerk.post(`/api/documents/${next}/actions/number`)).body.number), numbers.length + 1);
    const audit = await ward.admin.get('/api/audit/verify');
    assert.is(audit.body.ok, true, JSON.stringify(audit.body));
    await ward.node.close();
  } finally { rmSync(dataDir, { recursive: true, force: true }); }
});

test.run();
