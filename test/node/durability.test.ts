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
function trace(mode: 'fsync' | 'nofsync' | 'group' | 'rotate'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-fsync-'));
  dirs.push(dir);
  const out = join(dir, 'strace.txt');
  const r = spawnSync('strace', ['-f', '-y', '-s', '40', '-e', 'trace=fsync,fdatasync,write,openat', '-o', out, process.execPath, '--import', 'tsx', script, join(dir, 'data'), mode], { encoding: 'utf8' });
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

test('twenty concurrent commands share fsyncs, and everything in the log before each acknowledgement was fsynced before it', () => {
  const lines = trace('group');
  const isAck = (l: string) => /write\(1<[^>]*>, "ACK\\n"/.test(l);
  const isLogWrite = (l: string) => /write\(\d+<[^>]*\/data\/docs\/\d+\.log>/.test(l);
  const isLogSync = (l: string) => /f(data)?sync\(\d+<[^>]*\/data\/docs\/\d+\.log>\)\s+= 0/.test(l);
  const acks = lines.flatMap((l, i) => (isAck(l) ? [i] : []));
  const syncs = lines.flatMap((l, i) => (isLogSync(l) ? [i] : []));
  assert.is(acks.length, 20);
  assert.ok(syncs.length > 0 && syncs.length <= 10, `${syncs.length} fsyncs of the log for 20 acknowledgements`);
  for (const ack of acks) {
    let lastWrite = -1;
    for (let i = ack - 1; i >= 0; i -= 1) if (isLogWrite(lines[i]!)) { lastWrite = i; break; }
    assert.ok(syncs.some((s) => s > lastWrite && s < ack), `ACK at line ${ack}: the log written at line ${lastWrite} was not fsynced before it`);
  }
});

test('when LevelDB starts a new log, the new log and the directory naming it are fsynced before the next acknowledgement', () => {
  const lines = trace('rotate');
  const isAck = (l: string) => /write\(1<[^>]*>, "ACK\\n"/.test(l);
  const logOf = (l: string, call: string) => new RegExp(`${call}\\(\\d+<[^>]*/data/docs/(\\d+\\.log)>`).exec(l)?.[1];
  const created = lines.flatMap((l, i) => { const m = /openat\([^"]*"[^"]*\/data\/docs\/(\d+\.log)", [^)]*O_CREAT/.exec(l); return m ? [{ i, log: m[1]! }] : []; });
  const dirSyncs = lines.flatMap((l, i) => (/fsync\(\d+<[^>]*\/data\/docs>\)\s+= 0/.test(l) ? [i] : []));
  const acks = lines.flatMap((l, i) => (isAck(l) ? [i] : []));
  assert.is(acks.length, 6);
  // Past the log LevelDB made when it opened the store: one made while commands were being written.
  const rotated = created.filter((c) => c.i > acks[0]!);
  assert.ok(rotated.length > 0, `LevelDB started no new log (made: ${created.map((c) => c.log).join(', ')})`);
  for (const ack of acks) {
    let lastWrite = -1;
    let log = '';
    for (let i = ack - 1; i >= 0; i -= 1) { const w = logOf(lines[i]!, 'write'); if (w) { lastWrite = i; log = w; break; } }
    assert.ok(lines.some((l, i) => i > lastWrite && i < ack && logOf(l, 'f(?:data)?sync') === log), `ACK at line ${ack}: ${log}, written at line ${lastWrite}, was not fsynced before it`);
  }
  for (const { i, log } of rotated) {
    const nextAck = acks.find((a) => a > i)!;
    assert.ok(dirSyncs.some((s) => s > i && s < nextAck), `${log} made at line ${i}: the directory was not fsynced before the ACK at ${nextAck}`);
  }
});

test.run();
