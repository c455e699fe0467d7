// The city TSA end to end through the real CLI: `city tsa issue` under the
// city root, `city start --tsa` serving RFC 3161 at POST /_tsa to a ward's
// credentials only; a token openssl ts -verify accepts; refusals for no
// credentials, a wrong content type, a non-request and an expired TSA
// certificate (vi+en, no token); a ward that cannot reach the city gets
// tsa_unavailable, which the signing step turns into a B-B signature.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPkcs12 } from '../../certs/ca.js';
import { createRootCa } from '../../certs/ca-issue.js';
import { Keystore } from '../../certs/keystore.js';
import { httpTimestamper } from '../../certs/tsa-client.js';
import { issueTsa, timestampRequest, tokenFromResponse, TIMESTAMP_QUERY } from '../../certs/tsa.js';
import { initCity } from '../../node/city/init.js';
import { WardError } from '../../sync/errors.js';
import { CITY_ADMIN } from '../helpers/city.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'warddesk-city-tsa-'));
const env = { ...process.env, WARDDESK_CA_PIN: 'root-pin-1234', WARDDESK_TSA_PIN: 'tsa-pin-5678', WARDDESK_CITY_ADMIN: `${CITY_ADMIN.name}:${CITY_ADMIN.password}` };
const root = createRootCa('Test City Root CA');
writeFileSync(join(dir, 'city-root.p12'), toPkcs12(root, env.WARDDESK_CA_PIN, undefined, 'city-root'));
writeFileSync(join(dir, 'city-root.pem'), root.chain[0]!);
let city: ChildProcess | null = null;
test.after(async () => {
  if (city && city.exitCode === null) await new Promise<void>((ok) => { city!.once('exit', () => ok()); city!.kill('SIGTERM'); });
  rmSync(dir, { recursive: true, force: true });
});

function startCity(tsaDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    city = spawn(process.execPath, ['--import', 'tsx', cli, 'city', 'start', '--port', '0', '--data', join(dir, `data-${Math.random()}`), '--tsa', tsaDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    city.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    city.stdout!.on('data', (d: Buffer) => { out += d.toString(); const line = out.split('\n').find((l) => l.includes('"listening"')); if (line) resolve((JSON.parse(line) as { url: string }).url); });
    city.once('exit', (code) => reject(new Error(`city exited ${code}: ${err}`)));
  });
}

const post = (url: string, body: Buffer, headers: Record<string, string>) => fetch(`${url}/_tsa`, { method: 'POST', body, headers });

test('city tsa issue keeps the TSA key only as a PIN-encrypted PKCS#12; the city serves tokens to a ward that openssl ts -verify accepts', async () => {
  const issued = spawnSync(process.execPath, ['--import', 'tsx', cli, 'city', 'tsa', 'issue', '--root', dir, '--out', join(dir, 'tsa')], { env, encoding: 'utf8' });
  assert.is(issued.status, 0, issued.stderr);
  const keys = new Keystore(join(dir, 'tsa'));
  assert.equal(keys.holders(), ['city-tsa']);
  assert.not.match(readFileSync(join(dir, 'tsa', 'city-tsa.p12')).toString('latin1'), /BEGIN (RSA )?PRIVATE KEY/);
  const url = await startCity(join(dir, 'tsa'));
  await initCity({ url, admin: CITY_ADMIN, wards: ['phuong-tsa'], outDir: join(dir, 'creds') });
  const creds = JSON.parse(readFileSync(join(dir, 'creds', 'phuong-tsa.credentials.json'), 'utf8')) as { username: string; password: string };
  const ward = { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` };
  const data = Buffer.from('Quyết định 07/QĐ-UBND');
  const imprint = createHash('sha256').update(data).digest();

  assert.is((await post(url, timestampRequest(imprint), { 'content-type': TIMESTAMP_QUERY })).status, 401, 'no credentials');
  const wrongPassword = { authorization: `Basic ${Buffer.from(`${creds.username}:wrong-password-123`).toString('base64')}` };
  assert.is((await post(url, timestampRequest(imprint), { ...wrongPassword, 'content-type': TIMESTAMP_QUERY })).status, 401, 'wrong password');
  assert.is((await post(url, timestampRequest(imprint), { ...ward, 'content-type': 'application/json' })).status, 415);
  const junk = await post(url, Buffer.from('not a request'), { ...ward, 'content-type': TIMESTAMP_QUERY });
  assert.is(junk.status, 400);
  const junkReply = Buffer.from(await junk.arrayBuffer());
  assert.throws(() => tokenFromResponse(junkReply), (e: WardError) => e.code === 'tsa_unavailable' && /TimeStampReq/.test(e.details![0]!.en));

  const r = await post(url, timestampRequest(imprint), { ...ward, 'content-type': TIMESTAMP_QUERY });
  assert.is(r.status, 200);
  assert.is(r.headers.get('content-type'), 'application/timestamp-reply');
  const reply = Buffer.from(await r.arrayBuffer());
  writeFileSync(join(dir, 'reply.tsr'), reply);
  writeFileSync(join(dir, 'data.bin'), data);
  writeFileSync(join(dir, 'tsa.pem'), keys.chain('city-tsa')[0]!);
  const v = spawnSync('openssl', ['ts', '-verify', '-data', join(dir, 'data.bin'), '-in', join(dir, 'reply.tsr'), '-CAfile', join(dir, 'city-root.pem'), '-untrusted', join(dir, 'tsa.pem')], { encoding: 'utf8' });
  assert.match(v.stdout, /Verification: OK/, v.stderr);
  const token = await httpTimestamper(`${url}/_tsa`, ward)(imprint);
  assert.ok(token.length > 500);
});

test('an unreachable city gives tsa_unavailable (the caller then signs B-B and carries on)', async () => {
  try { await httpTimestamper('http://127.0.0.1:9/_tsa', {}, 1000)(Buffer.alloc(32)); assert.unreachable(); } catch (err) {
    assert.instance(err, WardError);
    assert.is((err as WardError).code, 'tsa_unavailable');
  }
});

test('a city whose TSA certificate has expired answers with a vi+en rejection and issues no token', async () => {
  const expiredDir = join(dir, 'tsa-old');
  new Keystore(expiredDir).save('city-tsa', issueTsa(root, { notBefore: new Date(Date.now() - 3 * 86_400_000), days: 1 }), env.WARDDESK_TSA_PIN);
  if (city && city.exitCode === null) await new Promise<void>((ok) => { city!.removeAllListeners('exit'); city!.once('exit', () => ok()); city!.kill('SIGTERM'); });
  const url = await startCity(expiredDir);
  const r = await post(url, timestampRequest(Buffer.alloc(32, 1)), { authorization: `Basic ${Buffer.from(`${CITY_ADMIN.name}:${CITY_ADMIN.password}`).toString('base64')}`, 'content-type': TIMESTAMP_QUERY });
  assert.is(r.status, 503);
  assert.is(r.headers.get('x-warddesk-error'), 'tsa_certificate_expired');
  try { tokenFromResponse(Buffer.from(await r.arrayBuffer())); assert.unreachable(); } catch (err) {
    const e = err as WardError;
    assert.is(e.code, 'tsa_unavailable');
    assert.match(e.details![0]!.vi, /hết hạn/);
    assert.match(e.details![0]!.en, /expired/);
  }
});

test.run();
