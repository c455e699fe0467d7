// `warddesk …` through bin/warddesk.js, as `npx warddesk` runs it (issue 14
// item 6): compiled JS from dist/, built on demand, and `warddesk verify`
// loading the verifier only: no express, PouchDB, vite or PDF renderer. Which
// modules a run resolved is recorded by a module hook (node:module register),
// not guessed from timings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const bin = fileURLToPath(new URL('../../bin/warddesk.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'warddesk-bin-'));
const files = { pdf: join(dir, 'issued.pdf'), root: join(dir, 'root.pem'), wardCrl: join(dir, 'ward.crl'), rootCrl: join(dir, 'root.crl'), hooks: join(dir, 'hooks.mjs'), register: join(dir, 'register.mjs') };

test.before(async () => {
  const pki = makeTestPki();
  const base = await twoPagePdf();
  const leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  const issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '07', date: { day: '03', month: '12', year: '2026' }, trust: { roots: [pki.rootPem], crls: pki.crl() } });
  const [wardCrl, rootCrl] = pki.crl();
  writeFileSync(files.pdf, issued);
  writeFileSync(files.root, pki.rootPem);
  writeFileSync(files.wardCrl, wardCrl!);
  writeFileSync(files.rootCrl, rootCrl!);
  // Every module URL the run resolves, one a line, in the file named by WARDDESK_TEST_MODULES.
  writeFileSync(files.hooks, `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.WARDDESK_TEST_MODULES, r.url + '\\n');
  return r;
}\n`);
  writeFileSync(files.register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(files.hooks).href)});\n`);
});
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

function warddesk(args: string[], trace?: string) {
  const r = spawnSync(process.execPath, [...(trace ? ['--import', pathToFileURL(files.register).href] : []), bin, ...args], {
    encoding: 'utf8', env: { ...process.env, WARDDESK_DATA_DIR: join(dir, 'data'), WARDDESK_LOG_LEVEL: 'silent', ...(trace ? { WARDDESK_TEST_MODULES: trace } : {}) },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('warddesk verify judges an issued document valid from the compiled CLI, loading neither express, PouchDB, vite nor the renderer', () => {
  const trace = join(dir, 'verify-modules.txt');
  writeFileSync(trace, '');
  const r = warddesk(['verify', files.pdf, '--root', files.root, '--crl', files.wardCrl, '--crl', files.rootCrl], trace);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, /Kết quả \/ result: HỢP LỆ \/ VALID/);
  const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  assert.ok(loaded.some((u) => u.endsWith('/dist/certs/pdf-verify.js')), 'ran the compiled verifier from dist/');
  assert.not.ok(loaded.some((u) => u.includes('/src/') && u.includes('/tsx/')), 'no tsx');
  for (const heavy of ['/express/', '/pouchdb', '/vite/', '/pdfkit/', '/zod/', 'ward-node.js', 'pdf-render.js', 'signing.js']) {
    assert.not.ok(loaded.some((u) => u.includes(heavy)), `${heavy} was loaded:\n${loaded.filter((u) => u.includes(heavy)).join('\n')}`);
  }
});

test('warddesk verify keeps its exit codes: unknown without the revocation lists, usage error without a file', () => {
  assert.is(warddesk(['verify', files.pdf, '--root', files.root]).code, 2);
  const usage = warddesk(['verify']);
  assert.is(usage.code, 3);
  assert.match(usage.err, /Thiếu tệp PDF \/ missing the PDF file/);
});

test('warddesk help lists every command, and an unknown command is refused with the usage', () => {
  const help = warddesk(['help']);
  assert.is(help.code, 0);
  for (const cmd of ['warddesk start', 'warddesk audit verify', 'warddesk verify FILE.pdf', 'warddesk ca', 'warddesk backup', 'warddesk city']) assert.ok(help.out.includes(cmd), cmd);
  const wrong = warddesk(['frobnicate']);
  assert.is(wrong.code, 2);
  assert.match(wrong.err, /Unknown command: frobnicate/);
});

test.run();
