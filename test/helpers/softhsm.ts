// A real SoftHSM2 token for a test, in its own temp directory: its own
// softhsm2.conf (SOFTHSM2_CONF, set for this process and children), a token
// initialised with softhsm2-util, RSA keys generated on the token by
// pkcs11-tool (OpenSC), certificates issued for them by the test PKI and
// written back to the token. cleanup() removes the directory.
import { execFileSync } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '../../certs/ca.js';
import type { TestPki } from './signing-fixtures.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsm {
  dir: string;
  conf: string;
  label: string;
  pin: string;
  soPin: string;
  env: NodeJS.ProcessEnv;
  /** Generates an RSA key pair on the token under `id` (hex); returns its public key. */
  keygen(id: string, label: string, bits?: number): KeyObject;
  /** Writes a certificate (PEM) on the token under `id`. */
  writeCert(id: string, pem: string): void;
  /** A leader or seal certificate for the token's key `id`, issued by the test PKI's ward CA. */
  issue(pki: TestPki, id: string, kind: 'leader' | 'agency', commonName: string): string;
  /** Removes the token (a token pulled out): its directory under the token dir goes. */
  deleteToken(): void;
  tool(args: string[]): string;
  cleanup(): void;
}

export function startSoftHsm(label = 'WardToken'): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  // pkcs11js loads SoftHSM2 in this process: it reads the variable at C_Initialize.
  process.env['SOFTHSM2_CONF'] = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const pin = '123456';
  const soPin = '12345678';
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], { env, stdio: 'pipe' });
  const tool = (args: string[]) => execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', label, ...args], { env, stdio: 'pipe' }).toString();
  const hsm: SoftHsm = {
    dir, conf, label, pin, soPin, env, tool,
    keygen(id, keyLabel, bits = 2048) {
      tool(['--login', '--pin', pin, '--keypairgen', '--key-type', `rsa:${bits}`, '--id', id, '--label', keyLabel]);
      const der = execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', label, '--read-object', '--type', 'pubkey', '--id', id], { env, stdio: 'pipe' });
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    },
    writeCert(id, pem) {
      const file = join(dir, `cert-${id}.der`);
      writeFileSync(file, pemToDer(pem));
      tool(['--login', '--pin', pin, '--write-object', file, '--type', 'cert', '--id', id]);
    },
    issue(pki, id, kind, commonName) {
      const der = execFileSync('pkcs11-tool', ['--module', SOFTHSM_MODULE, '--token-label', label, '--read-object', '--type', 'pubkey', '--id', id], { env, stdio: 'pipe' });
      const publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
      return issueCertificate({ kind, subject: { commonName, organization: 'UBND Phường Mẫu' }, publicKey, issuer: { certPem: pki.wardCaPem, privateKey: pki.wardCa.privateKey }, days: 365 });
    },
    deleteToken() { execFileSync('softhsm2-util', ['--delete-token', '--token', label], { env, stdio: 'pipe' }); },
    cleanup() { if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); },
  };
  return hsm;
}

/** The DER of a PEM certificate. */
function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
