// B-T at the clerk's step is a setting: with the city reachable the issued
// PDF carries a signature timestamp from the city TSA (over real HTTP with
// the ward's city credentials); with the city unreachable, or the setting
// off, the same B-B PDF is issued and nothing fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { verifyPdf } from '../../certs/pdf-verify.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { issueTsa, TIMESTAMP_REPLY, timestampResponse } from '../../certs/tsa.js';
import { timestampIfReachable } from '../../node/signature-timestamp.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-bt-'));
const pki = makeTestPki();
const tsa = issueTsa(pki.root);
const password = 'ward-city-password-0123';
const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization ? 'auth' : 'anon'}`);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => { const r = timestampResponse(tsa, Buffer.concat(chunks)); res.writeHead(200, { 'content-type': TIMESTAMP_REPLY }).end(r.der); });
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const credentialsFile = join(dir, 'creds.json');
writeFileSync(credentialsFile, JSON.stringify({ ward: 'phuong-mau', db: 'ward_phuong-mau', username: 'ward_phuong-mau', password, url }));
test.after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

const trust = { roots: [pki.rootPem], crls: pki.crl() };
const base = await twoPagePdf();
const leader = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
const issued = await signAsAgency(leader, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '08', date: { day: '02', month: '03', year: '2026' }, trust });

test('with the setting on and the city reachable, the agency signature gets a valid city timestamp', async () => {
  const r = await timestampIfReachable(issued, { timestampSignatures: true, credentialsFile });
  assert.ok(r.timestamped, r.why);
  assert.is(r.pdf.length, issued.length, 'in place: the byte ranges are unchanged');
  assert.equal(seen.at(-1), 'POST /_tsa auth');
  const v = await verifyPdf(r.pdf, trust);
  assert.is(v.status, 'valid');
  assert.is(v.signatures[1]!.timestamp?.status, 'valid');
  assert.is(v.signatures[1]!.signingTimeSource, 'timestamp');
});

test('with the city unreachable the same B-B document is issued and nothing fails', async () => {
  const r = await timestampIfReachable(issued, { timestampSignatures: true, credentialsFile, url: 'http://127.0.0.1:9' }, 1000);
  assert.is(r.timestamped, false);
  assert.is(r.why, 'tsa_unavailable');
  assert.ok(r.pdf.equals(issued));
  assert.is((await verifyPdf(r.pdf, trust)).status, 'valid');
});

test('with the setting off the city is not asked', async () => {
  const before = seen.length;
  const r = await timestampIfReachable(issued, { timestampSignatures: false, credentialsFile });
  assert.is(r.timestamped, false);
  assert.is(seen.length, before);
});

test.run();
