// City → ward documents over the real path: the city writes a signed PDF
// (several chunks) and an annex into two wards' databases on the embedded
// city; each ward node pulls it from its inbox at the next sync, its officials
// register or refuse it, and the city reads the Decision 28/2018 status back
// from what the wards replicate (function and CLI). Bad input is refused
// before anything is written; a file pull cut half-way resumes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { cityCommand } from '../../node/city/command.js';
import { initCity } from '../../node/city/init.js';
import { sendToWards, sentStatuses, type SendMeta } from '../../node/city/send.js';
import { startHub } from '../../node/city/hub-ingest.js';
import { startHubServer } from '../../node/city/hub-http.js';
import { sampleSealPng } from '../../certs/sample-images.js';
import { WardError } from '../../sync/errors.js';
import { CHUNK_BYTES, type WardCredentials } from '../../sync/city-contract.js';
import { couch, startTestCity, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { leaderSigned } from '../helpers/hub-fixtures.js';
import { makeTestPki, twoPagePdf, type TestPki } from '../helpers/signing-fixtures.js';
import { wardReplicator } from '../helpers/sync-data.js';
import { official, startTestWard, synced, type Client, type TestWard } from '../helpers/ward.js';
import { WeakLink } from '../helpers/weak-link.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-send-'));
let city: TestCity;
const wards: Record<string, { node: TestWard; clerk: Client; leader: Client; specialist: Client }> = {};
let pki: TestPki;
/** ~250 KB: four chunks, so the ward's chunk pull is what brings it. */
let pdf: Buffer;
const annex = { name: 'so-do.png', bytes: sampleSealPng() };
const meta: SendMeta = { docType: 'CV', originalSymbol: '1234/UBND-VP', originalDate: '2026-11-20', subject: 'Về việc triển khai chữ ký số trong toàn thành phố', senderName: 'UBND Thành phố Mẫu', fileName: 'cv-1234.pdf' };
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b', 'phuong-c'], outDir: join(dir, 'creds') });
  for (const code of ['phuong-a', 'phuong-b']) {
    const node = await startTestWard({ ward: { code }, city: { credentialsFile: join(dir, 'creds', `${code}.credentials.json`), intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });
    wards[code] = { node, clerk: await official(node, 'vanthu', 'clerk'), leader: await official(node, 'lanhdao', 'leader'), specialist: await official(node, 'chuyenvien', 'specialist') };
  }
  pki = makeTestPki();
  // Random text in a comment: incompressible and without repeated chunks (a file's equal chunks are stored once).
  pdf = await leaderSigned(pki.leader, randomBytes(100_000).toString('hex'));
});
test.after(async () => {
  for (const w of Object.values(wards)) await w.node.stop();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = async (work: () => Promise<unknown>): Promise<WardError> => {
  try { await work(); } catch (e) { if (e instanceof WardError) return e; throw e; }
  throw new Error('expected a refusal');
};
const trust = () => ({ roots: [pki.rootPem], crls: pki.crl() });
/** `warddesk city …` in this process (a spawned CLI costs ~7 s on a loaded machine), its output captured. */
async function cityCli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const env = process.env['WARDDESK_CITY_ADMIN'];
  process.env['WARDDESK_CITY_ADMIN'] = `${CITY_ADMIN.name}:${CITY_ADMIN.password}`;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.join(' ')); };
  try {
    return { status: await cityCommand(args), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    Object.assign(console, { log, error });
    if (env === undefined) delete process.env['WARDDESK_CITY_ADMIN']; else process.env['WARDDESK_CITY_ADMIN'] = env;
  }
}
const idsIn = async (ward: string, prefix: string): Promise<string[]> =>
  (await couch(city.url, CITY_ADMIN, 'GET', `/ward_${ward}/_all_docs?startkey="${prefix}"&endkey="${prefix}\uffff"`)).body.rows.map((r: { id: string }) => r.id);

