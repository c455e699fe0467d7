// The text being typed, kept on the device: every keystroke in the editor is
// saved here, so an app update, a reload or a dead node loses nothing. It is
// not a queue: a draft saved or submitted with the node away goes into the
// data layer's outbox (./data), which sends it and shows a refusal as a
// conflict; the entry here is removed once the node or the outbox has it.
// Per user, in localStorage: small, synchronous (safe to call from
// `pagehide`), and enough for a few drafts.
import type { DraftContent } from './api.js';

export interface LocalDraft {
  key: string; // the document id, or local:<uuid> for a draft nobody saved yet
  docId?: string;
  /** The revision the text was typed on (the editor's), for the edit that saves it. */
  baseRev?: string;
  content: DraftContent;
  savedAt: number;
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
