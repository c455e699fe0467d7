// The city hub against a real embedded city over HTTP: ward data arrives the
// way a ward's replicator pushes it (through the city's validate_doc_update),
// with PDFs really signed by certs/, and the hub's verdicts are checked —
// valid, paper, unsigned, forged, another CA, not yet arrived, revoked later —
// then a restart resumes without judging everything again, and a new ward
// database is followed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { createCrl } from '../../certs/crl.js';
import { initCity } from '../../node/city/init.js';
import { startHub, type Hub } from '../../node/city/hub-ingest.js';
import { WardCredentials, crlId } from '../../sync/city-contract.js';
import type { HubDocument } from '../../sync/hub-records.js';
import { startTestCity, CITY_ADMIN, type TestCity } from '../helpers/city.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { documentRecords, leaderSigned, sha256, signedPdfs, work, type SignedPdfs } from '../helpers/hub-fixtures.js';
import { untilUpToDate, wardReplicator, writeChunked } from '../helpers/sync-data.js';

const WARD = 'phuong-hub';
const dir = mkdtempSync(join(tmpdir(), 'warddesk-hub-'));
const pki = makeTestPki();
let city: TestCity;
let local: PouchDB.Database;
let hub: Hub | null = null;
let pdfs: SignedPdfs;
const ids: Record<string, string> = {};

const credentials = (ward: string) => WardCredentials.parse(JSON.parse(readFileSync(join(dir, 'creds', `${ward}.credentials.json`), 'utf8')));
const wardCrl = (n: number, revoked: { serial: string; date: Date; reason: 'keyCompromise' }[] = []) => createCrl({
  issuerCertPem: pki.wardCaPem, issuerKey: pki.wardCa.privateKey, revoked, crlNumber: n,
  thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000),
});
const crlDoc = (n: number, der: Buffer) => ({ _id: crlId(WARD, n), type: 'crl', issuer: WARD, crlNumber: n, thisUpdate: new Date().toISOString(), der: der.toString('base64') });

/** Writes records and files into the ward's store and pushes them to the city with the ward's own replicator. */
async function push(db: PouchDB.Database, ward: string, records: Record<string, unknown>[], files: Buffer[] = []): Promise<void> {
  await writeChunked(db, work(records, files));
  const rep = wardReplicator(db, credentials(ward), city.url);
  try { await rep.syncNow(); await untilUpToDate(rep, 30_000); } finally { await rep.stop(); }
}

async function openHub(): Promise<Hub> {
  hub = await startHub({ url: city.url, admin: CITY_ADMIN, dataDir: join(dir, 'hub'), roots: [pki.rootPem], rootCrls: [pki.crl()[1]!], discoverMs: 200, longpollMs: 500, log: () => undefined });
  return hub;
}

const verdictOf = (docId: string): HubDocument => {
  const d = hub!.view.document(WARD, docId);
  assert.ok(d, `the hub has no record of ${docId}`);
  return d!;
};

