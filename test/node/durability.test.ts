// What the store promises about power loss, checked on the system calls the
// node makes (strace): an acknowledged write's LevelDB log is fsynced before
// the acknowledgement is written. A run with fsync off shows the check bites.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../helpers/durable-write.ts', import.meta.url));
const dirs: string[] = [];
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** The traced system calls of one durable-write run, in order. */
function trace(mode: 'fsync' | 'nofsync'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-fsync-'));
  dirs.push(dir);
  const out = join(dir, 'strace.txt');
  const r = spawnSync('strace', ['-f', '-y', '-s', '40', '-e', 'trace=fsync,fdatasync,write', '-o', out, process.execPath, '--import', 'tsx', script, join(dir, 'data'), mode], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /ACK/);
  return readFileSync(out, 'utf8').split('\n');
}

/** Index of the first line syncing the docs store's log, and of the ACK write. */
function order(lines: string[]): { logSynced: number; ack: number } {
  const ack = lines.findIndex((l) => /write\(1<[^>]*>, "ACK\\n"/.test(l));
  const logSynced = lines.findIndex((l) => /f(data)?sync\(\d+<[^>]*\/data\/docs\/\d+\.log>\)\s+= 0/.test(l));
  return { logSynced, ack };
}

test('an acknowledged write has its LevelDB log fsynced before the acknowledgement', () => {
  const { logSynced, ack } = order(trace('fsync'));
  assert.ok(ack > 0, 'the ACK write was traced');
  assert.ok(logSynced >= 0 && logSynced < ack, `fsync of docs/*.log at line ${logSynced}, ACK at ${ack}`);
});

test('without the flush, PouchDB never fsyncs the log before acknowledging (why the flush exists)', () => {
  const { logSynced, ack } = order(trace('nofsync'));
  assert.ok(ack > 0);
  assert.ok(logSynced === -1 || logSynced > ack, `unexpected fsync of the log at line ${logSynced} before ACK at ${ack}`);
});

test.run();
