// `npm run bench`: runs every benchmark script under test/bench/ in turn, each
// in its own process, and prints their figures (one a line, with its unit).
// tokens.ts needs SoftHSM2 and OpenSC (Debian softhsm2, opensc), like the token tests.
// `npm run bench -- documents` runs only the scripts whose name matches.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv.slice(2);
const scripts = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && (filter.length === 0 || filter.some((p) => f.includes(p)))).sort();

console.log(`# machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
let failed = 0;
for (const script of scripts) {
  console.log(`# ${script}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${script}`], { stdio: 'inherit' });
  if (r.status !== 0) { failed += 1; console.log(`# ${script} failed with exit ${r.status}`); }
}
process.exit(failed === 0 ? 0 : 1);
