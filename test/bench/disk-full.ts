// Disk-full recovery: a ward node on a real 64 MB tmpfs (mounted as root) is
// filled until LevelDB refuses writes for good (its background compaction
// failed, and LevelDB keeps that error); then the filler is removed and an
// official's create is retried every 50 ms. The figure is the time from
// freeing the space to the first acknowledged write, with no restart.
// Several rounds on the same node; prints the median and the worst.
//   npx tsx test/bench/disk-full.ts [--rounds=5]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { official, sampleDraft, startTestWard, type TestWard } from '../helpers/ward.js';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 5);

const mnt = mkdtempSync(join(tmpdir(), 'warddesk-bench-full-'));
try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt], { stdio: 'pipe' }); } catch {
  console.log('# disk-full bench skipped: tmpfs cannot be mounted here (needs root)');
  rmSync(mnt, { recursive: true, force: true });
  process.exit(0);
}

/** One file filling the file system until `leave` bytes are free. */
function fill(file: string, leave: number): void {
  const fd = openSync(file, 'w');
  const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
  try {
    for (const size of [1 << 20, 4096]) {
      try { while (free() - size >= leave) writeSync(fd, Buffer.alloc(size)); } catch { /* ENOSPC: next, smaller */ }
    }
  } finally { closeSync(fd); }
}

let ward: TestWard | null = null;
const times: number[] = [];
try {
  ward = await startTestWard({}, join(mnt, 'data'));
  let clerk = await official(ward, 'vanthu', 'clerk');
  for (let round = 0; round < ROUNDS; round += 1) {
    const filler = join(mnt, 'filler');
    fill(filler, 6 << 20);
    let refused = 0;
    for (let i = 0; i < 400 && refused < 3; i += 1) {
      const r = await clerk.post('/api/documents/outgoing', sampleDraft({ body: randomBytes(90_000).toString('base64') }));
      if (r.status === 507) refused += 1; else if (r.status !== 201) throw new Error(`write: ${r.status} ${JSON.stringify(r.body)}`);
    }
    if (refused < 3) throw new Error('the disk did not fill up');
    rmSync(filler);
    const freedAt = performance.now();
    for (;;) {
      const r = await clerk.post('/api/documents/outgoing', sampleDraft({ subject: `Sau khi giải phóng ${round}` }));
      if (r.status === 201) break;
      if (performance.now() - freedAt > 30_000) throw new Error(`no write 30 s after freeing space: ${r.status}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
    times.push(performance.now() - freedAt);
    // A fresh node for the next round, so each round starts from the same nearly empty disk.
    await ward.stop();
    rmSync(join(mnt, 'data'), { recursive: true, force: true });
    ward = await startTestWard({}, join(mnt, 'data'));
    clerk = await official(ward, 'vanthu', 'clerk');
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`disk_full_recovery_ms_p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}`);
  console.log(`disk_full_recovery_ms_max ${sorted.at(-1)!.toFixed(0)}`);
  console.log(`disk_full_rounds ${times.length}`);
} finally {
  await ward?.stop().catch(() => undefined);
  execFileSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
}
