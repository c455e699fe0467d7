// The signed-in user's local-first data (./data: a PouchDB replica of their
// working set in IndexedDB, pulled from the node's read-only /api/replicate,
// plus an outbox of commands), opened once per user. The screens read from it
// first and ask the REST API only for what it does not hold (older documents,
// or a browser without IndexedDB). PouchDB is loaded after the shell so the
// login screen does not wait for it.
import { csrfToken, type DocDetail, type DocSummary, type User } from './api.js';
import type { DataLayer, DocDetail as LocalDetail, DocSummary as LocalSummary } from './data/index.js';
import { moveLegacyDrafts } from './legacy-drafts.js';

let current: DataLayer | null = null;
let opening: Promise<DataLayer | null> | null = null;

/** The open store, or null (not opened yet, or no IndexedDB: private windows of some browsers). */
export const store = (): DataLayer | null => current;

/**
 * The store when it can answer for the working set: it has pulled once in
 * this session, or holds documents from an earlier one (a fresh device shows
 * the node's answer until its first pull ends rather than an empty list).
 */
export const readyStore = (): DataLayer | null => (current && (current.status.lastSyncAt || current.documentCount > 0) ? current : null);

/** The store once it is open (waits for one being opened; null: none, or no IndexedDB). */
export const storeOpened = (): Promise<DataLayer | null> => (current ? Promise.resolve(current) : opening ?? Promise.resolve(null));

/** Fired on window when the store opened or its data changed (pulled, queued, sent, refused). */
export const STORE_EVENT = 'wd-store';

export function openStore(user: User): Promise<DataLayer | null> {
  if (current?.user.username === user.username) return Promise.resolve(current);
  opening ??= (async () => {
    await closeStore();
    try {
      const [{ default: PouchDB }, { openDataLayer }] = await Promise.all([import('pouchdb'), import('./data/index.js')]);
      performance.mark('wd-store-code');
      const layer = await openDataLayer({ user: { username: user.username, role: user.role }, baseUrl: location.origin, csrf: csrfToken, PouchDB, intervalMs: 30_000 });
      current = layer;
      performance.mark('wd-store-open'); // read by test/bench/pwa.ts
      layer.onChange(() => window.dispatchEvent(new CustomEvent(STORE_EVENT)));
      window.addEventListener('wd-node-changed', () => { if (current === layer) void layer.sync(); });
      window.dispatchEvent(new CustomEvent(STORE_EVENT));
      void layer.sync();
      void moveLegacyDrafts(layer).then((n) => { if (n > 0) void layer.sync(); }, (e: unknown) => console.warn('drafts left pending by an earlier version not moved', e));
      return layer;
    } catch (e) {
      console.warn('local store unavailable, using the node directly', e);
      return null;
    } finally { opening = null; }
  })();
  return opening;
}

export async function closeStore(): Promise<void> {
  const s = current;
  current = null;
  await s?.close().catch(() => undefined);
}

/** A local summary in the REST API's shape (absent instead of null), so one table shows both. */
export function asSummary(s: LocalSummary): DocSummary {
  const { rev, number, symbol, numberAndSymbol, author, handler, lastActivity, pendingCommands, conflicts: _c, ...rest } = s;
  return {
    ...rest, rev: rev ?? '', ...(number ? { number } : {}), ...(symbol ? { symbol } : {}), ...(numberAndSymbol ? { numberAndSymbol } : {}),
    ...(author ? { author } : {}), ...(handler ? { handler } : {}), ...(lastActivity ? { lastActivity } : {}), ...(pendingCommands ? { pendingCommands } : {}),
  };
}

/** A local document with its timeline in the REST API's shape. */
export function asDetail(d: LocalDetail): DocDetail {
  const { content, createdAt, createdBy, events } = d;
  return { ...asSummary(d), content, createdAt, createdBy, events: events.map(({ pending: _p, ...e }) => e) };
}
