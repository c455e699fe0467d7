// The last task list this device showed, in localStorage: one synchronous
// read, so a start shows the user's tasks at once while the working set
// (PouchDB over IndexedDB: ~1 s to read 5,000 documents on a loaded PC)
// opens; the store's list then replaces it. Per user; forgotten at logout.
import type { TaskGroup } from './tasks.js';

const key = (user: string) => `wd.tasks.${user}`;
/** Rows kept per group: the screen shows the first 100. */
const KEPT = 100;

export interface CachedGroup extends TaskGroup { total: number }

export function saveTasks(user: string, groups: readonly TaskGroup[]): void {
  const kept: CachedGroup[] = groups.map((g) => ({ key: g.key, total: g.items.length, items: g.items.slice(0, KEPT) }));
  try { localStorage.setItem(key(user), JSON.stringify(kept)); } catch { /* full or private mode: the next start waits for the store */ }
}

export function cachedTasks(user: string): CachedGroup[] | null {
  try { return JSON.parse(localStorage.getItem(key(user)) ?? 'null') as CachedGroup[] | null; } catch { return null; }
}

export function forgetTasks(user: string): void { localStorage.removeItem(key(user)); }
