// A ward rewriting at the city what it already sent. On CouchDB 3 a database
// member can push `_bulk_docs` with `new_edits:false` and a new root revision
// for any record: validate_doc_update then sees `oldDoc = null`, so the rules
// cannot tell it from a first write, and the forged branch may win. The
// embedded city now hands the validator the same oldDoc CouchDB does
// (node/city/validation-revisions-fix.ts), so this runs the real attack over
// HTTP as the ward's own user, and checks what the city's readers make of it:
// the hub flags the document as tampered and shows the genuine record,
// `city sent` reads only genuine steps, and nothing tampered counts as signed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { initCity } from '../../node/city/init.js';
import { sendToWards } from '../../node/city/send.js';
import { pullFromCity } from '../../node/backup.js';
import { openStore } from '../../node/store.js';
import { startHub, type Hub } from '../../node/city/hub-ingest.js';
import { documentDigest, GENESIS, makeEntry } from '../../node/audit.js';
import { WardCredentials, crlId } from '../../sync/city-contract.js';
import { createCrl } from '../../certs/crl.js';
import { contribution, syncRows } from '../../node/city/hub-queries.js';
import { DOCUMENT_COLUMNS, SYNC_COLUMNS, toCsv } from '../../node/city/hub-csv.js';
import { recordHash, withHash } from '../../sync/record-hash.js';
import { startTestCity, CITY_ADMIN, couch, type TestCity } from '../helpers/city.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { documentRecords, signedPdfs, work, type SignedPdfs } from '../helpers/hub-fixtures.js';
import { untilUpToDate, wardReplicator, writeChunked } from '../helpers/sync-data.js';

const WARD = 'phuong-forge';
const dir = mkdtempSync(join(tmpdir(), 'warddesk-forge-'));
const pki = makeTestPki();
let city: TestCity;
let local: PouchDB.Database;
let hub: Hub | null = null;
let pdfs: SignedPdfs;
let creds: WardCredentials;
let records: Record<string, unknown>[] = [];
let seq = 0;
let head = GENESIS;
const chained: string[] = [];

const db = `/ward_${WARD}`;
const wardUser = () => ({ name: creds.username, password: creds.password });

/** Hashes the write-once records and chains them in one audit entry, as the ward node's ledger does. */
async function ledgered(docs: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const hashed = await Promise.all(docs.map((d) => withHash(d as { _id: string })));
  const entry = makeEntry(seq + 1, head, new Date().toISOString(), { user: 'clerk', role: 'clerk', device: 'test' }, 'document.issue', null,
    Object.fromEntries(hashed.map((d) => [d._id, documentDigest(d)])));
  seq = entry.seq;
  head = entry.hash;
  chained.push(entry._id);
  return [...hashed, entry as unknown as Record<string, unknown>];
}

async function push(docs: Record<string, unknown>[], files: Buffer[] = []): Promise<void> {
  await writeChunked(local, work(docs, files));
  const rep = wardReplicator(local, creds, city.url);
  try { await rep.syncNow(); await untilUpToDate(rep, 30_000); } finally { await rep.stop(); }
}

/** What CouchDB accepts from a member: a new root revision with a history of its own. */
async function forge(doc: Record<string, unknown>, change: (d: Record<string, unknown>) => Record<string, unknown>): Promise<number> {
  const { _rev: _r, hash: _h, ...body } = doc;
  const forged: Record<string, unknown> = change(body);
  forged['hash'] = await recordHash(forged);
  const ids = ['a'.repeat(32), 'b'.repeat(32)];
  const res = await couch(city.url, wardUser(), 'POST', `${db}/_bulk_docs`, { new_edits: false, docs: [{ ...forged, _rev: `50-${ids[0]}`, _revisions: { start: 50, ids } }] });
  return res.status;
}

