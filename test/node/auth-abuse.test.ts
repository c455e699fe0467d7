// Login abuse and account administration edges (issue 15): throttling that
// tells nobody who exists, a recovery path for the admin, failed logins
// audited in batches, and the user-administration defects found by the attack
// run. Clients other than the node's console connect from 127.0.0.x (x ≥ 2),
// as other machines on the LAN would (test/helpers/lan-client.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '../../node/audit.js';
import { Client, official, startTestWard, type TestWard } from '../helpers/ward.js';
import { LanClient } from '../helpers/lan-client.js';

let ward: TestWard;

test.before(async () => { ward = await startTestWard({ lockout: { maxFailures: 5, minutes: 15 } }); });
test.after(async () => { await ward.stop(); });

const login = (c: Client, username: string, password: string) => c.post('/api/auth/login', { username, password });

async function auditEntries(): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of ward.node.ledger.entries()) out.push(e);
  return out;
}

test('an unknown user name locks after as many failures as a real one, with the very same answer: a lock tells nobody who exists', async () => {
  await official(ward, 'real1', 'specialist');
  const toGhost = new LanClient(ward.url, '127.0.0.11');
  const toReal = new LanClient(ward.url, '127.0.0.12');
  for (let i = 0; i < 4; i += 1) {
    assert.is((await login(toGhost, 'ghost1', `wrong-${i}`)).status, 401);
    assert.is((await login(toReal, 'real1', `wrong-${i}`)).status, 401);
  }
  const [ghost, real] = [await login(toGhost, 'ghost1', 'wrong-5'), await login(toReal, 'real1', 'wrong-5')];
  assert.is(real.status, 429);
  assert.is(ghost.status, 429, 'unknown names lock too');
  assert.equal(ghost.body, real.body);
  assert.is(ghost.headers.get('retry-after'), real.headers.get('retry-after'));
  const [ghostAgain, realAgain] = [await login(toGhost, 'ghost1', 'x-guess-1234'), await login(toReal, 'real1', 'real1-real-password')];
  assert.equal([ghostAgain.status, realAgain.status], [429, 429]);
  assert.equal(ghostAgain.body, realAgain.body);
});

test('a flood of unknown names from one address locks that address, and only that one', async () => {
  await official(ward, 'real2', 'specialist');
  const attacker = new LanClient(ward.url, '127.0.0.20');
  const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => login(attacker, `nobody${i}`, `guess-${i}-xxxx`)));
  const statuses = replies.map((r) => r.status);
  assert.is(statuses.filter((s) => s === 401).length, 19, statuses.join(','));
  assert.is(statuses.filter((s) => s === 429).length, 5, statuses.join(','));
  assert.is((await login(attacker, 'real2', 'real2-real-password')).status, 429, 'not even a right password from there');
  assert.is((await login(new LanClient(ward.url, '127.0.0.21'), 'real2', 'real2-real-password')).status, 200, 'another machine logs in');
});

test('the admin, locked out from the LAN, still logs in at the node\'s own console; an admin\'s reset lifts an official\'s lock', async () => {
  const attacker = new LanClient(ward.url, '127.0.0.30');
  for (let i = 0; i < 5; i += 1) await login(attacker, 'admin', `guess-${i}-xxxx`);
  assert.is((await login(new LanClient(ward.url, '127.0.0.31'), 'admin', 'admin-password-1')).status, 429, 'locked from the LAN');
  const console = new Client(ward.url); // 127.0.0.1: the server's own screen
  assert.is((await login(console, 'admin', 'admin-password-1')).status, 200);
  // An official locked out by someone else gets back in with the one-time password the admin hands over.
  await official(ward, 'real3', 'clerk');
  for (let i = 0; i < 5; i += 1) await login(attacker, 'real3', `guess-${i}-xxxx`);
  const reset = await console.post('/api/users/real3/reset-password');
  assert.is(reset.status, 200);
  assert.is((await login(new LanClient(ward.url, '127.0.0.32'), 'real3', String(reset.body.oneTimePassword))).status, 200);
});

test('`warddesk admin unlock` on the server lifts a lock set from the LAN; its socket is the node account\'s alone', async () => {
  await official(ward, 'real7', 'leader');
  const attacker = new LanClient(ward.url, '127.0.0.35');
  for (let i = 0; i < 5; i += 1) await login(attacker, 'real7', `guess-${i}-xxxx`);
  const pc = new LanClient(ward.url, '127.0.0.36');
  assert.is((await login(pc, 'real7', 'real7-real-password')).status, 429);
  assert.is(statSync(join(ward.dataDir, 'admin.sock')).mode & 0o777, 0o600);
  // Not execFileSync: this process is the node, and must answer the command.
  const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'node/cli.ts', 'admin', 'unlock', 'real7'], { env: { ...process.env, WARDDESK_DATA_DIR: ward.dataDir }, encoding: 'utf8', timeout: 60_000 });
  assert.match(out, /login locks lifted: real7 \(1\)/);
  assert.is((await login(pc, 'real7', 'real7-real-password')).status, 200);
});

