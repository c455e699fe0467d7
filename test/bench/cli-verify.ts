// Wall time of `warddesk verify FILE.pdf` for one issued two-signature file,
// as an official or a script runs it: a new Node process through
// bin/warddesk.js (the build check, then the compiled CLI from dist/), until
// it exits with its verdict. Median and 90th percentile of RUNS runs, with a
// bare `node -e 0` measured the same way for the machine's floor.
// Target: < 500 ms (issue 14 item 6).
//   npx tsx test/bench/cli-verify.ts [--runs=15]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signAsAgency, signAsLeader } from '../../certs/pdf-sign.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { makeTestPki, twoPagePdf } from '../helpers/signing-fixtures.js';

const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 15);
const bin = fileURLToPath(new URL('../../bin/warddesk.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'warddesk-bench-cli-'));
try {
  const pki = makeTestPki();
  const base = await twoPagePdf();
  const leaderSigned = signAsLeader(base.pdf, { signer: pki.leader, image: sampleSignaturePng(), box: base.layout.signature, layout: base.layout });
  const issued = await signAsAgency(leaderSigned, { signer: pki.agency, sealImage: sampleSealPng(), layout: base.layout, number: '07', date: { day: '03', month: '12', year: '2026' }, trust: { roots: [pki.rootPem], crls: pki.crl() } });
  const [wardCrl, rootCrl] = pki.crl();
  const f = (name: string, bytes: string | Buffer) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
  const args = ['verify', f('issued.pdf', issued), '--root', f('root.pem', pki.rootPem), '--crl', f('ward.crl', wardCrl!), '--crl', f('root.crl', rootCrl!)];

  const wall = (argv: string[], expect: number) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== expect) throw new Error(`exit ${r.status}: ${r.stdout}${r.stderr}`);
    return ms;
  };
  wall([bin, ...args], 0); // builds dist/ if a source changed, so no run below pays for it
  const sample = (argv: string[]) => Array.from({ length: RUNS }, () => wall(argv, 0)).sort((a, b) => a - b);
  const verify = sample([bin, ...args]);
  const bare = sample(['-e', '0']);
  const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  console.log(`verify_cli_wall_ms ${at(verify, 0.5).toFixed(0)}`);
  console.log(`verify_cli_wall_p90_ms ${at(verify, 0.9).toFixed(0)}`);
  console.log(`node_bare_wall_ms ${at(bare, 0.5).toFixed(0)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
