// `city init` and the rules' design document on the embedded city: an older
// design document (rules version 4, the zod bundle CouchDB 3.4's QuickJS
// could not run) is upgraded in place, and running init again with the same
// rules writes no new revision.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCity } from '../../node/city/init.js';
import { DESIGN_DOC_ID, INBOX_SELECTOR, RULES_VERSION } from '../../sync/city-contract.js';
import { wardDesignDoc } from '../../sync/validate-doc-update.js';
import { startTestCity, couch, CITY_ADMIN, type TestCity } from '../helpers/city.js';

const WARD = 'phuc-xa';
const DDOC = `/ward_${WARD}/${DESIGN_DOC_ID}`;
let city: TestCity;
let out: string;

test.before(async () => {
  city = await startTestCity();
  out = mkdtempSync(join(tmpdir(), 'warddesk-init-'));
});
test.after(async () => { await city.destroy(); rmSync(out, { recursive: true, force: true }); });

test('city init replaces an older rules design document in place with the current one', async () => {
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', `/ward_${WARD}`)).status, 201);
  const old = { language: 'javascript', rulesVersion: 4, ward: WARD, inboxSelector: INBOX_SELECTOR, validate_doc_update: 'function (newDoc) { var big = BigInt(1); }' };
  const put = await couch(city.url, CITY_ADMIN, 'PUT', DDOC, old);
  assert.is(put.status, 201, JSON.stringify(put.body));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: out });
  const { _rev: rev, ...installed } = (await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body as Record<string, unknown>;
  assert.equal(installed, await wardDesignDoc(WARD));
  assert.is(installed['rulesVersion'], RULES_VERSION);
  assert.ok(RULES_VERSION > 4);
  assert.match(String(rev), /^2-/, 'the same document, one revision on');
});

test('running city init again with the same rules writes no new design document revision', async () => {
  const before = (await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body._rev as string;
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: out });
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: out });
  assert.is((await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body._rev, before);
});

test('city init refuses to downgrade rules newer than its own, and leaves them as they are', async () => {
  const current = (await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body as Record<string, unknown>;
  const newer = await couch(city.url, CITY_ADMIN, 'PUT', DDOC, { ...current, rulesVersion: RULES_VERSION + 1 });
  assert.is(newer.status, 201);
  try {
    await initCity({ url: city.url, admin: CITY_ADMIN, wards: [WARD], outDir: out });
    assert.unreachable('init downgraded the rules');
  } catch (err) {
    assert.match(String(err), /newer than this WardDesk/);
  }
  assert.is((await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body._rev, newer.body.rev);
});

test('a ward write is accepted by the upgraded rules', async () => {
  const creds = JSON.parse(readFileSync(join(out, `${WARD}.credentials.json`), 'utf8')) as { username: string; password: string };
  // Back to this version's rules: the previous test left a newer version installed.
  const current = (await couch(city.url, CITY_ADMIN, 'GET', DDOC)).body as Record<string, unknown>;
  await couch(city.url, CITY_ADMIN, 'PUT', DDOC, { ...(await wardDesignDoc(WARD)), _rev: current['_rev'] });
  const doc = {
    type: 'document', ward: WARD, direction: 'outgoing', createdAt: '2026-03-02T09:00:00+07:00', createdBy: 'chuyenvien',
    content: { docType: 'QĐ', subject: 'Quyết định thử', body: '', recipients: [], attachments: [] },
  };
  const r = await couch(city.url, { name: creds.username, password: creds.password }, 'PUT', `/ward_${WARD}/doc:out:0123456789abcdef`, doc);
  assert.is(r.status, 201, JSON.stringify(r.body));
  const forged = await couch(city.url, { name: creds.username, password: creds.password }, 'PUT', `/ward_${WARD}/doc:out:0123456789abcdee`, { ...doc, ward: 'cong-vi' });
  assert.is(forged.status, 403, JSON.stringify(forged.body));
});

test.run();
