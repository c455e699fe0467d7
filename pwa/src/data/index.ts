/// <reference path="../../../types/pouchdb.d.ts" />
// The officials' app's local-first data layer.
//
//   const data = await openDataLayer({ user: { username, role }, baseUrl: '', csrf: () => session.csrfToken, PouchDB });
//   data.onStatus((s) => syncBar.status = s);          // online, pending, conflicts, lastSyncAt, progress, storage
//   await data.sync();                                  // flush the outbox, then pull (also every intervalMs and on 'online')
//   data.tasks();                                       // DocSummary[]: what the user must draft, approve, sign, issue, handle
//   data.list({ direction: 'outgoing', q: 'quyet dinh', limit: 50 });   // { total, items }, accent-insensitive search
//   data.get(id);                                       // DocDetail | null, with its event timeline (pending steps marked)
//   const { docId } = await data.queue({ kind: 'create', content });    // works offline; docId is `local:…` until accepted
//   await data.queue({ kind: 'edit', docId, content }, { baseRev });  // baseRev: the revision the user saw (default: the device's)
//   await data.queue({ kind: 'act', docId, action: 'submit' });
//   await data.queueDraft({ docId?, baseRev?, content, submit });  // the editor's save (+ submit) in one call
//   data.conflicts();  await data.resolveConflict(id, 'retry' | 'discard');
//   data.onChange(() => rerender());                    // local data changed (pulled, queued, flushed)
//   await data.close();
//
// Reads: the user's working set (documents they drafted or must act on, plus
// the last 90 days, with their events) is PULLED from the node's read-only
// /api/replicate endpoint into a local PouchDB (IndexedDB in the browser) and
// queried in memory. The node filters what a user may see; it never sends
// secrets, user profiles or other people's drafts. Older documents: the REST
// API (GET /api/documents) on demand.
// Writes: never to the node's database. Each change is a command in a local
// outbox (ordered by a device counter, not the device clock), sent to the REST
// API in order when the node answers. A refusal (409 stale_revision, 403, 400…)
// becomes a conflict record carrying the node's vi/en message; it is never
// dropped: the user retries (rebased on the current revision) or discards it.
// Commands queued after a refused one on the same document wait until the
// conflict is resolved. Lists show queued changes at once, marked pending.
export type { DataUser, DocSummary, DocDetail, DocEvent, ListFilter, CommandInput, QueuedCommand, ConflictRecord, SyncStatus } from './types.js';
export { DataLayer, openDataLayer, type DataLayerOptions, type QueueOptions } from './data-layer.js';
