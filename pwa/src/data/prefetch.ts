// Pipelining for a device's first pull. PouchDB's replicator takes a batch
// through revs_diff → _bulk_get → write → checkpoint one step after another,
// so IndexedDB sits idle while each _bulk_get crosses the LAN and the node
// (37 of them for 5,000 documents with their events, 0.1–0.3 s each). Into
// a replica that starts empty every revision a _changes page lists is
// missing, so the documents of a page are asked for as soon as the page
// arrives (the replicator reads pages ahead), and the replicator's own
// _bulk_get is answered from that answer when it covers every revision asked.
// The node answers the same request either way; revisions never change.
import type { FetchLike } from './outbox.js';

interface Wanted { id: string; rev: string }
interface BulkGetAnswer { results: unknown[] }

/** Prefetched answers kept at most (the replicator reads 3 pages ahead; stale ones are dropped). */
const KEPT = 6;
const key = (w: Wanted) => `${w.id}\n${w.rev}`;

export function prefetching(fetch: FetchLike): FetchLike {
  const ahead: { wanted: Map<string, number>; answer: Promise<BulkGetAnswer | null> }[] = [];
  return async (url, init) => {
    const { pathname } = new URL(url);
    if (pathname.endsWith('/_bulk_get') && init?.method === 'POST' && typeof init.body === 'string') {
      const asked = (JSON.parse(init.body) as { docs: Wanted[] }).docs;
      const found = ahead.findIndex((a) => asked.every((w) => a.wanted.has(key(w))));
      if (found >= 0) {
        const [hit] = ahead.splice(found, 1);
        const answer = await hit!.answer;
        // One result per revision asked, in the order asked (how the node answers too).
        if (answer) return json({ results: asked.map((w) => answer.results[hit!.wanted.get(key(w))!]) });
      }
      return fetch(url, init);
    }
    const res = await fetch(url, init);
    if (pathname.endsWith('/_changes') && res.ok) {
      const page = await res.clone().json() as { results: { id: string; changes: { rev: string }[] }[] };
      const docs = page.results.flatMap((c) => c.changes.map((ch) => ({ id: c.id, rev: ch.rev })));
      if (docs.length > 0) {
        const bulkUrl = url.replace(/\/_changes(\?.*)?$/, '/_bulk_get?revs=true&latest=true');
        const answer = fetch(bulkUrl, { method: 'POST', body: JSON.stringify({ docs }), headers: { 'content-type': 'application/json', accept: 'application/json' } })
          .then(async (r) => (r.ok ? await r.json() as BulkGetAnswer : null))
          .then((a) => (a && Array.isArray(a.results) && a.results.length === docs.length ? a : null)).catch(() => null);
        ahead.push({ wanted: new Map(docs.map((w, i) => [key(w), i])), answer });
        if (ahead.length > KEPT) ahead.shift();
      }
    }
    return res;
  };
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}
