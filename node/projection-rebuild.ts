// Builds the projection from the store alone (no snapshot, or a bad one),
// holding no more than the summaries it builds: a ward of 200,000 documents
// and 650,000 events does not fit in memory whole (docs/decisions/0011).
//
// Events are read in id order, where a document's own events
// (`ev:<direction>:<uuid>:<time>`) sit together; numbering events
// (`ev:num:<register>:<number>`) are read first and merged into their
// document's group, so each document's events fold in their order
// (sync/workflow.ts compareEvents). Records come last, and each document is
// indexed once, with its number. An event found apart from its document's
// group (no id form writes one today) has that document re-read whole.
import type { DocumentRecord, EventRecord } from '../sync/schema.js';
import { compareEvents } from '../sync/workflow.js';
import { attachRecord, blankSummary, type DocSummary, type Projection } from './projection.js';
import { levelOf, scanDocs } from './store-scan.js';

/** Returns how many records were read. */
export async function rebuildFromStore(db: PouchDB.Database, projection: Projection, pageSize: number): Promise<number> {
  let read = 0;
  const numbering = new Map<string, EventRecord[]>();
  for await (const ev of scan(db, 'ev:num:', 'ev:num:\uffff', pageSize)) {
    read += 1;
    const e = slim(ev as unknown as EventRecord);
    const list = numbering.get(e.docId);
    if (list) list.push(e); else numbering.set(e.docId, [e]);
  }
  const shells = new Map<string, DocSummary>();
  const strays = new Set<string>();
  let group: EventRecord[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const docId = group[0]!.docId;
    if (shells.has(docId)) strays.add(docId);
    else {
      const events = [...group, ...numbering.get(docId) ?? []].sort(compareEvents);
      numbering.delete(docId);
      const shell = blankSummary(docId);
      for (const e of events) projection.fold(shell, e);
      shells.set(docId, shell);
    }
    group = [];
  };
  for (const [from, to] of [['ev:', 'ev:num:'], ['ev:num:\uffff', 'ev:\uffff']] as const) {
    for await (const ev of scan(db, from, to, pageSize)) {
      read += 1;
      const e = ev as unknown as EventRecord;
      if (group.length > 0 && group[0]!.docId !== e.docId) flush();
      group.push(e);
    }
    flush();
  }
  // Documents whose only events are numbering events.
  for (const [docId, events] of numbering) {
    const shell = blankSummary(docId);
    for (const e of events.sort(compareEvents)) projection.fold(shell, e);
    shells.set(docId, shell);
  }
  numbering.clear();
  for await (const doc of scan(db, 'doc:', 'doc:\uffff', pageSize)) {
    read += 1;
    const record = doc as unknown as DocumentRecord;
    const summary = shells.get(record._id) ?? blankSummary(record._id);
    shells.delete(record._id);
    attachRecord(summary, record);
    projection.adopt(summary, record);
  }
  // Events of documents not in the store are left out, as replication brings the document later.
  if (strays.size > 0) await projection.reloadDocs(db, [...strays].filter((id) => projection.get(id)));
  projection.compactIndex();
  return read;
}

/** What folding a numbering event reads of it: held for every numbered document until its group comes, so no more. */
function slim(e: EventRecord): EventRecord {
  const data: Record<string, unknown> = {};
  for (const k of ['registerKey', 'number', 'numberText', 'symbol', 'scan', 'pdf', 'handler', 'deadline']) if (e.data[k] !== undefined) data[k] = e.data[k];
  return { _id: e._id, type: 'event', ward: '', docId: e.docId, action: e.action, at: e.at, actor: { user: e.actor.user, role: e.actor.role, device: '' }, data } as EventRecord;
}

/** The current records with ids in [from, to), in id order: read from LevelDB directly when the store opened it (0012), else through PouchDB. */
function scan(db: PouchDB.Database, from: string, to: string, pageSize: number): AsyncIterable<Record<string, unknown>> {
  const level = levelOf(db);
  return level ? scanDocs(level, from, to) : scanPouch(db, from, to, pageSize);
}

async function* scanPouch(db: PouchDB.Database, from: string, to: string, pageSize: number): AsyncIterable<Record<string, unknown>> {
  let startkey = from;
  let skip = 0;
  for (;;) {
    const page = await db.allDocs({ startkey, endkey: to, inclusive_end: false, include_docs: true, limit: pageSize, skip });
    for (const row of page.rows) if (row.doc) yield row.doc as unknown as Record<string, unknown>;
    if (page.rows.length < pageSize) return;
    startkey = page.rows[page.rows.length - 1]!.id;
    skip = 1;
  }
}
