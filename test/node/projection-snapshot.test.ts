import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { official, sampleDraft, startTestWard } from '../helpers/ward.js';
import { startChildNode } from '../helpers/child-node.js';
import { Client } from '../helpers/ward.js';

const states = async (c: Client) => (await c.get('/api/documents?limit=200')).body.items.map((d: { id: string; state: string; number: string | null }) => `${d.id}:${d.state}:${d.number}`).sort();

test('a restart from the snapshot plus the changes after it shows exactly what a full rebuild shows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-snap-'));
  try {
    let ward = await startTestWard({}, dir);
    const clerk = await official(ward, 'vanthu', 'clerk');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await clerk.post('/api/documents/outgoing/paper', sampleDraft({ subject: `Trước ảnh chụp ${i}` }))).body.id);
    await ward.node.close(); // writes the snapshot
    assert.ok(existsSync(join(dir, 'projection.snapshot')));

    // Writes after the snapshot, then a crash: no snapshot at shutdown.
    const child = await startChildNode(dir);
    const c = new Client(child.url);
    await c.login('vanthu', 'vanthu-real-password');
    await c.post(`/api/documents/${ids[0]}/actions/number`);
    await c.post('/api/documents/outgoing/paper', sampleDraft({ subject: 'Sau ảnh chụp' }));
    await child.kill();

    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, true);
    const fromSnapshot = await states(ward.admin);
    await ward.node.close();
    rmSync(join(dir, 'projection.snapshot'));
    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, false);
    assert.equal(await states(ward.admin), fromSnapshot);
    assert.ok(fromSnapshot.some((s: string) => s.startsWith(`${ids[0]}:numbered:01`)));
    assert.is((await ward.admin.get(`/api/documents?q=${encodeURIComponent('sau anh chup')}`)).body.total, 1);
    await ward.node.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a torn or foreign snapshot is ignored and the node rebuilds from the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-snap-'));
  try {
    let ward = await startTestWard({}, dir);
    await official(ward, 'vanthu', 'clerk');
    await ward.node.close();
    writeFileSync(join(dir, 'projection.snapshot'), Buffer.from('not a snapshot'));
    ward = await startTestWard({}, dir);
    assert.is(ward.node.loaded.fromSnapshot, false);
    assert.is((await ward.admin.get('/api/users')).body.items.length, 2);
    await ward.node.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
