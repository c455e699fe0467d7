// `npm run demo -- --out DIR` end to end, checked by `warddesk verify`'s exit
// codes: valid with the CRLs, unknown without them, invalid against another
// root or once tampered. (Moved out of ca-cli.test.ts, which now runs in-process.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRootCa } from '../../certs/ca-issue.js';
import { writeAtomic } from '../../certs/atomic-file.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
const demo = fileURLToPath(new URL('../../node/demo.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'warddesk-demo-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function warddesk(args: string[], env: Record<string, string> = {}, script = cli) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, WARDDESK_DATA_DIR: join(dir, 'data'), WARDDESK_LOG_LEVEL: 'silent', ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Another city's root, to show the demo's file is invalid under it. */
function otherRoot(): string {
  const file = join(dir, 'other-root.pem');
  writeAtomic(file, Buffer.from(createRootCa('Another City Root').chain[0]!));
  return file;
}

test('the demo issues a document that verifies (exit 0), is unknown without CRLs (2) and invalid once tampered (1)', () => {
  const out = join(dir, 'demo');
  const run = warddesk(['--out', out], {}, demo);
  assert.is(run.code, 0, run.out);
  const pdf = join(out, 'issued.pdf');
  const full = ['verify', pdf, '--root', join(out, 'city-root.pem'), '--crl', join(out, 'ward-ca.crl'), '--crl', join(out, 'city-root.crl')];
  const ok = warddesk(full, {});
  assert.is(ok.code, 0, ok.out);
  assert.match(ok.out, /HỢP LỆ \/ VALID/);
  assert.is(warddesk(['verify', pdf, '--root', join(out, 'city-root.pem')], {}).code, 2);
  const other = warddesk(['verify', pdf, '--root', otherRoot()], {});
  assert.is(other.code, 1, 'a file from another city root is invalid');
  const tampered = join(out, 'tampered.pdf');
  copyFileSync(pdf, tampered);
  appendFileSync(tampered, '\n% appended\n');
  const bad = warddesk(full.map((a) => (a === pdf ? tampered : a)), {});
  assert.is(bad.code, 1);
  assert.match(bad.out, /appended after the last signature/);
});

test.run();
