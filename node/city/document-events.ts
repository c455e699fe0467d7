// One document's events as a ward replicated them to the city. The hub (to
// fold and judge a document) and `warddesk city sent` (to tell what became of
// what the city sent) both need them, from the same two places: the events
// under the document's id (`ev:<kind>:<uuid>:…`), and its numbering event,
// which is named by its register and number (`ev:num:…`, node/numbering.ts)
// and so lies outside that range.
import { wardDbName } from '../../sync/city-contract.js';
import { EventRecord } from '../../sync/schema.js';
import { prefixRange } from './init.js';

/** GETs `path` (or POSTs `body` to it) at the city and returns the JSON; throws on an HTTP error. Each caller brings its own client. */
export type CityJson = <T>(path: string, body?: unknown) => Promise<T>;

export interface NumberingLookup {
  /** The numbering event's id when the caller already knows it (the hub remembers it per document). */
  numberEventId?: string | null;
  /** Otherwise find it with a Mango query on the document's id (CouchDB 3 and the embedded city both serve `_find`). */
  find?: boolean;
}

type Row = { doc?: Record<string, unknown> | null };

export async function documentEvents(json: CityJson, ward: string, docId: string, numbering: NumberingLookup = {}): Promise<EventRecord[]> {
  const db = `/${wardDbName(ward)}`;
  const own = await json<{ rows: Row[] }>(`${db}/_all_docs?${prefixRange(`ev:${docId.slice(4)}:`)}`);
  const docs = own.rows.flatMap((row) => (row.doc ? [row.doc] : []));
  if (numbering.numberEventId) {
    const named = await json<{ rows: Row[] }>(`${db}/_all_docs?include_docs=true`, { keys: [numbering.numberEventId] });
    docs.push(...named.rows.flatMap((row) => (row.doc ? [row.doc] : [])));
  } else if (numbering.find) {
    const found = await json<{ docs?: Record<string, unknown>[] }>(`${db}/_find`, { selector: { type: 'event', docId, action: { $in: ['number', 'register'] } }, limit: 5 });
    docs.push(...(found.docs ?? []));
  }
  const byId = new Map<string, EventRecord>();
  for (const doc of docs) {
    const parsed = EventRecord.safeParse(withoutCouchFields(doc));
    if (parsed.success && parsed.data.docId === docId) byId.set(parsed.data._id, parsed.data);
  }
  return [...byId.values()];
}

/** CouchDB fields the schemas do not describe. */
export function withoutCouchFields(doc: Record<string, unknown>): Record<string, unknown> {
  const { _rev: _r, _revisions: _v, _attachments: _a, _conflicts: _c, ...rest } = doc;
  return rest;
}
