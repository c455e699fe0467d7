import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, official, startTestWard, type TestWard } from '../helpers/ward.js';
import { LanClient } from '../helpers/lan-client.js';

let ward: TestWard;

test.before(async () => { ward = await startTestWard({ lockout: { maxFailures: 5, minutes: 15 } }); });
test.after(async () => { await ward.stop(); });

test('the session cookie is HttpOnly, SameSite=Strict and, by default, Secure', async () => {
  await official(ward, 'cookiecheck', 'specialist');
  const c = new Client(ward.url);
  const r = await c.post('/api/auth/login', { username: 'cookiecheck', password: 'cookiecheck-real-password' });
  const cookie = r.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const { loadConfig } = await import('../../node/config.js');
  assert.is(loadConfig({}).cookieSecure, true);
});

test('a one-time password only allows changing it', async () => {
  await ward.admin.post('/api/users', { username: 'newbie', fullName: 'Người mới', role: 'specialist', password: 'temporary-pw-1' });
  const c = new Client(ward.url);
  const login = await c.login('newbie', 'temporary-pw-1');
  assert.is(login.body.mustChangePassword, true);
  const blocked = await c.get('/api/documents');
  assert.is(blocked.status, 403);
  assert.is(blocked.body.code, 'password_change_required');
  const weak = await c.post('/api/auth/password', { oldPassword: 'temporary-pw-1', newPassword: 'short' });
  assert.is(weak.status, 400);
  assert.is((await c.post('/api/auth/password', { oldPassword: 'temporary-pw-1', newPassword: 'a-much-better-password' })).status, 200);
  assert.is((await c.get('/api/documents')).status, 200);
});

test('every API route refuses a caller who is not logged in', async () => {
  const anon = new Client(ward.url);
  for (const [method, path] of [['GET', '/api/documents'], ['GET', '/api/users'], ['POST', '/api/documents/outgoing'], ['GET', '/api/audit/verify'], ['POST', '/api/blobs'], ['GET', '/api/auth/me']]) {
    const r = await anon.request(method!, path!);
    assert.is(r.status, 401, `${method} ${path}`);
    assert.is(r.body.code, 'not_logged_in');
  }
});

test('a mutation without the CSRF token is refused even with a valid cookie', async () => {
  const c = await official(ward, 'csrfcheck', 'specialist');
  c.csrf = '';
  const r = await c.post('/api/documents/outgoing', { docType: 'TB', subject: 'x' });
  assert.is(r.status, 403);
  assert.is(r.body.code, 'csrf');
});

test('five wrong passwords lock the account, even for the right password, and the lock is in both languages', async () => {
  await official(ward, 'target', 'clerk');
  const c = new LanClient(ward.url, '127.0.0.2');
  for (let i = 0; i < 4; i++) assert.is((await c.post('/api/auth/login', { username: 'target', password: `wrong-${i}` })).body.code, 'bad_credentials');
  const fifth = await c.post('/api/auth/login', { username: 'target', password: 'wrong-5' });
  assert.is(fifth.status, 429);
  assert.is(fifth.body.code, 'account_locked');
  assert.ok(Number(fifth.headers.get('retry-after')) > 0);
  const right = await c.post('/api/auth/login', { username: 'target', password: 'target-real-password' });
  assert.is(right.status, 429);
  assert.match(right.body.message.vi, /khóa/);
});

test('twenty guesses fired at once cannot slip past the lockout', async () => {
  await official(ward, 'parallel', 'clerk');
  const c = new LanClient(ward.url, '127.0.0.3');
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => c.post('/api/auth/login', { username: 'parallel', password: `guess-${i}` })));
  assert.equal([...new Set(replies.map((r) => r.status))].sort(), [401, 429]);
  assert.is(replies.filter((r) => r.status === 401).length, 4, 'only four guesses are checked before the lock');
  assert.is((await c.post('/api/auth/login', { username: 'parallel', password: 'parallel-real-password' })).status, 429);
});

test('an unknown user and a wrong password get the same answer', async () => {
  const c = new Client(ward.url);
  const unknown = await c.post('/api/auth/login', { username: 'ghost', password: 'whatever-123' });
  const wrong = await c.post('/api/auth/login', { username: 'cookiecheck', password: 'whatever-123' });
  assert.is(unknown.status, 401);
  assert.equal(unknown.body, wrong.body);
});

test('logging in issues a new session token, so a planted cookie is never promoted', async () => {
  await official(ward, 'fixation', 'specialist');
  const c = new Client(ward.url);
  c.cookie = 'wd_session=attacker-chosen-token';
  await c.login('fixation', 'fixation-real-password');
  assert.not.match(c.cookie, /attacker-chosen-token/);
  const planted = new Client(ward.url);
  planted.cookie = 'wd_session=attacker-chosen-token';
  assert.is((await planted.get('/api/documents')).status, 401);
});

test('logout ends the session on the server, not just in the browser', async () => {
  const c = await official(ward, 'leaver', 'specialist');
  const cookie = c.cookie;
  assert.is((await c.post('/api/auth/logout')).status, 200);
  const replay = new Client(ward.url);
  replay.cookie = cookie;
  assert.is((await replay.get('/api/documents')).status, 401);
});

test('only an admin manages users; a disabled official is logged out and cannot log in', async () => {
  const clerk = await official(ward, 'notadmin', 'clerk');
  assert.is((await clerk.get('/api/users')).status, 403);
  assert.is((await clerk.post('/api/users', { username: 'x1', fullName: 'X', role: 'admin', password: 'xxxxxxxxxxxx' })).status, 403);
  const victim = await official(ward, 'disabled', 'specialist');
  assert.is((await ward.admin.request('PATCH', '/api/users/disabled', { active: false })).status, 200);
  assert.is((await victim.get('/api/documents')).status, 401);
  const again = await new Client(ward.url).post('/api/auth/login', { username: 'disabled', password: 'disabled-real-password' });
  assert.is(again.status, 403);
  assert.is(again.body.code, 'account_disabled');
});

test('password hashes and sessions never appear in the replicated database', async () => {
  const all = await ward.node.store.docs.allDocs({ include_docs: true });
  const text = JSON.stringify(all.rows.map((r) => r.doc));
  assert.not.match(text, /scrypt/);
  assert.not.match(text, /real-password/);
  assert.not.match(text, /"csrf"/);
  assert.ok(all.rows.some((r) => r.id.startsWith('user:')), 'public profiles are there');
});

test.run();
