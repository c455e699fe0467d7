// The restore's exclusive lock on its target data directory. A restore builds
// the new data directory beside the target and renames it into place; a node
// started on the target meanwhile would acknowledge writes into a directory
// the rename is about to replace (a real attack run lost 169 acknowledged
// writes that way). So:
//
// - the restore creates `.<target>.restore-lock` beside the target with
//   O_EXCL (one restore at a time), holding its pid;
// - a node checks for a live lock before opening its store AND again after
//   (when LevelDB's own lock makes the directory its own): a node that sees
//   the lock refuses to start before it answers anyone;
// - the restore refuses a target that is not empty (a node that got there
//   first holds it) and rename(2) refuses a non-empty target too.
// Whichever order the two take their steps in, one of them stops before a
// write is acknowledged. A lock whose process is gone (a restore killed
// half-way) is stale: the target was never touched, so it is removed.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BackupError } from './backup-format.js';

export function restoreLockPath(dataDir: string): string {
  return join(dirname(dataDir), `.${basename(dataDir)}.restore-lock`);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** The pid of a live restore into `dataDir`, or null (a stale lock is removed). */
export function restoreHolder(dataDir: string): number | null {
  const path = restoreLockPath(dataDir);
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return null; }
  const pid = Number(/^(\d+)/.exec(text)?.[1]);
  // An empty file is a lock being written right now (O_EXCL created it, its pid follows): held, unless old.
  if (text === '') {
    try { if (Date.now() - statSync(path).mtimeMs < 10_000) return -1; } catch { return null; }
  }
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) return pid;
  rmSync(path, { force: true });
  return null;
}

export function restoreRunningError(dataDir: string, pid: number): BackupError {
  const who = pid > 0 ? ` (pid ${pid})` : '';
  return new BackupError('restore_running', `Đang khôi phục dữ liệu vào ${dataDir}${who}: chờ khôi phục xong rồi mới khởi động nút hoặc khôi phục lần nữa. / A restore into ${dataDir} is running${who}: wait until it finishes before starting the node or restoring again.`);
}

/** Throws when a restore into `dataDir` is under way: the node calls it before and after opening its store. */
export function refuseWhileRestoring(dataDir: string): void {
  const pid = restoreHolder(dataDir);
  if (pid !== null) throw restoreRunningError(dataDir, pid);
}

/** Takes the lock or throws `restore_running`; `release` removes it. */
export function takeRestoreLock(dataDir: string): { release(): void } {
  const path = restoreLockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = restoreHolder(dataDir); // removes a stale lock, then we try once more
      if (pid !== null) throw restoreRunningError(dataDir, pid);
      continue;
    }
    try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
    return { release: () => rmSync(path, { force: true }) };
  }
  throw restoreRunningError(dataDir, -1);
}