test.before(async () => {
  city = await startTestCity();
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: join(dir, 'creds') });
  local = new PouchDB(join(dir, WARD));
  pdfs = await signedPdfs(pki);
});
test.after(async () => {
  await hub?.close().catch(() => undefined);
  await local.close();
  await city.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test('signed and sealed, signed on paper, and a draft get valid, paper and unsigned; the issue week and number are kept', async () => {
  const at = new Date('2026-01-05T02:00:00Z'); // Monday 09:00 in Hà Nội
  const digital = documentRecords({ ward: WARD, signing: 'digital', at, number: 5, pdfs });
  const paper = documentRecords({ ward: WARD, signing: 'paper', at, number: 6 });
  const draft = documentRecords({ ward: WARD, signing: 'none', at });
  [ids['digital'], ids['paper'], ids['draft']] = [digital[0]!['_id'] as string, paper[0]!['_id'] as string, draft[0]!['_id'] as string];
  await push(local, WARD, [crlDoc(1, wardCrl(1)), ...digital, ...paper, ...draft], [pdfs.leader, pdfs.sealed]);
  await openHub();
  await hub!.caughtUp();
  const d = verdictOf(ids['digital']!);
  assert.is(d.verdict, 'valid', JSON.stringify(d.reasons));
  assert.equal(d.signatures.map((s) => `${s.role}:${s.status}`), ['leader:valid', 'agency:valid']);
  assert.is(d.signing, 'digital');
  assert.is(d.symbol, '05/QĐ-UBND');
  assert.is(d.week, '2026-W02');
  assert.is(d.state, 'issued');
  assert.equal(d.pdf, { sha256: sha256(pdfs.sealed), size: pdfs.sealed.length, complete: true });
  assert.is(verdictOf(ids['paper']!).verdict, 'paper');
  assert.is(verdictOf(ids['draft']!).verdict, 'unsigned');
  assert.is(verdictOf(ids['draft']!).state, 'draft');
  const ward = [...hub!.view.wards()].find((w) => w.ward === WARD)!;
  assert.ok(ward.lastSeenAt, 'the ward was seen');
  assert.is(ward.pendingFiles, 0);
  assert.is(hub!.stats.verifications, 1, 'one digitally signed document, one verification');
});

test('a PDF changed after signing, and a leader certified by another CA, are flagged invalid with reasons in Vietnamese and English', async () => {
  const forged = Buffer.from(pdfs.sealed);
  // One bit inside the first content stream: the file still parses, the signed digest no longer matches.
  const at = forged.indexOf('stream\n') + 60;
  forged[at] = forged[at]! ^ 0x01;
  const forgedDoc = documentRecords({ ward: WARD, signing: 'digital', at: new Date('2026-01-06T02:00:00Z'), number: 7, pdfs, pdfSha: sha256(forged) });
  ids['forged'] = forgedDoc[0]!['_id'] as string;
  // The seal refuses to go on a stranger's signature, so the stranger's document stops at the leader's step.
  const strangers = await leaderSigned(pki.stranger);
  const stranger = documentRecords({ ward: WARD, signing: 'digital', issued: false, at: new Date('2026-01-06T03:00:00Z'), pdfs: { leader: strangers, sealed: strangers } });
  ids['stranger'] = stranger[0]!['_id'] as string;
  const records = [...forgedDoc, ...stranger];
  const files = [forged, strangers];
  await push(local, WARD, records, files);
  await hub!.caughtUp();
  const f = verdictOf(ids['forged']!);
  assert.is(f.verdict, 'invalid');
  assert.ok(f.reasons.length > 0 && f.reasons.every((r) => r.vi && r.en), JSON.stringify(f.reasons));
  assert.ok(f.reasons.some((r) => r.code === 'digest_mismatch'), JSON.stringify(f.reasons.map((r) => r.code)));
  const s = verdictOf(ids['stranger']!);
  assert.is(s.verdict, 'invalid');
  assert.ok(s.reasons.some((r) => r.code === 'untrusted_chain'), JSON.stringify(s.reasons.map((r) => r.code)));
});

test('a signed document whose PDF has not arrived is unverifiable, never valid, and turns valid when the file comes', async () => {
  const late = await leaderSigned(pki.leader, 'late');
  const records = documentRecords({ ward: WARD, signing: 'digital', issued: false, at: new Date('2026-01-07T02:00:00Z'), pdfs: { leader: late, sealed: late } });
  ids['late'] = records[0]!['_id'] as string;
  await push(local, WARD, records);
  await hub!.caughtUp();
  const before = verdictOf(ids['late']!);
  assert.is(before.verdict, 'unverifiable');
  assert.is(before.reasons[0]!.code, 'file_pending');
  assert.is(before.pdf?.complete, false);
  assert.is([...hub!.view.wards()].find((w) => w.ward === WARD)!.pendingFiles, 1);
  await push(local, WARD, [], [late]);
  await hub!.caughtUp();
  const after = verdictOf(ids['late']!);
  assert.is(after.verdict, 'valid', JSON.stringify(after.reasons));
  assert.is([...hub!.view.wards()].find((w) => w.ward === WARD)!.pendingFiles, 0);
  assert.ok(await hub!.view.file(WARD, sha256(late)), 'the dashboard can open the PDF');
});

test('when the ward revokes its leader, the hub judges that leader\'s documents again and flags them unverifiable (no timestamp proves when they were signed)', async () => {
  await push(local, WARD, [crlDoc(2, wardCrl(2, [{ serial: pki.serialOf(pki.leader.chain[0]!), date: new Date(), reason: 'keyCompromise' }]))]);
  await hub!.caughtUp();
  const d = verdictOf(ids['digital']!);
  // Revoked now, and nothing proves the signature was made before (no timestamp): unknown, never valid (PAdES, issue 14).
  assert.is(d.verdict, 'unverifiable');
  assert.ok(d.reasons.some((r) => r.code === 'revoked'), JSON.stringify(d.reasons.map((r) => r.code)));
  assert.ok(d.reasons.some((r) => r.code === 'signing_time_unproven'), JSON.stringify(d.reasons.map((r) => r.code)));
  assert.is(verdictOf(ids['paper']!).verdict, 'paper', 'paper documents are not touched');
});

test('after a restart the hub resumes from its checkpoints: old verdicts kept without judging again, changes made meanwhile picked up', async () => {
  const before = [...hub!.view.documents()].length;
  await hub!.close();
  const more = documentRecords({ ward: WARD, signing: 'paper', at: new Date('2026-01-08T02:00:00Z'), number: 9 });
  await push(local, WARD, more);
  await openHub();
  assert.is([...hub!.view.documents()].length, before, 'records are back from disk before any change is read');
  await hub!.caughtUp();
  assert.is(hub!.stats.verifications, 0, 'nothing was verified again');
  assert.is(verdictOf(more[0]!['_id'] as string).verdict, 'paper');
  assert.is(verdictOf(ids['digital']!).verdict, 'unverifiable', 'the revocation verdict survived the restart');
});

test('a ward database created after the hub started is followed', async () => {
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuong-moi'], outDir: join(dir, 'creds') });
  const db = new PouchDB(join(dir, 'phuong-moi'));
  try {
    const records = documentRecords({ ward: 'phuong-moi', signing: 'paper', at: new Date('2026-01-09T02:00:00Z') });
    await push(db, 'phuong-moi', records);
    await hub!.caughtUp();
    assert.is(hub!.view.document('phuong-moi', records[0]!['_id'] as string)?.verdict, 'paper');
  } finally { await db.close(); }
});

test.run();
