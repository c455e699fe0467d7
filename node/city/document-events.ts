// One document's events as a ward replicated them to the city: the one way
// the hub (to fold and judge a document) and `warddesk city sent` (to tell
// what became of what the city sent) gather them. Two places hold them: the
// events under the document's id (`ev:<kind>:<uuid>:…`), and its numbering
// event, named by its register and number (`ev:num:…`, node/numbering.ts) and
// so outside that range. Every event is read with its branches and judged
// (ward-records.ts): a tampered one is reported, and only a genuine revision
// is ever folded.
import { wardDbName } from '../../sync/city-contract.js';
import { EventRecord } from '../../sync/schema.js';
import { tamperDetail, withoutCouchFields, type CityJson, type ReadRecord, WardRecords } from './ward-records.js';

export { withoutCouchFields, type CityJson };

export interface NumberingLookup {
  /** The numbering event's id when the caller already knows it (the hub remembers it per document). */
  numberEventId?: string | null;
  /** Otherwise find it with a Mango query on the document's id (CouchDB 3 and the embedded city both serve `_find`). */
  find?: boolean;
}

export interface GatheredEvents {
  events: EventRecord[];
  /** Records of this document found tampered (a second branch, a hash that does not hold), as told to a person. */
  tampered: string[];
}

export async function documentEvents(json: CityJson, ward: string, docId: string, numbering: NumberingLookup = {}): Promise<GatheredEvents> {
  const records = new WardRecords(json, ward);
  const read = await records.byPrefix(`ev:${docId.slice(4)}:`);
  if (numbering.numberEventId) {
    read.push(...await records.byKeys([numbering.numberEventId]));
  } else if (numbering.find) {
    // Mango finds by the winning revision only: re-read what it finds with its branches.
    const found = await json<{ docs?: { _id: string }[] }>(`/${wardDbName(ward)}/_find`, { selector: { type: 'event', docId, action: { $in: ['number', 'register'] } }, fields: ['_id'], limit: 5 });
    read.push(...await records.byKeys((found.docs ?? []).map((d) => d._id)));
  }
  return eventsOf(docId, read);
}

/** Genuine, well-formed events of `docId` from judged records, and what was tampered. */
export function eventsOf(docId: string, read: readonly ReadRecord[]): GatheredEvents {
  const byId = new Map<string, EventRecord>();
  const tampered: string[] = [];
  for (const r of read) {
    if (r.integrity.state === 'tampered') tampered.push(tamperDetail(r.id, r.integrity));
    if (!r.doc) continue;
    const parsed = EventRecord.safeParse(withoutCouchFields(r.doc));
    if (parsed.success && parsed.data.docId === docId) byId.set(parsed.data._id, parsed.data);
  }
  return { events: [...byId.values()], tampered: [...new Set(tampered)] };
}