const byId = (prefix: string) => records.find((r) => String(r['_id']).startsWith(prefix))!;

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(dir, 'creds') });
  creds = WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${WARD}.credentials.json`), 'utf8')));
  local = new PouchDB(join(dir, WARD));
  pdfs = await signedPdfs(pki);
  records = await ledgered(documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-03-02T02:00:00Z'), number: 7, pdfs }));
  // The ward CA's revocation list travels with the ward's data, so signatures can be judged valid at all.
  const crl = createCrl({ issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked: [], crlNumber: 1, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000) });
  await push([...records, ...await ledgered([{ _id: crlId(WARD, 1), type: 'crl', issuer: WARD, crlNumber: 1, thisUpdate: new Date().toISOString(), der: crl.toString('base64') }])], [pdfs.leader, pdfs.sealed]);
  hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], rootCrls: [pki.crl()[1]!], discoverMs: 200, longpollMs: 300, log: () => undefined });
  await hub.caughtUp();
});
test.after(async () => {
  await hub?.close().catch(() => undefined);
  await local.close();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('before any attack the signed and sealed document is valid and counts as signed', () => {
  const d = hub!.view.document(WARD, String(byId('doc:')['_id']))!;
  assert.is(d.verdict, 'valid', JSON.stringify(d.reasons));
  assert.is(contribution(d)?.digital, 1);
});

test('the ward user can add a forged root branch to its sealed document, as on CouchDB: the city stores it as a second branch', async () => {
  const doc = byId('doc:');
  const status = await forge(doc, (d) => ({ ...d, content: { ...(d['content'] as object), subject: 'Quyết định GIẢ MẠO về việc thu hồi đất' } }));
  assert.is(status, 201, 'CouchDB 3 accepts a new root revision from a member; so does the embedded city now');
  const stored = await couch(city.url, CITY_ADMIN, 'GET', `${db}/${encodeURIComponent(String(doc['_id']))}?conflicts=true`);
  assert.ok(String(stored.body.content.subject).includes('GIẢ MẠO'), 'the forged branch wins, as it would on CouchDB');
  assert.is(stored.body._conflicts.length, 1);
});

test('the hub flags the document as tampered, shows the genuine subject, and does not count it as signed', async () => {
  await hub!.caughtUp();
  const d = hub!.view.document(WARD, String(byId('doc:')['_id']))!;
  assert.is(d.verdict, 'tampered');
  assert.ok(d.reasons[0]!.code === 'tampered' && /branches/.test(d.reasons[0]!.en), JSON.stringify(d.reasons));
  assert.ok(/Bị sửa đổi|ghi đè/.test(d.reasons[0]!.vi));
  assert.not.ok(d.subject.includes('GIẢ MẠO'), `the hub shows the forged subject: ${d.subject}`);
  const c = contribution(d)!;
  assert.is(c.digital, 0);
  assert.is(c.invalid, 1);
});

test('a forged event (a second branch of the sign step) is caught too, and its document is flagged', async () => {
  // A second document, pushed genuine, then its leader's signature event rewritten.
  const second = await ledgered(documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-03-03T02:00:00Z'), number: 8, pdfs }));
  await push(second);
  await hub!.caughtUp();
  const docId = String(second[0]!['_id']);
  assert.is(hub!.view.document(WARD, docId)!.verdict, 'valid');
  const sign = second.find((r) => r['action'] === 'sign')!;
  assert.is(await forge(sign, (d) => ({ ...d, actor: { user: 'mallory', role: 'leader', device: '' } })), 201);
  await hub!.caughtUp();
  const d = hub!.view.document(WARD, docId)!;
  assert.is(d.verdict, 'tampered', JSON.stringify(d.reasons));
  const steps = await hub!.view.steps!(WARD, docId);
  assert.not.ok(steps.some((s) => s.user === 'mallory'), 'the forged step is shown');
  assert.ok(steps.some((s) => s.action === 'sign'), 'the genuine signing step is gone from the steps');
});

test('a record whose content does not match its hash is tampered even with one branch, and is never folded', async () => {
  const third = await ledgered(documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-03-04T02:00:00Z'), number: 9, pdfs }));
  const issue = third.find((r) => r['action'] === 'issue')!;
  issue['comment'] = 'changed after hashing';
  await push(third);
  await hub!.caughtUp();
  const d = hub!.view.document(WARD, String(third[0]!['_id']))!;
  assert.is(d.verdict, 'tampered');
  assert.ok(d.reasons.some((r) => /does not match its hash/.test(r.en)), JSON.stringify(d.reasons));
});

test('the documents CSV names the tampered document, in Vietnamese and in English, with the reason', () => {
  const id = String(byId('doc:')['_id']);
  const rows = [...hub!.view.documents()].filter((d) => d.docId === id);
  const vi = toCsv(rows, DOCUMENT_COLUMNS, 'vi');
  const en = toCsv(rows, DOCUMENT_COLUMNS, 'en');
  assert.ok(vi.includes('Bị sửa đổi trái phép'), vi);
  assert.ok(en.includes('Tampered') && en.includes('branches'), en);
  assert.not.ok(en.includes('GIẢ MẠO'));
});

test('the hub walks the ward\'s audit chain: every entry so far holds', async () => {
  await hub!.caughtUp();
  const w = [...hub!.view.wards()].find((x) => x.ward === WARD)!;
  assert.equal(w.chain, { seq: chained.length, head, broken: null });
});

test('a record whose subject differs from the title in the PDF its leader signed is invalid, and says both', async () => {
  const titled = await signedPdfs(pki, 'titled', 'Quyết định về việc kiện toàn tổ dân phố');
  const same = await ledgered(documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-03-05T02:00:00Z'), number: 10, pdfs: titled }));
  const other = documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-03-05T03:00:00Z'), number: 11, pdfs: titled });
  (other[0]!['content'] as { subject: string }).subject = 'Quyết định về việc thu hồi đất';
  await push([...same, ...await ledgered(other)], [titled.leader, titled.sealed]);
  await hub!.caughtUp();
  assert.is(hub!.view.document(WARD, String(same[0]!['_id']))!.verdict, 'valid', 'the PDF\'s title and the record agree');
  const d = hub!.view.document(WARD, String(other[0]!['_id']))!;
  assert.is(d.verdict, 'invalid');
  assert.is(d.reasons[0]!.code, 'record_differs');
  assert.ok(d.reasons[0]!.en.includes('thu hồi đất') && d.reasons[0]!.en.includes('kiện toàn'), d.reasons[0]!.en);
});

test('restore --from-city brings back the genuine records, not the forged branches, and says how many were tampered', async () => {
  const restored = join(dir, 'restored');
  const fetched = await pullFromCity(restored, { url: `${city.url}${db}`, username: creds.username, password: creds.password });
  assert.ok(fetched.tampered >= 2, `tampered: ${fetched.tampered}`);
  const store = await openStore(restored);
  try {
    const doc = await store.docs.get<Record<string, unknown>>(String(byId('doc:')['_id']), { conflicts: true });
    assert.not.ok(JSON.stringify(doc['content']).includes('GIẢ MẠO'), 'the forged subject came home');
    assert.is(doc['_conflicts'], undefined, 'the forged branch came home as a conflict');
    const sign = await store.docs.get<Record<string, unknown>>(String(records.find((r) => r['action'] === 'sign')!['_id']), { conflicts: true });
    assert.is(sign['_conflicts'], undefined);
    // The third document's issue event never matched its hash: it is not restored at all.
    const audit = await store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff' });
    assert.equal(audit.rows.map((r) => r.id), chained, 'the audit chain came back whole');
  } finally { await store.close(); }
});

test('the ward\'s inbox pull takes the city\'s revision of a sent document and leaves a branch the ward added at the city', async () => {
  const sent = await sendToWards({ url: city.url, admin: CITY_ADMIN, wards: [WARD], pdf: pdfs.sealed, meta: { docType: 'CV', originalSymbol: '12/UBND-VP', originalDate: '2026-03-05', subject: 'Về việc trực Tết' } });
  const docId = sent.wards[0]!.docId;
  const genuine = (await couch(city.url, CITY_ADMIN, 'GET', `${db}/${encodeURIComponent(docId)}`)).body as Record<string, unknown>;
  // A branch that loses to the city's revision: the city's still matches the inbox selector, and both leaves are listed.
  const { _rev: _r, hash: _h, origin: _o, ...body } = genuine;
  const forged: Record<string, unknown> = { ...body, content: { ...(body['content'] as object), subject: 'Về việc GIẢ MẠO' } };
  forged['hash'] = await recordHash(forged);
  const put = await couch(city.url, wardUser(), 'POST', `${db}/_bulk_docs`, { new_edits: false, docs: [{ ...forged, _rev: `1-${'0'.repeat(32)}` }] });
  assert.is(put.status, 201);
  const fresh = new PouchDB(join(dir, 'inbox-ward'));
  const rep = wardReplicator(fresh, creds, city.url);
  try {
    await rep.syncNow();
    const got = await fresh.get<Record<string, unknown>>(docId, { conflicts: true });
    assert.is((got['content'] as { subject: string }).subject, 'Về việc trực Tết');
    assert.is(got['_conflicts'], undefined, 'the ward\'s forged branch came home');
    assert.is(got['origin'], 'city');
  } finally { await rep.stop(); await fresh.close(); }
});

test('a second branch of an audit entry breaks the ward\'s chain at that entry, for good, on the dashboard and in the CSV', async () => {
  const entry = (await couch(city.url, CITY_ADMIN, 'GET', `${db}/${chained[1]}`)).body as Record<string, unknown>;
  assert.is(await forge(entry, (d) => ({ ...d, writes: {} })), 201);
  // Something new from the ward, so the hub reads a page after the forgery too.
  await push(await ledgered(documentRecords({ ward: WARD, signing: 'none', at: new Date('2026-03-06T02:00:00Z') })));
  await hub!.caughtUp();
  const w = [...hub!.view.wards()].find((x) => x.ward === WARD)!;
  assert.is(w.chain?.broken?.at, 2, JSON.stringify(w.chain));
  const rows = syncRows(hub!.view.wards(), new Map(), new Date());
  const en = toCsv(rows, SYNC_COLUMNS, 'en');
  assert.ok(en.includes('Audit chain broken at entry') && /,2,"the entry has a second branch/.test(en), en);
});

test.run();