test('bad input is refused in Vietnamese and English and nothing reaches any ward', async () => {
  const send = (over: Partial<Parameters<typeof sendToWards>[0]>) => refusal(() => sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a'], pdf, meta, ...over }));
  const notPdf = await send({ pdf: Buffer.from('<html>not a pdf</html>') });
  assert.is(notPdf.code, 'not_a_pdf');
  assert.ok(notPdf.vi.includes('PDF') && notPdf.en.includes('PDF'));
  const unknown = await send({ wards: ['phuong-a', 'phuong-zz'] });
  assert.is(unknown.code, 'unknown_ward');
  assert.ok(unknown.details?.some((d) => d.en.includes('phuong-zz') && d.vi.includes('phuong-zz')));
  const noSubject = await send({ meta: { ...meta, subject: '' } });
  assert.is(noSubject.code, 'invalid_input');
  assert.ok(noSubject.details?.some((d) => d.path === 'subject' && d.vi && d.en));
  const badAnnex = await send({ attachments: [{ name: 'virus.exe', bytes: Buffer.from('MZ\x90\x00 not an image') }] });
  assert.is(badAnnex.code, 'bad_attachment');
  assert.ok(badAnnex.details?.some((d) => d.en.includes('virus.exe') && d.vi.includes('virus.exe')));
  // Beyond the first bytes: "%PDF-" then HTML does not open as a PDF, a PNG signature alone does not decode.
  const htmlPdf = await send({ pdf: Buffer.from('%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n') });
  assert.is(htmlPdf.code, 'file_unreadable');
  const eightBytePng = await send({ attachments: [{ name: 'so-do.png', bytes: sampleSealPng().subarray(0, 8) }] });
  assert.is(eightBytePng.code, 'file_unreadable');
  assert.ok(eightBytePng.details?.some((d) => d.en.includes('so-do.png') && d.vi.includes('so-do.png')), JSON.stringify(eightBytePng.details));
  // With the city root given, the PDF must bear a valid signature: one changed byte, or none at all, is refused.
  const changed = Buffer.from(pdf);
  changed[Math.floor(changed.length / 2)] ^= 0x01;
  const forged = await send({ pdf: changed, trust: trust() });
  assert.is(forged.code, 'signature_invalid');
  assert.ok(forged.details?.length && forged.details.every((d) => d.vi && d.en), JSON.stringify(forged.details));
  const unsigned = await send({ pdf: (await twoPagePdf()).pdf, trust: trust() });
  assert.is(unsigned.code, 'signature_invalid');
  // The command line says the same, in both languages, and exits 1.
  writeFileSync(join(dir, 'not.pdf'), '<html>not a pdf</html>');
  const r = await cityCli('send', city.url, '--wards', 'phuong-a', '--pdf', join(dir, 'not.pdf'), '--type', 'CV', '--symbol', '1/UBND', '--date', '2026-11-20', '--subject', 'x');
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /Tệp gửi đi phải là PDF/);
  assert.match(r.stderr, /must be a PDF/);
  for (const ward of ['phuong-a', 'phuong-b', 'phuong-c']) {
    for (const prefix of ['doc:in:', 'ev:in:', 'blob:', 'chunk:']) assert.equal(await idsIn(ward, prefix), [], `nothing (${prefix}) was written to ${ward}`);
  }
});

test('the city sends a signed PDF and an annex to two wards; each finds it in its incoming list after sync, with the exact bytes', async () => {
  const sent = await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], pdf, meta, attachments: [annex], trust: trust() });
  assert.equal(sent.wards.map((w) => w.written), [true, true]);
  assert.is(sent.signature?.status, 'valid');
  assert.equal(sent.signature?.signers.map((s) => `${s.role} ${s.signerName}`), ['leader Nguyễn Văn An']);
  const pieces = (n: number) => Math.ceil(n / CHUNK_BYTES);
  assert.is((await idsIn('phuong-a', 'chunk:')).length, pieces(pdf.length) + pieces(annex.bytes.length), 'the chunks of the PDF and of the annex');
  for (const code of ['phuong-a', 'phuong-b']) {
    const w = wards[code]!;
    await synced(w.node);
    const list = await w.clerk.get('/api/documents?direction=incoming');
    const item = list.body.items.find((i: { id: string }) => i.id === sent.wards[0]!.docId);
    assert.ok(item, `${code} lists the document: ${JSON.stringify(list.body.items)}`);
    const doc = await w.clerk.get(`/api/documents/${item.id}`);
    assert.is(doc.body.state, 'arrived');
    assert.is(doc.body.exchangeStatus, '01');
    assert.is(doc.body.content.originalSymbol, '1234/UBND-VP');
    assert.equal(doc.body.content.attachments.map((a: { name: string }) => a.name), ['cv-1234.pdf', 'so-do.png']);
    for (const [file, bytes] of [[sent.sha256, pdf], [sha(annex.bytes), annex.bytes]] as const) {
      const r = await fetch(`${w.node.url}/api/blobs/${file}`, { headers: { cookie: w.clerk.cookie } });
      assert.is(r.status, 200, `${code} serves ${file}`);
      const got = Buffer.from(await r.arrayBuffer());
      assert.is(sha(got), file);
      assert.ok(got.equals(bytes));
    }
  }
  const again = await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], pdf, meta, attachments: [annex] });
  assert.is(again.sendId, sent.sendId);
  assert.equal(again.wards.map((w) => w.written), [false, false], 'sending again writes nothing');
  // The same through the command line (one --attach, the files after it).
  writeFileSync(join(dir, 'cv-1234.pdf'), pdf);
  writeFileSync(join(dir, 'so-do.png'), annex.bytes);
  const r = await cityCli('send', city.url, '--wards', 'phuong-a,phuong-b', '--pdf', join(dir, 'cv-1234.pdf'), '--type', 'CV', '--symbol', '1234/UBND-VP',
    '--date', '2026-11-20', '--subject', meta.subject, '--sender', 'UBND Thành phố Mẫu', '--attach', join(dir, 'so-do.png'));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`phuong-a: doc:in:${sent.sendId} already there`));
  assert.match(r.stdout, new RegExp(`phuong-b: doc:in:${sent.sendId} already there`));
  assert.is((await idsIn('phuong-b', 'doc:in:')).length, 1);
  assert.is((await idsIn('phuong-b', 'ev:in:')).length, 1);
});

