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
//
// The ledger's flush, once per group of commands, is `LogSync`: it keeps the
// log open between groups and fsyncs only the log(s) while LevelDB's files
// stay as they were; the manifest and the directory only after LevelDB made
// or removed files (LevelDB fsyncs each manifest record itself; a new log's
// directory entry it does not). Ten thread-pool trips a group (a readdir,
// then open, fsync, close of two files and the directory) became two, and the
// group's fsync wait is what commands queue behind (docs/decisions/0010).
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** fsyncs LevelDB's write-ahead log(s) and manifest in `dir`, then `dir` itself, once (a first `LogSync` flush does all three). */
export async function syncLevelDb(dir: string): Promise<void> {
  const once = new LogSync(dir);
  try { await once.flush(); } finally { await once.close(); }
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

/** The flush of one LevelDB directory, called again and again (see the head of this file). */
export class LogSync {
  private readonly logs = new Map<string, FileHandle>();
  private names = '';
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /** Everything LevelDB has written to its log so far is on disk when this resolves. Calls run one after another. */
  flush(): Promise<void> {
    const run = this.last.then(() => this.once());
    this.last = run.catch(() => undefined);
    return run;
  }

  /** Closes the logs kept open. */
  async close(): Promise<void> {
    await this.last;
    await this.forget([...this.logs.keys()]);
  }

  private async once(): Promise<void> {
    const all = (await readdir(this.dir)).filter((n) => n.endsWith('.log') || n.startsWith('MANIFEST-')).sort();
    const logs = all.filter((n) => n.endsWith('.log'));
    const changed = all.join('/') !== this.names;
    await this.forget([...this.logs.keys()].filter((n) => !logs.includes(n)));
    try {
      await Promise.all(logs.map(async (name) => {
        const handle = this.logs.get(name) ?? await this.open(name);
        await handle?.sync();
      }));
      if (changed) {
        for (const name of all.filter((n) => n.startsWith('MANIFEST-'))) await fsyncPath(join(this.dir, name));
        await fsyncPath(this.dir);
      }
    } catch (err) {
      // A handle that failed an fsync is not trusted again (its pages' state is unknown after EIO): reopen next time.
      this.names = '';
      await this.forget([...this.logs.keys()]);
      throw err;
    }
    this.names = all.join('/');
  }

  private async open(name: string): Promise<FileHandle | undefined> {
    try {
      const handle = await open(join(this.dir, name), 'r');
      this.logs.set(name, handle);
      return handle;
    } catch (err) {
      // Removed since the readdir: its batches are in a table file LevelDB synced first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async forget(names: string[]): Promise<void> {
    for (const name of names) {
      const handle = this.logs.get(name);
      this.logs.delete(name);
      await handle?.close().catch(() => undefined);
    }
  }
}