test('failed logins are audited in batches, at most one write a second, and every attempt is there with who, from where and when', async () => {
  await official(ward, 'real6', 'specialist');
  const before = ward.node.ledger.length;
  const names = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 'real6' : `stranger${i}`));
  const started = performance.now();
  const replies = await Promise.all(names.map((name, i) => login(new LanClient(ward.url, `127.0.0.${40 + i}`), name, `batch-guess-${i}`)));
  const seconds = (performance.now() - started) / 1000;
  assert.equal(replies.map((r) => r.status), names.map(() => 401));
  const fresh = (await auditEntries()).filter((e) => e.seq > before && e.action === 'auth.bad_credentials');
  assert.is(fresh.length, 12);
  assert.equal(fresh.map((e) => e.actor.user).sort(), [...names].sort());
  assert.ok(fresh.every((e) => /^127\.0\.0\.\d+/.test(e.actor.device) && /^attempt-at:\d{4}-/.test(String(e.target))));
  // At most one write a second (entries of one write share its time), however slow the password checks are on this machine.
  const writes = new Set(fresh.map((e) => e.at)).size;
  assert.ok(writes <= Math.ceil(seconds) + 1, `12 failures in ${writes} writes over ${seconds.toFixed(1)} s`);
});

test('a user name that lower-cases past 64 code units and is cut inside a surrogate pair gets a clear 401, not a 500', async () => {
  const name = 'İ'.repeat(31) + 'a😀'; // 34 units; lower-cased 'i̇' is two, so 65, and unit 64 is half of the emoji
  assert.is(name.length, 34);
  const r = await login(new LanClient(ward.url, '127.0.0.60'), name, 'whatever-123');
  assert.is(r.status, 401, JSON.stringify(r.body));
  assert.is(r.body.code, 'bad_credentials');
  assert.is((await ward.admin.get('/api/audit/verify')).body.ok, true);
});

test('an admin\'s password reset is in the audit chain: who reset whose password, when', async () => {
  await official(ward, 'real4', 'specialist');
  assert.is((await ward.admin.post('/api/users/real4/reset-password')).status, 200);
  const entry = (await auditEntries()).find((e) => e.action === 'user.password-reset' && e.target === 'user:real4');
  assert.ok(entry, 'audited');
  assert.is(entry!.actor.user, 'admin');
});

test('a password of ten spaces, one too simple, or the old one again is refused in both languages', async () => {
  const c = await official(ward, 'real5', 'specialist');
  for (const [newPassword, code] of [[' '.repeat(10), 'password_too_simple'], [` ${'a'.repeat(12)} `, 'password_too_simple'], ['  short-ok  ', 'password_too_simple'], ['real5-real-password', 'password_reused']] as const) {
    const r = await c.post('/api/auth/password', { oldPassword: 'real5-real-password', newPassword });
    assert.is(r.status, 400, `${JSON.stringify(newPassword)}: ${JSON.stringify(r.body)}`);
    assert.is(r.body.code, code);
    assert.ok(r.body.message.vi && r.body.message.en);
  }
  const created = await ward.admin.post('/api/users', { username: 'spaces', fullName: 'Khoảng Trắng', role: 'specialist', password: ' '.repeat(12) });
  assert.is(created.status, 400);
  assert.is(created.body.code, 'password_too_simple');
  assert.is((await c.post('/api/auth/password', { oldPassword: 'real5-real-password', newPassword: 'a-genuinely-new-one' })).status, 200);
});

test('the last admin can neither disable nor demote itself; once there is another admin, it can step down', async () => {
  for (const patch of [{ active: false }, { role: 'clerk' }]) {
    const r = await ward.admin.request('PATCH', '/api/users/admin', patch);
    assert.is(r.status, 409, JSON.stringify(r.body));
    assert.is(r.body.code, 'last_admin');
  }
  assert.is((await ward.admin.get('/api/users')).status, 200, 'still an admin, still logged in');
  const second = await official(ward, 'admin2', 'admin');
  const disabled = await second.request('PATCH', '/api/users/admin2', { active: false });
  assert.is(disabled.status, 200, 'admin2 may leave: admin remains');
  assert.is((await ward.admin.request('PATCH', '/api/users/admin', { role: 'clerk' })).status, 409, 'admin2 is disabled: admin is the last again');
});

test.run();
