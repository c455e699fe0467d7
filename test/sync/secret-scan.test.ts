// The scanner the sync tests run over everything that reaches the city
// (test/helpers/secret-scan.ts): it must find each kind of secret wherever it
// hides, and pass the records WardDesk really replicates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { findSecrets } from '../helpers/secret-scan.js';
import { generateKey, issueCertificate, toPkcs12 } from '../../certs/ca.js';
import { validRecords } from '../helpers/record-arbitraries.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function pkcs12(): Buffer {
  const pair = generateKey(2048);
  const pem = issueCertificate({ kind: 'root', subject: { commonName: 'Test root', organization: 'Test' }, publicKey: pair.publicKey, issuer: { self: pair.privateKey }, days: 1 });
  return toPkcs12({ privateKey: pair.privateKey, chain: [pem] }, '123456', 1000);
}

test('finds secrets by field name at any depth: pin, password, token, secret, privateKey, csrf, salt', () => {
  const doc = { _id: 'ev:out:x', type: 'event', data: { scan: 'a'.repeat(64), pin: 'x' }, nested: [{ deeper: { privateKey: 'k', apiToken: 't', client_secret: 's', csrf: 'c', salt: 'z', Password: 'p' } }] };
  const found = findSecrets([doc]).map((f) => f.path).sort();
  assert.equal(found, ['data.pin', 'nested[0].deeper.Password', 'nested[0].deeper.apiToken', 'nested[0].deeper.client_secret', 'nested[0].deeper.csrf', 'nested[0].deeper.privateKey', 'nested[0].deeper.salt']);
});

test('finds values shaped like the tests\' PINs and passwords, scrypt hashes and known secrets, under innocent names', () => {
  const docs = [
    { _id: 'a', note: '654321' },
    { _id: 'b', note: 'chuyenvien-real-password' },
    { _id: 'c', list: ['x', 'vanthu-initial-pw'] },
    { _id: 'd', note: 'scrypt$16384$8$1$abc$def' },
    { _id: 'e', comment: 'the session was 0f3c9a1b2c3d4e5f' },
  ];
  const found = findSecrets(docs, ['0f3c9a1b2c3d4e5f']).map((f) => f.id);
  assert.equal(found, ['a', 'b', 'c', 'd', 'e']);
});

test('finds key material: PEM private keys, base64 DER private keys (PKCS#8, PKCS#1, SEC1, encrypted) and PKCS#12', () => {
  const der = (type: 'pkcs8' | 'pkcs1' | 'sec1', key = rsa.privateKey) => key.export({ format: 'der', type } as never).toString('base64');
  const docs = [
    { _id: 'pem', data: { blob: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string } },
    { _id: 'pkcs8', data: { blob: der('pkcs8') } },
    { _id: 'pkcs1', data: { blob: der('pkcs1') } },
    { _id: 'sec1', data: { blob: der('sec1', ec.privateKey) } },
    { _id: 'encrypted', data: { blob: rsa.privateKey.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString('base64') } },
    { _id: 'p12', data: { blob: pkcs12().toString('base64') } },
  ];
  const found = findSecrets(docs);
  assert.equal(found.map((f) => f.id), docs.map((d) => d._id), JSON.stringify(found));
});

test('passes the records WardDesk replicates: documents, events, numbers, files, profiles, audit links, revocation lists', () => {
  const records = Object.values(validRecords('phuc-xa'));
  assert.ok(records.length >= 6);
  assert.equal(findSecrets(records), []);
  // A certificate and a CRL are public: base64 DER that is no private key.
  const cert = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  assert.equal(findSecrets([{ _id: 'crl:phuc-xa:1', der: cert, numberText: '01', status: '05', year: 2026 }]), []);
});

test.run();
