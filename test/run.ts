// Runs every *.test.ts under test/ in its own Node process (uvu keeps global
// state per process, and each suite opens its own ports and temp dirs), two at
// a time because CI machines have two cores, then prints one closing line.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv.slice(2);

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'bench') return [];
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Outcome { file: string; passed: number; failed: number; output: string; code: number | null }

function runFile(file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let lingered = false;
    let linger: NodeJS.Timeout | null = null;
    const onData = (d: Buffer) => {
      output += d.toString();
      // uvu prints its summary after every test and hook ran. A process still
      // alive 20 s later is held by a handle (a weak-link test was seen to hang
      // so, rarely, on a loaded machine): end it and keep uvu's verdict, saying so.
      if (!linger && /Duration:/.test(output)) {
        linger = setTimeout(() => { lingered = true; output += '\n[runner] the suite finished but its process did not exit within 20 s: killed\n'; child.kill('SIGKILL'); }, 20_000);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => { output += '\n[runner] timed out after 300 s\n'; child.kill('SIGKILL'); }, 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (linger) clearTimeout(linger);
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
      // A suite that crashed before uvu printed its summary counts as one failure.
      const failed = code === 0 || (lingered && total > 0) ? total - passed : Math.max(1, total - passed);
      if (lingered) console.log(`note ${relative(root, file)}: finished, then held the process open (killed after 20 s)`);
      resolve({ file: relative(root, file), passed, failed, output, code });
    });
  });
}

const files = findTests(root).filter((f) => filter.length === 0 || filter.some((p) => f.includes(p))).sort();
const queue = [...files];
const outcomes: Outcome[] = [];
const workers = Array.from({ length: Math.min(Math.max(2, availableParallelism()), 4) }, async () => {
  for (let file = queue.shift(); file; file = queue.shift()) {
    const started = Date.now();
    const outcome = await runFile(file);
    outcomes.push(outcome);
    const mark = outcome.failed === 0 ? 'ok  ' : 'FAIL';
    console.log(`${mark} ${outcome.file}  ${outcome.passed} passed, ${outcome.failed} failed  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (outcome.failed > 0) console.log(outcome.output.split('\n').map((l) => `     | ${l}`).join('\n'));
  }
});
await Promise.all(workers);
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && files.length > 0 ? 0 : 1);
