// The city's time-stamping authority: its certificate (EKU timeStamping,
// critical, under the city root), the tokens it issues, checked by openssl
// ts -verify and by our own verifier, and its refusals (an expired TSA
// certificate, a request that is not a TimeStampReq).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa } from '../../certs/ca-issue.js';
import { issueTsa, parseTimestampRequest, timestampRequest, timestampResponse, tokenFromResponse } from '../../certs/tsa.js';
import { verifyTimestamp } from '../../certs/tsa-verify.js';
import { WardError } from '../../sync/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'warddesk-tsa-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Buffer) => { const p = join(dir, name); writeFileSync(p, data); return p; };

const root = createRootCa('Test City Root CA');
const tsa = issueTsa(root);
const rootX = new X509Certificate(root.chain[0]!);

test('the TSA certificate has the one extended key usage timeStamping, critical, and chains to the city root', () => {
  const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', file('tsa.pem', tsa.chain[0]!)], { encoding: 'utf8' }).stdout;
  assert.match(text, /X509v3 Extended Key Usage: critical\s+Time Stamping\s/);
  const v = spawnSync('openssl', ['verify', '-purpose', 'timestampsign', '-CAfile', file('root.pem', root.chain[0]!), file('tsa.pem', tsa.chain[0]!)], { encoding: 'utf8' });
  assert.match(v.stdout, /: OK/, v.stderr);
});

test('a token the responder grants verifies with openssl ts -verify and with our own verifier', () => {
  const data = Buffer.from('Quyết định số 05/QĐ-UBND');
  const digest = createHash('sha256').update(data).digest();
  const request = timestampRequest(digest);
  const resp = timestampResponse(tsa, request);
  assert.ok(resp.granted);
  const r = spawnSync('openssl', ['ts', '-verify', '-data', file('data.bin', data), '-in', file('resp.tsr', resp.der), '-CAfile', file('root.pem', root.chain[0]!), '-untrusted', file('tsa.pem', tsa.chain[0]!)], { encoding: 'utf8' });
  assert.match(r.stdout, /Verification: OK/, r.stderr);
  const token = tokenFromResponse(resp.der);
  const check = verifyTimestamp(token, digest, [rootX], [], new Date());
  // No CRL of the root given: revocation of the TSA certificate is unknown, never valid.
  assert.is(check.status, 'unknown');
  assert.ok(check.genTime && Math.abs(check.genTime.getTime() - Date.now()) < 5000);
  assert.is(check.tsaName, 'WardDesk City TSA');
  const wrong = verifyTimestamp(token, createHash('sha256').update('khác').digest(), [rootX], [], new Date());
  assert.is(wrong.status, 'invalid');
  assert.is(wrong.reasons[0]!.code, 'bad_timestamp');
});

test('an expired TSA certificate gets a rejection with a Vietnamese and English reason, and no token', () => {
  const old = issueTsa(root, { notBefore: new Date(Date.now() - 400 * 86_400_000), days: 365 });
  const resp = timestampResponse(old, timestampRequest(createHash('sha256').update('x').digest()));
  assert.is(resp.granted, false);
  assert.is(resp.code, 'tsa_certificate_expired');
  const text = spawnSync('openssl', ['ts', '-reply', '-in', file('rej.tsr', resp.der), '-text'], { encoding: 'utf8' }).stdout;
  assert.match(text, /Status: Rejected/);
  assert.not.match(text, /TST info:\s+Version/);
  try { tokenFromResponse(resp.der); assert.unreachable(); } catch (err) {
    assert.instance(err, WardError);
    assert.is((err as WardError).code, 'tsa_unavailable');
    assert.match((err as WardError).details![0]!.en, /time-stamping authority's certificate has expired/);
    assert.match((err as WardError).details![0]!.vi, /đã hết hạn/);
  }
});

test('a request that is not an RFC 3161 TimeStampReq over SHA-256 is refused as tsa_bad_request', () => {
  for (const body of [Buffer.from('hello'), Buffer.alloc(0), timestampRequest(Buffer.alloc(20, 1))]) {
    try { parseTimestampRequest(body); assert.unreachable(); } catch (err) { assert.is((err as WardError).code, 'tsa_bad_request'); }
    assert.is(timestampResponse(tsa, body).granted, false);
  }
});

test('a certificate without the timeStamping usage does not make a valid timestamp', async () => {
  const { issueSigning, issueWardCa } = await import('../../certs/ca-issue.js');
  const leader = issueSigning(issueWardCa(root, { code: 'phuong-mau', name: 'Phường Mẫu' }), 'leader', { commonName: 'Nguyễn Văn An' });
  const digest = createHash('sha256').update('y').digest();
  const { issueToken } = await import('../../certs/tsa.js');
  const token = issueToken({ privateKey: leader.privateKey, chain: leader.chain }, { imprint: digest });
  const check = verifyTimestamp(token, digest, [rootX], [], new Date());
  assert.is(check.status, 'invalid');
  assert.is(check.reasons[0]!.code, 'timestamp_not_tsa');
});

test.run();
