// Drafts kept on the device: every keystroke in the editor is saved here
// (so an app update, a reload or a dead node loses nothing), and a draft
// saved or submitted while the node is unreachable waits here, marked
// pending, until flushPending() sends it. Per user, in localStorage: small,
// synchronous (safe to call from `pagehide`), and enough for a few drafts.
import { api, ApiError, type DraftContent } from './api.js';

export interface LocalDraft {
  key: string; // the document id, or local:<uuid> for a draft the node has not seen
  docId?: string;
  baseRev?: string;
  content: DraftContent;
  savedAt: number;
  pending: boolean; // must be sent to the node
  submit: boolean; // and submitted once sent
  error?: { code: string; vi: string; en: string };
}

const storeKey = (user: string) => `wd.drafts.${user}`;

function readAll(user: string): Record<string, LocalDraft> {
  try { return JSON.parse(localStorage.getItem(storeKey(user)) ?? '{}') as Record<string, LocalDraft>; } catch { return {}; }
}

function writeAll(user: string, all: Record<string, LocalDraft>): void {
  localStorage.setItem(storeKey(user), JSON.stringify(all));
  window.dispatchEvent(new CustomEvent('wd-drafts'));
}

export const newDraftKey = () => `local:${crypto.randomUUID()}`;
export const localDrafts = (user: string): LocalDraft[] => Object.values(readAll(user)).sort((a, b) => b.savedAt - a.savedAt);
export const localDraft = (user: string, key: string): LocalDraft | undefined => readAll(user)[key];
export const pendingCount = (user: string): number => localDrafts(user).filter((d) => d.pending).length;

export function saveLocal(user: string, draft: LocalDraft): void {
  const all = readAll(user);
  all[draft.key] = draft;
  writeAll(user, all);
}

export function removeLocal(user: string, key: string): void {
  const all = readAll(user);
  if (!(key in all)) return;
  delete all[key];
  writeAll(user, all);
}

/**
 * Sends every pending draft (create or edit, then submit when asked) and
 * returns how many went through. Stops at the first unreachable node; a
 * refusal (stale revision, invalid input) stays on the device with its error
 * shown, never dropped.
 */
export async function flushPending(user: string): Promise<number> {
  let sent = 0;
  for (const d of localDrafts(user).filter((x) => x.pending)) {
    try {
      const doc = d.docId && d.baseRev ? await api.edit(d.docId, d.baseRev, d.content) : await api.createOutgoing(d.content);
      if (d.submit) await api.act(doc.id, 'submit');
      removeLocal(user, d.key);
      sent += 1;
    } catch (e) {
      // Unreachable, or the session ended while offline: keep it pending, log in, and it goes next time.
      if (e instanceof ApiError && (e.code === 'network_unreachable' || e.code === 'not_logged_in')) break;
      const err = e instanceof ApiError ? { code: e.code, vi: e.vi, en: e.en } : { code: 'internal', vi: 'Lỗi', en: 'Error' };
      saveLocal(user, { ...d, pending: false, error: err });
    }
  }
  return sent;
}
