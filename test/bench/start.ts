// From `npm start` (node bin/warddesk.js start) to the node listening, on a
// copy of the tree with a built dist/ (test/helpers/tree-copy.ts):
//   start_unchanged_s    nothing changed since the last build (the target: < 10 s; issue 16)
//   start_changed_s      one server source changed (esbuild rebuilds node/ sync/ certs/)
//   start_changed_app_s  one app source changed (vite rebuilds the PWA, then .br/.gz)
// Before this, every start ran the whole build (tsc, both vite builds): 110–155 s.
// Each run uses a new data dir, so it includes creating the store and the admin.
//   npx tsx test/bench/start.ts [--runs=3]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTree, startIn } from '../helpers/tree-copy.js';

const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
const tmp = mkdtempSync(join(tmpdir(), 'warddesk-bench-start-'));
const tree = join(tmp, 'repo');
let n = 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timedStart(expect: RegExp): Promise<number> {
  const t0 = performance.now();
  const node = await startIn(tree, join(tmp, `data-${n++}`));
  const s = (performance.now() - t0) / 1000;
  const said = node.stderr;
  await node.stop();
  if (!expect.test(said)) throw new Error(`expected ${expect} in:\n${said}`);
  return s;
}
/** Appends a comment: a real content change, as an edit would make. */
const edit = (rel: string) => writeFileSync(join(tree, rel), `${readFileSync(join(tree, rel), 'utf8')}\n// bench edit ${n}\n`);

try {
  copyTree(tree);
  await timedStart(/./); // settles the stamps' mtimes for the copy
  const unchanged: number[] = [];
  const changed: number[] = [];
  for (let i = 0; i < RUNS; i++) unchanged.push(await timedStart(/server up to date/));
  for (let i = 0; i < RUNS; i++) { edit('node/http/app.ts'); changed.push(await timedStart(/rebuilding server/)); }
  edit('pwa/src/main.ts');
  const app = await timedStart(/rebuilding pwa/);
  console.log(`start_unchanged_s ${median(unchanged).toFixed(2)}`);
  console.log(`start_changed_s ${median(changed).toFixed(2)}`);
  console.log(`start_changed_app_s ${app.toFixed(2)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
