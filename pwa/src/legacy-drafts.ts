// Drafts an earlier version of the app left waiting in localStorage: drafts.ts
// was then a second queue (entries flagged `pending`, sent by the sync bar).
// At the store's opening they move once into the data layer's outbox, the one
// queue now, so a draft saved or submitted offline before an update still goes
// out, and a refusal is shown as a conflict. An entry the outbox will not take
// (invalid, its document no longer on the device) stays as text being typed.
import type { DataLayer } from './data/index.js';
import { localDrafts, removeLocal, type LocalDraft } from './drafts.js';

interface LegacyDraft extends LocalDraft { pending?: boolean; submit?: boolean }

/** Returns how many drafts moved into the outbox. */
export async function moveLegacyDrafts(data: DataLayer): Promise<number> {
  const user = data.user.username;
  // Oldest first, as they were saved (localDrafts lists the newest first).
  const waiting = (localDrafts(user) as LegacyDraft[]).filter((d) => d.pending === true).reverse();
  if (waiting.length === 0) return 0;
  await data.ready();
  let moved = 0;
  for (const d of waiting) {
    try {
      const docId = await data.queueDraft({ ...(d.docId ? { docId: d.docId } : {}), ...(d.baseRev ? { baseRev: d.baseRev } : {}), content: d.content, submit: false });
      // Gone from here as soon as the outbox holds the text: a second start must not queue it again.
      removeLocal(user, d.key);
      moved += 1;
      if (d.submit && docId) await data.queueDraft({ docId, content: null, submit: true });
    } catch (e) {
      console.warn('a draft left pending by an earlier version stays on the device as text', e);
    }
  }
  return moved;
}
