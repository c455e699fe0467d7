// Backup and restore against real nodes, a real embedded city and real disks:
// a backup refuses a running node; a restored ward resumes numbering after
// what the city already holds and syncs without duplicating anything; a ward
// whose disk is lost comes back from the city alone, without its secrets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup, pullFromCity, restore, BackupError } from '../../node/backup.js';
import { initCity } from '../../node/city/init.js';
import { startChildNode } from '../helpers/child-node.js';
import { startTestCity, divergence, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { startTestWard, official, sampleDraft, Client, type TestWard } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';

const WARD = 'phuc-xa';
const PDF = onePagePdf('scan');
let city: TestCity;
let root: string;
let credsFile: string;
let cityDb: { url: string; username: string; password: string };

const cityConfig = () => ({ ward: { code: WARD }, city: { credentialsFile: credsFile, intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });

test.before(async () => {
  city = await startTestCity();
  root = mkdtempSync(join(tmpdir(), 'warddesk-backup-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(root, 'creds') });
  credsFile = join(root, 'creds', `${WARD}.credentials.json`);
  const c = JSON.parse(readFileSync(credsFile, 'utf8')) as { db: string; username: string; password: string };
  cityDb = { url: `${city.url}/${c.db}`, username: c.username, password: c.password };
});
test.after(async () => { await city.destroy(); rmSync(root, { recursive: true, force: true }); });

/** Paper-issues one document through the API and returns its number text. */
async function issueOne(people: { specialist: Client; leader: Client; clerk: Client }, subject: string): Promise<string> {
  const id = (await people.specialist.post('/api/documents/outgoing', sampleDraft({ subject }))).body.id as string;
  await people.specialist.post(`/api/documents/${id}/actions/submit`);
  await people.leader.post(`/api/documents/${id}/actions/approve`);
  await people.clerk.post(`/api/documents/${id}/actions/sign-paper`);
  const numbered = await people.clerk.post(`/api/documents/${id}/actions/number`);
  const scan = await people.clerk.post('/api/blobs', Buffer.concat([PDF, Buffer.from(subject)]), { 'content-type': 'application/pdf' });
  const issued = await people.clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  assert.is(issued.body.state, 'issued', JSON.stringify(issued.body));
  return numbered.body.numberAndSymbol as string;
}

async function syncedToCity(client: Client): Promise<void> {
  let r = await client.post('/api/sync/now');
  for (let i = 0; i < 40 && !r.body.upToDate; i += 1) { await new Promise((ok) => setTimeout(ok, 250)); r = await client.get('/api/sync/status'); }
  assert.is(r.body.upToDate, true, JSON.stringify(r.body));
}

async function login(ward: TestWard, user: string): Promise<Client> {
  const c = new Client(ward.url);
  await c.login(user, `${user}-real-password`);
  return c;
}

test('a backup of a running node is refused with a clear message, and leaves no backup folder behind', async () => {
  const dataDir = join(root, 'running');
  const child = await startChildNode(dataDir);
  try {
    const out = join(root, 'should-not-exist');
    const err = await backup(dataDir, out).catch((e: unknown) => e);
    assert.instance(err, BackupError);
    assert.is((err as BackupError).code, 'node_running');
    assert.match((err as BackupError).message, /dừng máy chủ.*stop it/);
    assert.not.ok(existsSync(out));
  } finally {
    await child.kill();
  }
});

test('a ward restored from its backup gets back what it sent the city later, numbers on without a gap or a duplicate, and syncs without duplicating', async () => {
  const dataDir = join(root, 'ward');
  let ward = await startTestWard(cityConfig(), dataDir);
  const people = { specialist: await official(ward, 'chuyenvien', 'specialist'), leader: await official(ward, 'lanhdao', 'leader'), clerk: await official(ward, 'vanthu', 'clerk') };
  const before = [await issueOne(people, 'Văn bản một'), await issueOne(people, 'Văn bản hai')];
  await syncedToCity(people.clerk);
  await ward.stop();

  const bak = join(root, 'bak');
  const manifest = await backup(dataDir, bak, WARD);
  assert.ok(manifest.databases.docs.documents > 10 && manifest.databases.secrets.documents >= 4, JSON.stringify(manifest.databases));
  assert.not.ok(readFileSync(join(bak, 'secrets.ndjson'), 'utf8').includes('"sess:'), 'sessions are not backed up');

  // After the backup the ward works on and syncs, then its disk dies.
  ward = await startTestWard(cityConfig(), dataDir);
  const clerk = await login(ward, 'vanthu');
  const again = { specialist: await login(ward, 'chuyenvien'), leader: await login(ward, 'lanhdao'), clerk };
  const after = await issueOne(again, 'Văn bản ba');
  await syncedToCity(clerk);
  await ward.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const restored = join(root, 'restored');
  await restore(bak, restored);
  const fetched = await pullFromCity(restored, cityDb);
  assert.ok(fetched.docsWritten > 0, 'what the backup lacked came back from the city');
  ward = await startTestWard(cityConfig(), restored);
  try {
    assert.is(ward.node.firstAdmin, null, 'passwords came back with the backup');
    const people2 = { specialist: await login(ward, 'chuyenvien'), leader: await login(ward, 'lanhdao'), clerk: await login(ward, 'vanthu') };
    const list = await people2.clerk.get('/api/documents?direction=outgoing&state=issued');
    const numbers = (list.body.items as { numberAndSymbol: string }[]).map((d) => d.numberAndSymbol).sort();
    assert.equal(numbers, [...before, after].sort());
    const next = await issueOne(people2, 'Văn bản bốn');
    const n = (s: string) => Number(s.split('/')[0]);
    assert.is(n(next), Math.max(...[...before, after].map(n)) + 1, `numbering resumes after ${after}: got ${next}`);
    await syncedToCity(people2.clerk);
    assert.equal(await divergence(ward.node.store.docs, city.url, `ward_${WARD}`), []);
    const audit = await ward.admin.get('/api/audit/verify');
    assert.is(audit.body.ok, true, JSON.stringify(audit.body));
  } finally {
    await ward.stop();
  }
});

test('a ward whose disk is lost comes back from the city alone: documents and files, no secrets, an admin one-time password', async () => {
  const dataDir = join(root, 'from-city');
  const fetched = await pullFromCity(dataDir, cityDb);
  assert.ok(fetched.docsWritten > 10);
  const ward = await startTestWard(cityConfig(), dataDir);
  try {
    assert.ok(ward.node.firstAdmin, 'a one-time admin password is printed, since no password hash ever left the ward');
    const secrets = await ward.node.store.secrets.allDocs({ startkey: 'cred:', endkey: 'cred:\uffff' });
    assert.equal(secrets.rows.map((r) => r.id), ['cred:admin'], 'only the new admin password exists');
    const refused = await new Client(ward.url).post('/api/auth/login', { username: 'vanthu', password: 'vanthu-real-password' });
    assert.is(refused.status, 401, 'officials are re-enrolled by the admin, their old passwords are gone');
    const list = await ward.admin.get('/api/documents?direction=outgoing&state=issued');
    assert.is(list.body.items.length, 4);
    const doc = await ward.admin.get(`/api/documents/${list.body.items[0].id}`);
    const scan = (doc.body.events as { action: string; data: { scan?: string } }[]).find((e) => e.action === 'issue')?.data.scan;
    assert.ok(scan);
    const file = await fetch(`${ward.url}/api/blobs/${scan}`, { headers: { cookie: ward.admin.cookie } });
    assert.is(file.status, 200);
    assert.ok(Buffer.from(await file.arrayBuffer()).subarray(0, 8).equals(PDF.subarray(0, 8)));
  } finally {
    await ward.stop();
  }
});

test('a damaged backup or a non-empty target is refused before anything is written', async () => {
  const bak = join(root, 'bak');
  const target = join(root, 'target');
  const copy = join(root, 'bak-damaged');
  mkdirSync(copy);
  for (const f of ['manifest.json', 'docs.ndjson', 'secrets.ndjson']) writeFileSync(join(copy, f), readFileSync(join(bak, f)));
  appendFileSync(join(copy, 'docs.ndjson'), '{"_id":"doc:out:forged","_rev":"1-a"}\n');
  const damaged = await restore(copy, target).catch((e: unknown) => e);
  assert.is((damaged as BackupError).code, 'backup_corrupt');
  assert.not.ok(existsSync(target));
  const notBackup = await restore(root, target).catch((e: unknown) => e);
  assert.is((notBackup as BackupError).code, 'not_a_backup');
  mkdirSync(target);
  writeFileSync(join(target, 'something'), 'x');
  const busy = await restore(bak, target).catch((e: unknown) => e);
  assert.is((busy as BackupError).code, 'target_not_empty');
  assert.equal(readFileSync(join(target, 'something'), 'utf8'), 'x');
});

test.run();
