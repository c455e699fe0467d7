// A real small file system to fill up (tmpfs, needs root): the disk-full
// tests use it instead of injecting errors.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, statfsSync, writeSync } from 'node:fs';

/** Mounts a tmpfs of `size` (e.g. "48m") on `dir`; false where that is not allowed. */
export function mountTmpfs(dir: string, size: string): boolean {
  try { execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' }); return true; } catch { return false; }
}

/** Fills `dir`'s file system with one file until `leaveBytes` are free (0: to the last byte). */
export function fill(dir: string, file: string, leaveBytes = 0): void {
  const fd = openSync(file, 'w');
  const free = () => { const s = statfsSync(dir); return s.bavail * s.bsize; };
  try {
    for (const size of [1 << 20, 4096, 1]) {
      // With nothing to leave, on until ENOSPC: statfs counts whole pages, the last one may still take bytes.
      try { while (leaveBytes === 0 || free() - size >= leaveBytes) writeSync(fd, Buffer.alloc(size)); } catch { /* ENOSPC: next, smaller */ }
    }
  } finally { closeSync(fd); }
}
