// Ward settings on a real ward node: the admin sees the identity and the
// configuration the node runs with (never a credential), edits the agency's
// parent, name and place; bad edits are refused in both languages with
// nothing written; an edit is audited, shows on the next signed PDF
// (pdftotext), survives a restart and overrides the config file's values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleSignaturePng } from '../../certs/sample-images.js';
import { installWardCa, makeTestPki } from '../helpers/signing-fixtures.js';
import { Client, official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';

const CA_PIN = 'ward-ca-pin-2026';
const LEADER_PIN = '246810';
const CITY_PASSWORD = 'city-password-never-shown-0123';
const pki = makeTestPki();
const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-settings-'));
const work = mkdtempSync(join(tmpdir(), 'warddesk-settings-work-'));
const credentials = join(work, 'city-credentials.json');
// The config file's identity; the admin's edits must win over it, also after a restart.
const CONFIG = {
  ward: { code: 'phuc-xa', agencyParent: 'UBND QUẬN BA ĐÌNH', agencyName: 'UBND PHƯỜNG PHÚC XÁ', agencyCode: 'UBND', place: 'Phúc Xá' },
  registers: [{ key: 'qd', types: ['QĐ'] }, { key: 'chung', types: ['*'] }],
  // A city that is not there (port 9), with its password in the address too: neither may show.
  city: { url: `http://phuc-xa:${CITY_PASSWORD}@127.0.0.1:9/`, credentialsFile: credentials, intervalSeconds: 3600, backoffBaseSeconds: 3600 },
};
let ward: TestWard;
let specialist: Client;
let leader: Client;

const start = () => startTestWard(CONFIG, dataDir);

test.before(async () => {
  writeFileSync(credentials, JSON.stringify({ ward: 'phuc-xa', db: 'ward-phuc-xa', username: 'ward-phuc-xa', password: CITY_PASSWORD }));
  ward = await start();
  installWardCa(ward.node.signing.keys, pki, CA_PIN);
  specialist = await official(ward, 'chuyenvien', 'specialist');
  leader = await official(ward, 'lanhdao', 'leader', 'Nguyễn Văn An');
  assert.is((await ward.admin.post('/api/certificates', { holder: 'lanhdao', caPin: CA_PIN, pin: LEADER_PIN })).status, 201);
  await leader.request('PUT', '/api/me/signature-image', sampleSignaturePng(), { 'content-type': 'image/png' });
});
test.after(async () => {
  await ward?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Drafts, approves and signs a document; returns the text of the signed PDF. */
async function signedPdfText(): Promise<string> {
  const id = (await specialist.post('/api/documents/outgoing', sampleDraft())).body.id as string;
  await specialist.post(`/api/documents/${id}/actions/submit`);
  await leader.post(`/api/documents/${id}/actions/approve`);
  const signed = await leader.post(`/api/documents/${id}/actions/sign`, { data: { pin: LEADER_PIN } });
  assert.is(signed.status, 200, JSON.stringify(signed.body));
  const sha = (await leader.get(`/api/documents/${id}/verification`)).body.pdf as string;
  const pdf = await fetch(`${ward.url}/api/blobs/${sha}`, { headers: { cookie: leader.cookie } });
  const file = join(work, `${sha}.pdf`);
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

test('the admin sees the identity, registers and city link the node runs with, and no credential', async () => {
  const r = await ward.admin.get('/api/settings');
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ward, { ...CONFIG.ward });
  assert.equal(r.body.overridden, []);
  assert.equal(r.body.registers, CONFIG.registers);
  assert.is(r.body.city.url, 'http://127.0.0.1:9/');
  assert.is(r.body.city.credentials, true);
  assert.is(r.body.city.sync.configured, true);
  assert.is(r.body.city.sync.upToDate, false);
  const text = JSON.stringify(r.body);
  assert.not.ok(text.includes(CITY_PASSWORD), 'the city password is never shown');
  assert.not.ok(text.includes(credentials), 'nor where the credentials file lies');
  assert.is((await leader.get('/api/settings')).status, 403);
  assert.is((await leader.request('PATCH', '/api/settings', { agencyName: 'UBND PHƯỜNG KHÁC' })).body.code, 'forbidden');
});

test('bad edits are refused in Vietnamese and English and write nothing', async () => {
  const audit = ward.node.ledger.length;
  const cases: unknown[] = [
    {}, { agencyName: '' }, { agencyName: ' ' }, { agencyName: 'A'.repeat(121) }, { agencyName: 'UBND\nPHƯỜNG' }, { place: 'Phúc\u202eXá' },
    { agencyName: 42 }, { agencyCode: 'XYZ' }, { code: 'other-ward' }, { agencyName: 'UBND PHƯỜNG MỚI', city: { url: 'http://evil' } }, [],
  ];
  for (const body of cases) {
    const r = await ward.admin.request('PATCH', '/api/settings', body);
    assert.is(r.status, 400, `${JSON.stringify(body)} → ${r.status}`);
    assert.is(r.body.code, 'invalid_input');
    assert.ok(r.body.message.vi && r.body.message.en);
    assert.ok(r.body.details?.length > 0 && r.body.details.every((d: { vi: string; en: string }) => d.vi && d.en), JSON.stringify(r.body));
  }
  assert.is(ward.node.ledger.length, audit);
  assert.not.ok(existsSync(join(dataDir, 'ward-settings.json')));
  assert.equal(ward.node.settings.current(), { ...CONFIG.ward });
});

test('an edit is audited and the next signed PDF carries the new agency name and place', async () => {
  assert.match(await signedPdfText(), /UBND PHƯỜNG PHÚC XÁ.*Phúc Xá, ngày/);
  const r = await ward.admin.request('PATCH', '/api/settings', { agencyName: 'UBND Phường Điện Biên', place: 'Điện Biên' });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ward, { ...CONFIG.ward, agencyName: 'UBND Phường Điện Biên', place: 'Điện Biên' });
  assert.equal(r.body.overridden, ['agencyName', 'place']);
  const text = await signedPdfText();
  assert.match(text, /UBND PHƯỜNG ĐIỆN BIÊN/);
  assert.match(text, /Điện Biên, ngày/);
  assert.not.match(text, /PHÚC XÁ/);
  assert.ok(text.includes('UBND QUẬN BA ĐÌNH'), 'the parent agency is untouched');
  const entries = (await ward.node.store.docs.allDocs({ startkey: 'audit:', endkey: 'audit:\uffff', include_docs: true })).rows.map((row) => row.doc as unknown as { action: string; target: string; actor: { user: string } });
  assert.ok(entries.some((e) => e.action === 'settings.ward' && e.target === 'agencyName,place' && e.actor.user === 'admin'));
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);
});

test('the edit survives a restart and overrides the config file; the seal certificate takes the new name', async () => {
  await ward.node.close();
  ward = await start();
  leader = new Client(ward.url);
  specialist = new Client(ward.url);
  await leader.login('lanhdao', 'lanhdao-real-password');
  await specialist.login('chuyenvien', 'chuyenvien-real-password');
  const r = await ward.admin.get('/api/settings');
  assert.equal(r.body.ward, { ...CONFIG.ward, agencyName: 'UBND Phường Điện Biên', place: 'Điện Biên' });
  assert.equal(r.body.fromConfig, { agencyParent: CONFIG.ward.agencyParent, agencyName: CONFIG.ward.agencyName, place: CONFIG.ward.place });
  assert.match(await signedPdfText(), /UBND PHƯỜNG ĐIỆN BIÊN.*Điện Biên, ngày/);
  const seal = await ward.admin.post('/api/certificates', { holder: 'seal', caPin: CA_PIN, pin: '135790' });
  assert.is(seal.status, 201);
  assert.match(new X509Certificate(seal.body.certificate).subject, /UBND Phường Điện Biên/);
});

test('the admin can clear the parent agency, as a UBND under two-tier local government has none, and the next PDF starts with the ward', async () => {
  const r = await ward.admin.request('PATCH', '/api/settings', { agencyParent: '' });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.is(r.body.ward.agencyParent, '');
  const text = await signedPdfText();
  assert.not.ok(text.includes('QUẬN'), 'no district line');
  assert.ok(text.trimStart().startsWith('UBND PHƯỜNG ĐIỆN BIÊN'), text.slice(0, 80));
  const blank = await ward.admin.request('PATCH', '/api/settings', { agencyParent: ' ' });
  assert.is(blank.status, 400, 'a lone space is neither a name nor a clear');
});

test.run();
