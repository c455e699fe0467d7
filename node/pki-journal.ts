// Audit entries for PKI changes made at the server's console (`warddesk ca
// trust add`, `warddesk ca import-p12 --as seal`, …). The console commands run
// beside the node, which holds the store (LevelDB allows one opener), so they
// append a line to `<keys>/pki-journal.jsonl` (fsynced before the command
// reports success) and the running node copies each line into the audit log,
// in order, at boot and every minute (Signing.startPublishing). A cursor file
// says how many lines are in the log; it is written once the audit entry is on
// disk, so a crash in between repeats one entry at worst, never loses one.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from '../certs/atomic-file.js';
import type { Actor } from '../sync/schema.js';
import type { Ledger } from './ledger.js';

export interface PkiJournalEntry { at: string; actor: Actor; action: string; target: string }

const journalFile = (keysDir: string) => join(keysDir, 'pki-journal.jsonl');
const cursorFile = (keysDir: string) => join(keysDir, 'pki-journal.done');

/** The console's actor: the operating-system account that ran the command. */
export function consoleActor(): Actor {
  let user = 'console';
  try { user = `console:${userInfo().username}`.slice(0, 64); } catch { /* no passwd entry (a container): "console" alone */ }
  return { user, role: 'admin', device: 'ward node console' };
}

export function appendPkiJournal(keysDir: string, action: string, target: string, actor: Actor = consoleActor()): void {
  const line = `${JSON.stringify({ at: new Date().toISOString(), actor, action, target } satisfies PkiJournalEntry)}\n`;
  appendFileSync(journalFile(keysDir), line, { mode: 0o600 });
  const fd = openSync(journalFile(keysDir), 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

export function readPkiJournal(keysDir: string): PkiJournalEntry[] {
  if (!existsSync(journalFile(keysDir))) return [];
  return readFileSync(journalFile(keysDir), 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try { return [JSON.parse(l) as PkiJournalEntry]; } catch { return []; } // a line cut by a crash mid-append
  });
}

/** Copies the console's entries not yet in the audit log into it; returns how many. */
export async function drainPkiJournal(keysDir: string, ledger: Ledger): Promise<number> {
  const entries = readPkiJournal(keysDir);
  let done = existsSync(cursorFile(keysDir)) ? Number(readFileSync(cursorFile(keysDir), 'utf8')) || 0 : 0;
  const start = done;
  for (const e of entries.slice(done)) {
    const next = done + 1;
    await ledger.run(() => ({
      // The console's time goes into the target: the log's own time is when the node learnt of it.
      command: { actor: e.actor, action: e.action, target: `${e.target} @ ${e.at}`, docs: [] },
      result: undefined,
      applied: () => writeAtomic(cursorFile(keysDir), Buffer.from(String(next))),
    }));
    done = next;
  }
  return done - start;
}
