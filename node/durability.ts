// Power-loss safety for the replicated store.
//
// PouchDB's LevelDB adapter writes each batch to LevelDB's log with write(2)
// and no fsync (it offers no `sync: true` option), so a batch survives a
// process crash (kill -9: the kernel has it) but not a power cut (the page
// cache dies with the power). LevelDB appends every batch to one log file,
// and fsync(2) flushes a file's pages whichever descriptor asks, so after a
// command's batch the ledger fsyncs the store's current log (and the
// directory, in case LevelDB just rotated to a new log) before anyone is told
// "done". Written by hand: no library exposes this for PouchDB.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** fsyncs LevelDB's write-ahead log(s) and manifest in `dir`, then `dir` itself. */
export async function syncLevelDb(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.log') || n.startsWith('MANIFEST-'));
  for (const name of names) await fsyncPath(join(dir, name));
  await fsyncPath(dir);
}

async function fsyncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    // LevelDB deleted an old log between readdir and open: its data is in a table file already.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try { await handle.sync(); } finally { await handle.close(); }
}
