// Backup and restore of a big ward through the real CLI, each in its own
// process: throughput (MB of backup written or read per second) and peak RSS
// (the kernel's high-water mark of the child's RSS, read from /proc). Issue 15's ward: 100,000
// documents (with their events) and several GB of files. The source data is
// removed before the restore so the run stays within ~3× the file size on
// disk; the restore checks every attachment digest and file hash itself.
//   npx tsx test/bench/backup.ts [--documents=100000] [--gb=3] [--dir=/some/disk]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../node/store.js';
import { runCli, seedWardData } from '../helpers/backup-data.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const DOCUMENTS = Number(arg('documents', '100000'));
const GB = Number(arg('gb', '3'));
const fileBytes = Math.round(GB * 2 ** 30);

const root = mkdtempSync(join(arg('dir', tmpdir()), 'warddesk-bench-backup-'));
const freeGb = (() => { const s = statfsSync(root); return (s.bavail * s.bsize) / 2 ** 30; })();
if (freeGb < GB * 2.3 + 2) {
  console.log(`# backup bench skipped: ${freeGb.toFixed(1)} GB free, needs ${(GB * 2.3 + 2).toFixed(1)} GB (pass --gb= smaller or --dir=)`);
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

const size = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
const mb = (bytes: number) => bytes / 2 ** 20;

try {
  // The CLI an official runs (bin/warddesk.js): built here first, so neither run pays for the build.
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/build.js', import.meta.url)), 'server'], { stdio: 'ignore' });
  const data = join(root, 'data');
  const t0 = performance.now();
  await seedWardData(data, { documents: DOCUMENTS, fileBytes, fileSize: 8 << 20 });
  const store = await openStore(data);
  const docCount = (await store.docs.info()).doc_count;
  await store.close();
  console.log(`# seeded ${DOCUMENTS} documents (${docCount} records) and ${GB} GB of files in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const bak = join(root, 'bak');
  const b = await runCli(['backup', '--out', bak], { WARDDESK_DATA_DIR: data }, undefined, { compiled: true });
  if (b.code !== 0) throw new Error(`backup failed: ${b.out}`);
  const bakBytes = size(bak);
  rmSync(data, { recursive: true, force: true });

  const restored = join(root, 'restored');
  const r = await runCli(['restore', bak, '--no-city'], { WARDDESK_DATA_DIR: restored }, undefined, { compiled: true });
  if (r.code !== 0) throw new Error(`restore failed: ${r.out}`);
  const check = await openStore(restored);
  const restoredCount = (await check.docs.info()).doc_count;
  await check.close();
  if (restoredCount !== docCount) throw new Error(`restored ${restoredCount} records of ${docCount}`);

  console.log(`backup_records ${docCount}`);
  console.log(`backup_size_mb ${mb(bakBytes).toFixed(0)}`);
  console.log(`backup_mb_per_s ${(mb(bakBytes) / (b.ms / 1000)).toFixed(1)}`);
  console.log(`backup_s ${(b.ms / 1000).toFixed(1)}`);
  console.log(`backup_peak_rss_mb ${b.maxRssMb.toFixed(0)}`);
  console.log(`backup_peak_rss_anon_mb ${b.anonMb.toFixed(0)}`);
  console.log(`backup_peak_rss_file_mb ${b.fileMb.toFixed(0)}`);
  console.log(`restore_mb_per_s ${(mb(bakBytes) / (r.ms / 1000)).toFixed(1)}`);
  console.log(`restore_s ${(r.ms / 1000).toFixed(1)}`);
  console.log(`restore_peak_rss_mb ${r.maxRssMb.toFixed(0)}`);
  console.log(`restore_peak_rss_anon_mb ${r.anonMb.toFixed(0)}`);
  console.log(`restore_peak_rss_file_mb ${r.fileMb.toFixed(0)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
