// `warddesk city doctor` against a real embedded city: a healthy city passes
// (the throwaway ward's writes accepted and refused as the rules say), a
// broken one gets a FAIL per fault with its fix and a non-zero exit, the
// throwaway ward never stays behind, and an unreachable city is one FAIL line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initCity } from '../../node/city/init.js';
import { runDoctor } from '../../node/city/doctor.js';
import { RULES_VERSION } from '../../sync/city-contract.js';
import { startTestCity, couch, CITY_ADMIN, type TestCity } from '../helpers/city.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
let city: TestCity;
let out: string;

/** The CLI in its own process, asynchronously: a blocked event loop would leave this process's kept-alive sockets to the city stale. */
function doctor(url: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'city', 'doctor', url], {
      env: { ...process.env, WARDDESK_CITY_ADMIN: `${CITY_ADMIN.name}:${CITY_ADMIN.password}` }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What the throwaway wards may leave: their databases and their users. */
async function leftovers(): Promise<string[]> {
  const dbs = (await couch(city.url, CITY_ADMIN, 'GET', '/_all_dbs')).body as string[];
  const users = (await couch(city.url, CITY_ADMIN, 'GET', '/_users/_all_docs')).body.rows as { id: string }[];
  return [...dbs.filter((d) => d.startsWith('ward_doctor-')), ...users.map((u) => u.id).filter((id) => id.startsWith('org.couchdb.user:ward-doctor-'))];
}

test.before(async () => {
  city = await startTestCity();
  out = mkdtempSync(join(tmpdir(), 'warddesk-doctor-creds-'));
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuc-xa', 'cong-vi'], outDir: out });
});
test.after(async () => { await city.destroy(); rmSync(out, { recursive: true, force: true }); });

test('a healthy embedded city passes every check: the rules accept the valid record and refuse the forged one', async () => {
  const results = await runDoctor({ url: city.url, admin: CITY_ADMIN });
  assert.equal(results.filter((r) => r.status !== 'ok'), []);
  assert.equal(results.map((r) => r.check), ['server', 'smoke:accepted', 'smoke:refused', 'smoke:isolation', 'security', 'limits', 'rules']);
  assert.match(results[0]!.en, /embedded WardDesk city \(express-pouchdb/);
  assert.match(results.find((r) => r.check === 'smoke:refused')!.en, /403: event .* belongs to ward /);
  assert.match(results.find((r) => r.check === 'limits')!.en, /not applicable/);
  for (const r of results) assert.ok(r.vi.length > 0 && r.en.length > 0, `${r.check} speaks both languages`);
});

test('the CLI prints one OK line per check and exits 0 on a healthy city', async () => {
  const r = await doctor(city.url);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 7, r.stdout);
  for (const line of lines) assert.match(line, /^OK {4}\S+: .+ \/ .+$/);
});

test('leaves no throwaway ward behind: no ward_doctor-* database, no ward-doctor-* user', async () => {
  assert.equal(await leftovers(), []);
});

test('an extra member in a ward\'s _security and older rules in another ward each FAIL with the fix, and the CLI exits 1', async () => {
  const security = await couch(city.url, CITY_ADMIN, 'PUT', '/ward_cong-vi/_security', { admins: { names: [], roles: ['_admin'] }, members: { names: ['ward-cong-vi', 'ward-phuc-xa'], roles: [] } });
  assert.is(security.status, 200);
  const ddoc = (await couch(city.url, CITY_ADMIN, 'GET', '/ward_phuc-xa/_design/warddesk')).body;
  assert.is((await couch(city.url, CITY_ADMIN, 'PUT', '/ward_phuc-xa/_design/warddesk', { ...ddoc, rulesVersion: RULES_VERSION - 1 })).status, 201);

  const results = await runDoctor({ url: city.url, admin: CITY_ADMIN });
  const failed = results.filter((r) => r.status === 'fail');
  assert.equal(failed.map((r) => r.check), ['security:ward_cong-vi', 'rules:ward_phuc-xa']);
  assert.match(failed[0]!.en, /members \["ward-cong-vi","ward-phuc-xa"\], expected \["ward-cong-vi"\]/);
  assert.is(failed[0]!.fix?.en, `run warddesk city init ${city.url} --wards cong-vi`);
  assert.match(failed[1]!.en, new RegExp(`older rules \\(rulesVersion ${RULES_VERSION - 1}, current ${RULES_VERSION}\\)`));
  assert.is(failed[1]!.fix?.en, `run warddesk city init ${city.url} --wards phuc-xa`);

  const r = await doctor(city.url);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL {2}security:ward_cong-vi: .+\n {6}→ sửa: chạy warddesk city init .+ --wards cong-vi \/ fix: run warddesk city init .+ --wards cong-vi$/m);
  assert.match(r.stdout, /^FAIL {2}rules:ward_phuc-xa: .+older rules.+\n {6}→ sửa: .+ \/ fix: run warddesk city init .+ --wards phuc-xa$/m);
  assert.equal(await leftovers(), [], 'the throwaway ward is gone after a run that found faults too');
});

test('running the fix (city init again) makes the same city pass again', async () => {
  await initCity({ url: city.url, admin: CITY_ADMIN, wards: ['phuc-xa', 'cong-vi'], outDir: out });
  const results = await runDoctor({ url: city.url, admin: CITY_ADMIN });
  assert.equal(results.filter((r) => r.status !== 'ok'), []);
});

test('an unreachable URL gives one clear FAIL line, not a stack trace', async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  const r = await doctor(`http://127.0.0.1:${port}`);
  assert.is(r.status, 1);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /^FAIL {2}server: không kết nối được máy chủ thành phố http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) \/ cannot reach the city server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n {6}→ sửa: .+ \/ fix: check the address, the port and the network; is the server running\?\n$/);
});

test.run();
