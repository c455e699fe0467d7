// A copy of the working tree with its dist/ (timestamps not kept, as a clone
// or a checkout leaves them) and a link to node_modules, where a test or a
// bench may edit sources and run `node bin/warddesk.js start` without touching
// the repository. Used by test/bin/build.test.ts and test/bench/start.ts.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the repository's dist (server and app) if needed, then copies tracked and new files plus dist/ into `to`. */
export function copyTree(to: string): void {
  execFileSync(process.execPath, [join(root, 'bin/build.js'), '--quiet', 'server', 'pwa'], { cwd: root, stdio: 'inherit' });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (f === 'node_modules' || !existsSync(join(root, f))) continue;
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(root, f), join(to, f));
  }
  cpSync(join(root, 'dist'), join(to, 'dist'), { recursive: true });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(to, 'node_modules'));
}

export interface Started { url: string; readonly stderr: string; stop(): Promise<void> }

/** `node bin/warddesk.js start` in `tree` with its data in `dataDir`, resolved once the node logs its URL. */
export function startIn(tree: string, dataDir: string, timeoutMs = 300_000): Promise<Started> {
  const proc = spawn(process.execPath, ['bin/warddesk.js', 'start'], {
    cwd: tree,
    env: { ...process.env, WARDDESK_DATA_DIR: dataDir, WARDDESK_HOST: '127.0.0.1', WARDDESK_PORT: '0', WARDDESK_COOKIE_SECURE: 'false', WARDDESK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no URL in ${timeoutMs / 1000} s:\n${out}\n${stderr}`)); }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!, get stderr() { return stderr; },
        stop: () => new Promise((done) => { if (proc.exitCode !== null) return done(); proc.once('exit', () => done()); proc.kill('SIGTERM'); }),
      });
    });
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); if (!/"url"/.test(out)) reject(new Error(`exited ${code}:\n${out}\n${stderr}`)); });
  });
}
