// The embedded city publishes what certificates point to: the root's
// certificate and CRL, and each ward CA's newest CRL from the lists the ward
// replicated, over plain HTTP without login; openssl parses each answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb';
import { createRootCa, issueWardCa } from '../../certs/ca-issue.js';
import { readCrl } from '../../certs/crl.js';
import { RevocationRegister } from '../../certs/revocation.js';
import { startCityServer, type CityServer } from '../../node/city/server.js';
import { crlId, wardDbName } from '../../sync/city-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-city-pki-'));
const pkiDir = join(dir, 'root');
const dataDir = join(dir, 'data');
let city: CityServer;
const root = createRootCa('Thành phố Thử Root CA');
const ward = issueWardCa(root, { code: 'phuong-mau', name: 'UBND Phường Mẫu' });

test.before(async () => {
  mkdirSync(pkiDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(pkiDir, 'city-root.pem'), root.chain[0]!);
  new RevocationRegister(pkiDir, 'city-root').publish(root);
  // The ward's two lists as replication leaves them; the newer one is served.
  const register = new RevocationRegister(join(dir, 'ward-keys'), 'ward-ca');
  mkdirSync(register.dir, { recursive: true });
  const db = new (PouchDB.defaults({ prefix: join(dataDir, '/') }))(wardDbName('phuong-mau'));
  for (const der of [register.publish(ward), register.revoke(ward, '0abc', 'keyCompromise')]) {
    const crl = readCrl(der);
    await db.put({ _id: crlId('phuong-mau', crl.crlNumber), type: 'crl', issuer: 'phuong-mau', crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), der: der.toString('base64') });
  }
  await db.close();
  city = await startCityServer({ dataDir, port: 0, admin: { name: 'cityadmin', password: 'city-admin-password-1' }, pkiDir });
});
test.after(async () => { await city.close(); rmSync(dir, { recursive: true, force: true }); });

async function fetched(path: string, kind: 'crl' | 'x509'): Promise<string> {
  const r = await fetch(`${city.url}${path}`);
  assert.is(r.status, 200, path);
  const f = join(dir, `got.${kind}`);
  writeFileSync(f, Buffer.from(await r.arrayBuffer()));
  const parsed = spawnSync('openssl', [kind, '-inform', 'DER', '-noout', '-text', '-in', f], { encoding: 'utf8' });
  assert.is(parsed.status, 0, `${path}: ${parsed.stderr}`);
  return parsed.stdout;
}

test('the city serves its root certificate and CRL without login, and openssl parses them', async () => {
  assert.match(await fetched('/pki/city-root.cer', 'x509'), /CA:TRUE/);
  assert.match(await fetched('/pki/city-root.crl', 'crl'), /Certificate Revocation List/);
});

test('the city serves a ward CA\'s newest replicated CRL, with its revocations', async () => {
  const text = await fetched('/pki/phuong-mau.crl', 'crl');
  assert.match(text, /Serial Number: 0ABC/i);
  assert.match(text, /Key Compromise/);
});

test('an unknown ward, a ward CA certificate and other methods get a 404, and CouchDB routes still need a login', async () => {
  for (const path of ['/pki/phuong-khac.crl', '/pki/phuong-mau.cer', '/pki/city-root.pem', '/pki/']) assert.is((await fetch(`${city.url}${path}`)).status, 404, path);
  assert.is((await fetch(`${city.url}/pki/city-root.crl`, { method: 'POST' })).status, 404);
  assert.is.not((await fetch(`${city.url}/_all_dbs`)).status, 200);
});

test.run();
