// `warddesk token add` on a node's data directory with a real SoftHSM2 token:
// the seal's key configured from the token's certificate, and a refusal in
// both languages (exit 1, nothing written) for a key with no certificate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keystore } from '../../certs/keystore.js';
import { WARD_CA } from '../../node/signing.js';
import { makeTestPki } from '../helpers/signing-fixtures.js';
import { SOFTHSM_MODULE, startSoftHsm, type SoftHsm } from '../helpers/softhsm.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pki = makeTestPki();
const data = mkdtempSync(join(tmpdir(), 'warddesk-token-cli-'));
let hsm: SoftHsm;

test.before(() => {
  hsm = startSoftHsm('CliToken');
  hsm.keygen('01', 'seal');
  hsm.writeCert('01', hsm.issue(pki, '01', 'agency', 'UBND Phường Mẫu'));
  hsm.keygen('02', 'bare');
  new Keystore(join(data, 'keys')).save(WARD_CA, pki.wardCa, 'ward-ca-pin-2026');
});
test.after(() => { hsm?.cleanup(); rmSync(data, { recursive: true, force: true }); });

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => execFile(process.execPath, ['--import', 'tsx', join(root, 'node/cli.ts'), ...args], { cwd: root, env: { ...hsm.env, WARDDESK_DATA_DIR: data } },
    (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr })));
}

test('a key without a certificate is refused in both languages and nothing is written', async () => {
  const r = await cli(['token', 'add', '--holder', 'seal', '--module', SOFTHSM_MODULE, '--token-label', hsm.label, '--key-id', '02']);
  assert.is(r.code, 1, r.out + r.err);
  assert.match(r.err, /không có chứng thư số đi kèm.*\/ The key on the token has no certificate/);
  assert.not.ok(existsSync(join(data, 'keys', 'seal.token.json')));
});

test('the seal is configured from the certificate on the token', async () => {
  const r = await cli(['token', 'add', '--holder', 'seal', '--module', SOFTHSM_MODULE, '--token-label', hsm.label, '--key-id', '01']);
  assert.is(r.code, 0, r.out + r.err);
  assert.equal(JSON.parse(readFileSync(join(data, 'keys', 'seal.token.json'), 'utf8')), { module: SOFTHSM_MODULE, keyId: '01', role: 'agency', tokenLabel: hsm.label });
  assert.is(readFileSync(join(data, 'keys', 'seal.token.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length, 3, 'leaf, ward CA, root');
});

test.run();
