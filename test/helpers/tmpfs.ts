// A real small file system to fill up (tmpfs, needs root): the disk-full
// tests use it instead of injecting errors.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestWard, type TestWard } from './ward.js';

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

/**
 * Runs `body` with a ward node whose data lives on a fresh tmpfs of `size`, then stops the node,
 * unmounts and removes the folder. Where no tmpfs can be mounted (not root) it prints
 * "<label>: SKIPPED" and runs nothing.
 */
export async function withWardOnTmpfs(label: string, size: string, body: (ward: TestWard, mnt: string) => Promise<void>): Promise<void> {
  const mnt = mkdtempSync(join(tmpdir(), 'warddesk-tmpfs-'));
  if (!mountTmpfs(mnt, size)) {
    console.log(`${label}: SKIPPED, tmpfs cannot be mounted here (needs root)`);
    rmSync(mnt, { recursive: true, force: true });
    return;
  }
  let ward: TestWard | null = null;
  try {
    ward = await startTestWard({}, join(mnt, 'data'));
    await body(ward, mnt);
  } finally {
    await ward?.stop().catch(() => undefined);
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
}
