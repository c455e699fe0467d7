// The crash test of the "prove it holds" issue, as a script (it restarts a
// node 200 times, too long for the test suite; test/node/numbering.test.ts
// keeps a short kill -9 round in CI). A ward node runs in its own process with
// replication to a real embedded city; clients draft, sign (half with the
// leader's key and PIN, half on paper), number, issue (with the seal's
// signature, or a scan) and ask for sync while the node is killed with SIGKILL
// at a random moment, then restarted. Afterwards: every acknowledged write is
// there, numbers run 1..n with no gap and no duplicate, every signed PDF
// verifies, the audit chain holds, the store opens, and the city converges.
//   npm run bench -- crash            (ROUNDS=200 by default; ROUNDS=20 for a quick look)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { WARD_CA } from '../../node/signing.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { startChildNode } from '../helpers/child-node.js';
import { startTestCity, divergence, CITY_ADMIN } from '../helpers/city.js';
import { startTestWard, official, sampleDraft, Client } from '../helpers/ward.js';
import { onePagePdf } from '../helpers/files.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 200);
// The kill comes at a random moment within this window (ms): long enough for a
// few whole lifecycles, signing included, to finish on a loaded two-core machine.
const KILL_WITHIN_MS = Number(process.env['KILL_WITHIN_MS'] ?? 2500);
const WARD = 'crash-ward';
const root = mkdtempSync(join(tmpdir(), 'warddesk-crash-'));
const dataDir = join(root, 'data');
const city = await startTestCity();

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const SEAL_PIN = '135790';
const acked = { created: new Set<string>(), numbered: new Map<string, number>(), issued: new Set<string>(), signed: new Set<string>(), sealed: new Set<string>(), syncs: 0 };
let kills = 0;
let refusedOrCut = 0;

