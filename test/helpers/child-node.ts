// A ward node in its own process, so a test can kill it with SIGKILL the way
// a power cut or the OOM killer would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));

export interface ChildNode { url: string; proc: ChildProcess; kill(): Promise<void>; /** What it printed so far (the first admin's one-time password among it). */ output(): string }

/**
 * Extra flags for the child's Node from WARDDESK_CHILD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
 * to profile a bench's node (NODE_OPTIONS refuses --cpu-prof; the profile is written on a SIGTERM stop).
 */
function nodeArgs(): string[] {
  return (process.env['WARDDESK_CHILD_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
}

export function startChildNode(dataDir: string, env: Record<string, string> = {}): Promise<ChildNode> {
  // A profiled node writes its profile only when it stops on a signal it handles.
  const profiled = nodeArgs().length > 0;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs(), '--import', 'tsx', cli, 'start'], {
      env: { ...process.env, WARDDESK_DATA_DIR: dataDir, WARDDESK_HOST: '127.0.0.1', WARDDESK_PORT: '0', WARDDESK_COOKIE_SECURE: 'false', WARDDESK_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`child node did not start:\n${out}`)); }, 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!, proc, output: () => out,
          kill: () => new Promise((done) => { if (proc.exitCode !== null) return done(); proc.once('exit', () => done()); proc.kill(profiled ? 'SIGTERM' : 'SIGKILL'); }),
        });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); if (!/"url"/.test(out)) reject(new Error(`child node exited ${code}:\n${out}`)); });
  });
}
