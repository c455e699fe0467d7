// City → ward documents over the real path: the city writes a signed PDF and
// its arrival into two wards' databases on the embedded city; each ward node
// pulls it from its inbox at the next sync, its officials register or refuse
// it, and the city reads the Decision 28/2018 status back from what the wards
// replicate. Bad input is refused before anything is written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { sendToWards, sentStatuses, type SendMeta } from '../../node/city/send.js';
import { startHub } from '../../node/city/hub-ingest.js';
import { startHubServer } from '../../node/city/hub-http.js';
import { WardError } from '../../sync/errors.js';
import { couch, startTestCity, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { leaderSigned } from '../helpers/hub-fixtures.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { official, startTestWard, synced, type Client, type TestWard } from '../helpers/ward.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-send-'));
let city: TestCity;
const wards: Record<string, { node: TestWard; clerk: Client; leader: Client; specialist: Client }> = {};
let pdf: Buffer;
const meta: SendMeta = { docType: 'CV', originalSymbol: '1234/UBND-VP', originalDate: '2026-11-20', subject: 'Về việc triển khai chữ ký số trong toàn thành phố', senderName: 'UBND Thành phố Mẫu', fileName: 'cv-1234.pdf' };

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], outDir: join(dir, 'creds') });
  for (const code of ['phuong-a', 'phuong-b']) {
    const node = await startTestWard({ ward: { code }, city: { credentialsFile: join(dir, 'creds', `${code}.credentials.json`), intervalSeconds: 3600, backoffBaseSeconds: 0.2, backoffCapSeconds: 1, requestTimeoutSeconds: 5 } });
    wards[code] = { node, clerk: await official(node, 'vanthu', 'clerk'), leader: await official(node, 'lanhdao', 'leader'), specialist: await official(node, 'chuyenvien', 'specialist') };
  }
  pdf = await leaderSigned(makeTestPki().leader);
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

test('bad input is refused in Vietnamese and English and nothing reaches any ward', async () => {
  const notPdf = await refusal(() => sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a'], pdf: Buffer.from('<html>not a pdf</html>'), meta }));
  assert.is(notPdf.code, 'not_a_pdf');
  assert.ok(notPdf.vi.includes('PDF') && notPdf.en.includes('PDF'));
  const unknown = await refusal(() => sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-zz'], pdf, meta }));
  assert.is(unknown.code, 'unknown_ward');
  assert.ok(unknown.details?.some((d) => d.en.includes('phuong-zz')));
  const noSubject = await refusal(() => sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a'], pdf, meta: { ...meta, subject: '' } }));
  assert.is(noSubject.code, 'invalid_input');
  assert.ok(noSubject.details?.some((d) => d.path === 'subject' && d.vi && d.en));
  for (const ward of ['phuong-a', 'phuong-b']) {
    const inbox = await couch(city.url, CITY_ADMIN, 'GET', `/ward_${ward}/_all_docs?startkey="doc:in:"&endkey="doc:in:\uffff"`);
    assert.is(inbox.body.rows.length, 0, `nothing was written to ${ward}`);
  }
});

test('the city sends a signed PDF to two wards; each finds it in its incoming list after sync, with the exact bytes', async () => {
  const sent = await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], pdf, meta });
  assert.equal(sent.wards.map((w) => w.written), [true, true]);
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
    const file = await fetch(`${w.node.url}/api/blobs/${sent.sha256}`, { headers: { cookie: w.clerk.cookie } });
    assert.is(file.status, 200);
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.is(createHash('sha256').update(bytes).digest('hex'), sent.sha256);
  }
  const again = await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-a', 'phuong-b'], pdf, meta });
  assert.is(again.sendId, sent.sendId);
  assert.equal(again.wards.map((w) => w.written), [false, false], 'sending again writes nothing');
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
  assert.is(byWard['phuong-b']!.code, '02');
  assert.is(byWard['phuong-b']!.steps.at(-1)!.comment, 'Không thuộc thẩm quyền của phường');
});

test('the city hub records what each ward did with the sent document and its dashboard lists the codes', async () => {
  const hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [makeTestPki().rootPem], discoverMs: 500, longpollMs: 500, log: () => undefined });
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

test('a ward cannot pass off a document of its own as sent by the city', async () => {
  const creds = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'creds', 'phuong-a.credentials.json'), 'utf8')) as { username: string; password: string };
  const forged = { _id: 'doc:in:0badc0de-0000-4000-8000-000000000001', type: 'document', ward: 'phuong-a', direction: 'incoming', createdAt: '2026-11-20T09:00:00.000+07:00', createdBy: 'city', origin: 'city', content: { senderName: 'UBND Thành phố', originalSymbol: '1/UBND', originalDate: '2026-11-20', docType: 'CV', subject: 'Giả mạo', attachments: [], medium: 'electronic' } };
  const r = await couch(city.url, { name: creds.username, password: creds.password }, 'PUT', `/ward_phuong-a/${forged._id}`, forged);
  assert.is(r.status, 403);
  assert.match(JSON.stringify(r.body), /city/);
});

test.run();