try {
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(root, 'creds') });
  const configFile = join(root, 'config.json');
  const cityConfig = { ward: { code: WARD }, city: { credentialsFile: join(root, 'creds', `${WARD}.credentials.json`), intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } };
  writeFileSync(configFile, JSON.stringify(cityConfig));

  const setup = await startTestWard(cityConfig, dataDir);
  const people = new Map<string, Client>();
  for (const [u, r] of [['chuyenvien', 'specialist'], ['lanhdao', 'leader'], ['vanthu', 'clerk']] as const) people.set(u, await official(setup, u, r, u === 'lanhdao' ? 'Nguyễn Văn An' : u));
  // The ward's PKI, as an admin sets it up: ward CA and its CRLs, then the leader's key and the seal enrolled over HTTP.
  const pki = makeTestPki();
  setup.node.signing.keys.save(WARD_CA, pki.wardCa, CA_PIN);
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(join(setup.node.signing.keys.dir, 'ward-ca.crl'), wardCrl!);
  writeFileSync(join(setup.node.signing.keys.dir, 'city-root.crl'), rootCrl!);
  const must = (what: string, r: { status: number; body: unknown }) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`); };
  must('enrol leader', await setup.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN }));
  must('enrol seal', await setup.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: SEAL_PIN }));
  must('signature image', await people.get('lanhdao')!.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' }));
  must('seal image', await setup.admin.request('PUT', '/api/seal/image', sampleSealPng(), { 'content-type': 'image/png' }));
  await setup.node.close();

  for (let round = 0; round < ROUNDS; round += 1) {
    const child = await startChildNode(dataDir, { WARDDESK_CONFIG: configFile });
    const people = await Promise.all(['chuyenvien', 'lanhdao', 'vanthu'].map(async (u) => { const c = new Client(child.url); await c.login(u, `${u}-real-password`); return c; }));
    const work = Array.from({ length: 4 }, () => lifecycle(people as [Client, Client, Client]).catch((e: Error) => { refusedOrCut += 1; if (process.env['CRASH_DEBUG']) console.log(`# cut: ${e.message}`); }));
    await new Promise((r) => setTimeout(r, 20 + Math.random() * KILL_WITHIN_MS));
    await child.kill();
    kills += 1;
    await Promise.allSettled(work);
    if ((round + 1) % 20 === 0) console.log(`# ${round + 1} kills, ${acked.created.size} documents acknowledged`);
  }

  // Check everything with a fresh node in this process.
  const ward = await startTestWard(cityConfig, dataDir);
  const problems: string[] = [];
  const numbers: number[] = [];
  for (const id of acked.created) if (!ward.node.projection.get(id)) problems.push(`acknowledged document ${id} is missing`);
  for (const [id, n] of acked.numbered) {
    const eventId = ward.node.projection.get(id)?.derived.numberEventId;
    const got = eventId ? Number(eventId.split(':').pop()) : NaN;
    if (got !== n) problems.push(`${id}: acknowledged number ${n}, found ${got}`);
  }
  for (const id of acked.issued) if (ward.node.projection.get(id)?.derived.state !== 'issued') problems.push(`${id} was acknowledged issued`);
  for (const id of acked.signed) if (!(await ward.node.projection.view(id))?.events.some((e) => e.action === 'sign')) problems.push(`${id} was acknowledged signed`);
  // Every PDF the node holds a signature for must verify: the leader's alone, or the leader's and the seal's.
  let verified = 0;
  for (const summary of [...ward.node.projection.all()]) {
    const view = (await ward.node.projection.view(summary.id))!;
    if (!view.events.some((e) => e.action === 'sign')) continue;
    const v = await ward.admin.get(`/api/documents/${view.id}/verification`);
    const roles = v.body.verdict?.signatures?.map((x: { role: string }) => x.role).join('+');
    const want = view.events.some((e) => e.action === 'issue') ? 'leader+agency' : 'leader';
    if (v.status !== 200 || v.body.verdict.status !== 'valid' || roles !== want) problems.push(`${view.id}: signed PDF does not verify (${v.status} ${v.body.verdict?.status} ${roles}, want ${want})`);
    else verified += 1;
  }
  const all = await ward.node.store.docs.allDocs({ startkey: 'ev:num:out:', endkey: 'ev:num:out:\uffff' });
  for (const row of all.rows) numbers.push(Number(row.id.split(':').pop()));
  numbers.sort((a, b) => a - b);
  const contiguous = numbers.every((n, i) => n === i + 1);
  if (!contiguous) problems.push(`numbers are not 1..${numbers.length}`);
  const audit = await ward.admin.get('/api/audit/verify');
  if (!audit.body.ok) problems.push(`audit chain: ${JSON.stringify(audit.body)}`);
  let r = await ward.admin.post('/api/sync/now');
  for (let i = 0; i < 120 && !r.body.upToDate; i += 1) { await new Promise((ok) => setTimeout(ok, 500)); r = await ward.admin.get('/api/sync/status'); }
  const diverged = await divergence(ward.node.store.docs, city.url, `ward_${WARD}`);
  problems.push(...diverged.slice(0, 10));
  await ward.stop();

  console.log(`crash_kills ${kills} count`);
  console.log(`crash_acknowledged_documents ${acked.created.size} count`);
  console.log(`crash_acknowledged_numbers ${acked.numbered.size} count`);
  console.log(`crash_acknowledged_issued ${acked.issued.size} count`);
  console.log(`crash_acknowledged_signed_electronically ${acked.signed.size} count`);
  console.log(`crash_acknowledged_sealed ${acked.sealed.size} count`);
  console.log(`crash_signed_pdfs_verified ${verified} count`);
  console.log(`crash_numbers_on_disk ${numbers.length} count`);
  console.log(`crash_requests_cut_by_kill ${refusedOrCut} count`);
  console.log(`crash_city_divergence ${diverged.length} count`);
  console.log(`crash_problems ${problems.length} count`);
  for (const p of problems.slice(0, 20)) console.log(`# problem: ${p}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await city.destroy();
  rmSync(root, { recursive: true, force: true });
}

/** One document from draft to issued; each acknowledged step is recorded. */
async function lifecycle([specialist, leader, clerk]: [Client, Client, Client]): Promise<void> {
  const created = await specialist.post('/api/documents/outgoing', sampleDraft({ subject: `Văn bản thử ${Math.random().toString(36).slice(2, 8)}` }));
  if (created.status !== 201) throw new Error('create');
  const id = created.body.id as string;
  acked.created.add(id);
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const electronic = Math.random() < 0.5;
  if (electronic) {
    const signed = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
    if (signed.status !== 200) throw new Error(`sign ${signed.status} ${JSON.stringify(signed.body)}`);
    acked.signed.add(id);
  } else {
    await clerk.post(`/api/documents/${id}/actions/sign-paper`);
  }
  const numbered = await clerk.post(`/api/documents/${id}/actions/number`);
  if (numbered.status !== 200) throw new Error('number');
  acked.numbered.set(id, Number(numbered.body.number));
  let issued;
  if (electronic) {
    issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { pin: SEAL_PIN } });
  } else {
    const scan = await clerk.post('/api/blobs', onePagePdf(`scan of ${id}`), { 'content-type': 'application/pdf' });
    issued = await clerk.post(`/api/documents/${id}/actions/issue`, { data: { scan: scan.body.sha256 } });
  }
  if (issued.status !== 200) throw new Error('issue');
  acked.issued.add(id);
  if (electronic) acked.sealed.add(id);
  const s = await clerk.post('/api/sync/now');
  if (s.status === 200) acked.syncs += 1;
}
