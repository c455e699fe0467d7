// Revoking a certificate over HTTP on a real ward node with a real ward CA:
// the admin revokes the leader's certificate with the CA's PIN; the ward CA's
// CRL (parsed with certs/) lists the serial, the same list is stored as
// crl:<ward>:<n> for the city and the audit chain records who did it; the
// revoked leader can no longer sign (vi+en), and a new enrolment signs again.
// Each refusal (bad reason, wrong CA PIN, unknown serial, the ward CA itself,
// twice, not the admin) answers 4xx in both languages and changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleSignaturePng } from '../../certs/sample-images.js';
import { readCrl } from '../../certs/crl.js';
import { normalizeSerial } from '../../certs/revocation.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { official, sampleDraft, startTestWard, type Client, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const pki = makeTestPki();
let ward: TestWard;
let specialist: Client;
let leader: Client;
let serial = '';

test.before(async () => {
  ward = await startTestWard();
  installWardCa(ward.node.signing.keys, pki, CA_PIN);
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  const enrolled = await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN });
  assert.is(enrolled.status, 201, JSON.stringify(enrolled.body));
  serial = enrolled.body.serial;
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
});
test.after(async () => { await ward.stop(); });

async function approved(): Promise<string> {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  return id;
}

/** What a refusal must leave alone: the CRL file, the register, the store and the audit chain. */
async function snapshot() {
  const dir = ward.node.signing.keys.dir;
  return {
    crl: readFileSync(join(dir, 'ward-ca.crl')).toString('base64'),
    list: (await ward.admin.get('/api/certificates')).body.items.map((c: { serial: string; revoked: unknown }) => [c.serial, c.revoked]),
    seq: (await ward.node.store.docs.info()).update_seq,
    audit: ward.node.ledger.length,
  };
}

const caSerial = () => pki.serialOf(pki.wardCaPem);

test('every refusal to revoke is a 4xx in Vietnamese and English and changes nothing', async () => {
  const before = await snapshot();
  const cases: [Client, string, unknown, number, string][] = [
    [ward.admin, serial, { caPin: CA_PIN, reason: 'boredom' }, 400, 'revocation_reason_invalid'],
    [ward.admin, serial, { caPin: 'not-the-ca-pin', reason: 'keyCompromise' }, 401, 'wrong_ca_pin'],
    [ward.admin, 'abcdef0123', { caPin: CA_PIN, reason: 'keyCompromise' }, 404, 'certificate_not_found'],
    [ward.admin, 'not-hex!', { caPin: CA_PIN, reason: 'keyCompromise' }, 400, 'invalid_serial'],
    [ward.admin, caSerial(), { caPin: CA_PIN, reason: 'cACompromise' }, 409, 'cannot_revoke_ward_ca'],
    [ward.admin, serial, { reason: 'keyCompromise' }, 400, 'invalid_input'],
    [ward.admin, serial, { caPin: CA_PIN, reason: 'keyCompromise', extra: true }, 400, 'invalid_input'],
    [leader, serial, { caPin: CA_PIN, reason: 'keyCompromise' }, 403, 'forbidden'],
  ];
  for (const [client, s, body, status, code] of cases) {
    const r = await client.post(`/api/certificates/${encodeURIComponent(s)}/revoke`, body);
    assert.is(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
    assert.is(r.body.code, code);
    assert.ok(r.body.message.vi && r.body.message.en, code);
  }
  assert.equal(await snapshot(), before);
});

test('the admin revokes the leader: the CRL lists the serial, the list is stored for the city, the audit records it', async () => {
  const r = await ward.admin.post(`/api/certificates/${serial.toUpperCase()}/revoke`, { caPin: CA_PIN, reason: 'keyCompromise' });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal({ holder: r.body.holder, serial: r.body.serial, reason: r.body.reason, by: r.body.by }, { holder: 'user.lanhdao', serial: normalizeSerial(serial), reason: 'keyCompromise', by: 'admin' });

  const crl = readCrl(readFileSync(join(ward.node.signing.keys.dir, 'ward-ca.crl')));
  assert.is(crl.crlNumber, r.body.crlNumber);
  assert.ok(crl.crlNumber > 1, 'a new list, numbered after the installed one');
  assert.ok(crl.revoked.has(normalizeSerial(serial)), [...crl.revoked.keys()].join());
  assert.ok(crl.signedBy(pki.wardCaPem), 'signed by the ward CA');
  // The CRL anyone logged in downloads is the new one.
  const download = await fetch(`${ward.url}/api/certificates/crl`, { headers: { cookie: specialist.cookie } });
  assert.is(readCrl(Buffer.from(await download.arrayBuffer())).crlNumber, crl.crlNumber);

  // The replicated record the city receives (crl:<ward>:<n>) carries the same list.
  const doc = await ward.node.store.docs.get(`crl:phuong-mau:${String(crl.crlNumber).padStart(6, '0')}`) as unknown as { der: string; issuer: string };
  assert.is(doc.issuer, 'phuong-mau');
  assert.ok(readCrl(Buffer.from(doc.der, 'base64')).revoked.has(normalizeSerial(serial)));
  assert.not.ok(await ward.node.signing.publishCrl(), 'the minute publisher finds the list already stored');

  const mine = (await ward.admin.get('/api/certificates')).body.items.find((c: { holder: string }) => c.holder === 'user.lanhdao');
  assert.is(mine.revoked.reason, 'keyCompromise');
  const entries = (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((row) => row.doc as unknown as { action: string; target: string; actor: { user: string } });
  assert.ok(entries.some((e) => e.action === 'certificate.revoke' && e.target === `user.lanhdao:${normalizeSerial(serial)}` && e.actor.user === 'admin'));
  assert.not.match(JSON.stringify(entries), new RegExp(CA_PIN));
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);

  const again = await ward.admin.post(`/api/certificates/${serial}/revoke`, { caPin: CA_PIN, reason: 'superseded' });
  assert.is(again.status, 409);
  assert.is(again.body.code, 'certificate_already_revoked');
  assert.ok(again.body.message.vi && again.body.message.en);
});

test('the revoked leader cannot sign, even with the right PIN; the document stays approved', async () => {
  const id = await approved();
  const r = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(r.status, 409, JSON.stringify(r.body));
  assert.is(r.body.code, 'certificate_revoked');
  assert.match(r.body.message.vi, /thu hồi/);
  assert.match(r.body.message.en, /revoked/);
  assert.is((await leader.get(`/api/documents/${id}`)).body.state, 'approved');
});

test('a new enrolment gives the leader a fresh certificate that signs again', async () => {
  const enrolled = await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN });
  assert.is(enrolled.status, 201);
  assert.is.not(enrolled.body.serial, serial);
  const id = await approved();
  const r = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.state, 'signed');
});

test.run();