test('ward A registers, assigns and finishes it, ward B refuses it with a comment; the city sees 06 and 02', async () => {
  const [status] = await sentStatuses({ url: city.url, admin: CITY_ADMIN });
  const id = status!.docId;
  const a = wards['phuong-a']!;
  assert.is((await a.clerk.post(`/api/documents/${id}/actions/register`)).status, 200);
  assert.is((await a.leader.post(`/api/documents/${id}/actions/assign`, { data: { handler: 'chuyenvien' } })).status, 200);
  assert.is((await a.specialist.post(`/api/documents/${id}/actions/start`)).status, 200);
  assert.is((await a.specialist.post(`/api/documents/${id}/actions/done`, { comment: 'Đã triển khai' })).status, 200);
  const b = wards['phuong-b']!;
  assert.is((await b.clerk.post(`/api/documents/${id}/actions/refuse`, { comment: 'Không thuộc thẩm quyền của phường' })).status, 200);
  await synced(a.node);
  await synced(b.node);
  const statuses = await sentStatuses({ url: city.url, admin: CITY_ADMIN, sendId: status!.sendId });
  const byWard = Object.fromEntries(statuses.map((s) => [s.ward, s]));
  assert.is(byWard['phuong-a']!.code, '06');
  assert.is(byWard['phuong-a']!.state, 'done');
  assert.equal(byWard['phuong-a']!.steps.map((s) => s.action), ['arrive', 'register', 'assign', 'start', 'done']);
  assert.is(byWard['phuong-a']!.signature?.status, 'valid');
  assert.is(byWard['phuong-b']!.code, '02');
  assert.is(byWard['phuong-b']!.steps.at(-1)!.comment, 'Không thuộc thẩm quyền của phường');
  const r = await cityCli('sent', city.url, '--send', status!.sendId);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${status!.sendId}  phuong-a  06 done  1234/UBND-VP  sent \\S+  signature valid`));
  assert.match(r.stdout, new RegExp(`${status!.sendId}  phuong-b  02 refused`));
  assert.match(r.stdout, /\+07:00 {2}refuse {2}vanthu — Không thuộc thẩm quyền của phường/);
});

test('the city hub records what each ward did with the sent document and its dashboard lists the codes', async () => {
  const hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], discoverMs: 500, longpollMs: 500, log: () => undefined });
  const server = await startHubServer(hub.view, { port: 0, admin: CITY_ADMIN, pageDir: null });
  try {
    await hub.caughtUp();
    const auth = `Basic ${Buffer.from(`${CITY_ADMIN.name}:${CITY_ADMIN.password}`).toString('base64')}`;
    const r = await fetch(`${server.url}/api/hub/sent`, { headers: { authorization: auth } });
    assert.is(r.status, 200);
    const rows = (await r.json() as { rows: { ward: string; code: string; state: string }[] }).rows;
    assert.equal(rows.map((x) => `${x.ward} ${x.code} ${x.state}`).sort(), ['phuong-a 06 done', 'phuong-b 02 refused']);
    const csv = await fetch(`${server.url}/api/hub/sent?format=csv&lang=en`, { headers: { authorization: auth } });
    assert.match(await csv.text(), /Status code/);
    // Drill-down: the ward's own steps, read from its events at the city, with the refusal's comment.
    const docId = (await sentStatuses({ url: city.url, admin: CITY_ADMIN }))[0]!.docId;
    const detail = async (ward: string) => (await (await fetch(`${server.url}/api/hub/documents/${ward}/${docId}`, { headers: { authorization: auth } })).json()) as { steps: { action: string; comment?: string }[] };
    assert.equal((await detail('phuong-a')).steps.map((x) => x.action), ['arrive', 'register', 'assign', 'start', 'done']);
    assert.is((await detail('phuong-b')).steps.at(-1)!.comment, 'Không thuộc thẩm quyền của phường');
  } finally { await server.close(); await hub.close(); }
});

test('a ward cannot pass off a document of its own as sent by the city, neither at the city nor through its node', async () => {
  const creds = JSON.parse(readFileSync(join(dir, 'creds', 'phuong-a.credentials.json'), 'utf8')) as WardCredentials;
  const content = { senderName: 'UBND Thành phố', originalSymbol: '1/UBND', originalDate: '2026-11-20', docType: 'CV', subject: 'Giả mạo', attachments: [], medium: 'electronic' };
  const forged = { _id: 'doc:in:0badc0de-0000-4000-8000-000000000001', type: 'document', ward: 'phuong-a', direction: 'incoming', createdAt: '2026-11-20T09:00:00.000+07:00', createdBy: 'city', origin: 'city', content };
  // The city's validate_doc_update, with the ward's own replication credentials.
  const r = await couch(city.url, { name: creds.username, password: creds.password }, 'PUT', `/ward_phuong-a/${forged._id}`, forged);
  assert.is(r.status, 403);
  assert.match(JSON.stringify(r.body), /only the city/);
  const arrival = { _id: `ev:${forged._id.slice(4)}:city-arrive`, type: 'event', ward: 'phuong-a', docId: forged._id, action: 'arrive', at: forged.createdAt, actor: { user: 'city', role: 'city', device: 'x' }, data: {}, origin: 'city' };
  assert.is((await couch(city.url, { name: creds.username, password: creds.password }, 'PUT', `/ward_phuong-a/${arrival._id}`, arrival)).status, 403);
  // The ward node: the clerk's incoming form takes no origin, the city's arrival is no action an official can take, devices only read.
  const a = wards['phuong-a']!;
  const viaForm = await a.clerk.post('/api/documents/incoming', { ...content, origin: 'city' });
  assert.is(viaForm.status, 400);
  assert.ok(viaForm.body.message.vi && viaForm.body.message.en);
  assert.match(JSON.stringify(viaForm.body.details), /origin/);
  const viaAction = await a.clerk.post(`/api/documents/${(await sentStatuses({ url: city.url, admin: CITY_ADMIN }))[0]!.docId}/actions/arrive`);
  assert.is(viaAction.status, 409);
  const viaReplication = await a.clerk.post('/api/replicate/_bulk_docs', { docs: [forged], new_edits: false });
  assert.is(viaReplication.status, 403);
  assert.ok(viaReplication.body.message.vi && viaReplication.body.message.en);
  await synced(a.node);
  assert.equal((await idsIn('phuong-a', 'doc:in:')).filter((id) => id === forged._id), [], 'no forged document reached the city');
});

test('a file pull cut half-way resumes: the next sync fetches only the chunks still missing', async () => {
  const other = await leaderSigned(pki.leader, randomBytes(120_000).toString('hex'));
  await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-c'], pdf: other, meta: { ...meta, originalSymbol: '77/UBND-VP' } });
  const creds = JSON.parse(readFileSync(join(dir, 'creds', 'phuong-c.credentials.json'), 'utf8')) as WardCredentials;
  const link = await WeakLink.start({ target: { host: '127.0.0.1', port: city.port } });
  const db = new PouchDB(join(dir, 'ward-c'));
  // One chunk at a time, so the failure lands on a known chunk; no retry on its own (the test runs the next sync).
  const rep = wardReplicator(db, creds, link.url, { adaptive: false, chunkConcurrency: 1, backoff: { baseMs: 600_000, capMs: 600_000 } });
  const count = Math.ceil(other.length / CHUNK_BYTES);
  try {
    const fetched: string[] = [];
    let failed = false;
    link.httpFault((h) => {
      if (h.method !== 'GET' || !/chunk%3A[0-9a-f]{64}\/data/.test(h.path)) return null;
      fetched.push(h.path);
      // The link fails on the third chunk of the first run.
      if (fetched.length === 3 && !failed) { failed = true; return 503; }
      return null;
    });
    await rep.syncNow();
    const cut = await rep.status();
    assert.ok(cut.lastError, 'the first run ended with the failure');
    const blob = await db.get<{ chunks: string[] }>(`blob:${sha(other)}`);
    assert.is(blob.chunks.length, count);
    const have = await db.allDocs({ keys: blob.chunks.map((c) => `chunk:${c}`) });
    assert.is(have.rows.filter((x) => !('error' in x)).length, 2, 'two chunks came down before the failure');
    await rep.syncNow();
    const after = await rep.status();
    assert.ok(after.upToDate && !after.lastError, JSON.stringify(after));
    assert.is(new Set(fetched).size, count, 'every chunk was asked for');
    assert.is(fetched.length, count + 1, 'only the failed chunk was asked for twice');
    const bytes = Buffer.concat(await Promise.all(blob.chunks.map(async (c) => await db.getAttachment(`chunk:${c}`, 'data') as Buffer)));
    assert.is(sha(bytes), sha(other));
  } finally {
    await rep.stop();
    await db.close();
    await link.close();
  }
});

test.run();
