// The in-memory view of every document: content, events, derived state,
// number, and a full-text index. Built from the store at boot and kept current
// by the ledger, so listing and searching never scan the disk.
import type { DocumentRecord, EventRecord, IncomingArrival, OutgoingDraft } from '../sync/schema.js';
import { applyEvent, compareEvents, emptyState, type DerivedState, type Direction } from '../sync/workflow.js';
import { SearchIndex } from './search-index.js';
import { readSnapshot, writeSnapshot } from './projection-snapshot.js';

export interface DocView {
  id: string;
  direction: Direction;
  record: DocumentRecord;
  events: EventRecord[];
  derived: DerivedState;
  /** Outgoing: "05"; incoming: the register number. */
  numberText: string | null;
  symbol: string | null;
  /** Outgoing: issue date once numbered, else creation; incoming: arrival. */
  date: string;
  dateMs: number;
  /** Time of the last event, as a number so listing compares numbers, not ISO strings. */
  activeMs: number;
}

/** Body text past this length adds little to finding a document and a lot to memory. */
const INDEXED_BODY_CHARS = 2000;

export class Projection {
  private readonly docs = new Map<string, DocView>();
  /** "out:2026:chung" → last number assigned. */
  private readonly lastNumbers = new Map<string, number>();
  private readonly index = new SearchIndex();
  /** sha-256 of a file → the documents whose current content or events name it (attachments, scans, signed PDFs). */
  private readonly fileDocs = new Map<string, Set<string>>();
  private readonly docFiles = new Map<string, Set<string>>();

  get size(): number { return this.docs.size; }

  get(id: string): DocView | undefined { return this.docs.get(id); }

  all(): IterableIterator<DocView> { return this.docs.values(); }

  lastNumber(key: string): number { return this.lastNumbers.get(key) ?? 0; }

  /** The documents that name the file `sha256` now: downloads are allowed to whoever may see one of them. */
  documentsWithFile(sha256: string): string[] { return [...(this.fileDocs.get(sha256) ?? [])]; }

  /** Re-lists the files a document names: its content's attachments and its events' files. */
  private indexFiles(view: DocView): void {
    const now = new Set<string>((view.record.content.attachments ?? []).map((a) => a.sha256));
    for (const e of view.events) for (const key of ['scan', 'pdf'] as const) if (typeof e.data[key] === 'string') now.add(e.data[key] as string);
    for (const sha of this.docFiles.get(view.id) ?? []) if (!now.has(sha)) this.fileDocs.get(sha)?.delete(view.id);
    for (const sha of now) { let docs = this.fileDocs.get(sha); if (!docs) this.fileDocs.set(sha, docs = new Set()); docs.add(view.id); }
    this.docFiles.set(view.id, now);
  }

  /**
   * Builds the view: from the snapshot file plus the store's changes since it
   * when there is one, else from every document in the store. Returns how
   * many changes were read from the store.
   */
  async load(db: PouchDB.Database, snapshotFile: string | null, pageSize = 5000): Promise<{ fromSnapshot: boolean; changesRead: number }> {
    const current = (await db.info()).update_seq;
    const loaded = snapshotFile ? await readSnapshot(snapshotFile) : null;
    // A snapshot from ahead of the store (the store was restored or replaced) describes another history.
    const snap = loaded && Number(loaded.seq) <= Number(current) ? loaded : null;
    if (!snap) {
      let read = 0;
      const records: DocumentRecord[] = [];
      const events: EventRecord[] = [];
      for await (const doc of scan(db, 'doc:', pageSize)) { records.push(doc as unknown as DocumentRecord); read += 1; }
      for await (const ev of scan(db, 'ev:', pageSize)) { events.push(ev as unknown as EventRecord); read += 1; }
      this.hydrate(records, events);
      return { fromSnapshot: false, changesRead: read };
    }
    this.hydrate(snap.records, snap.events);
    let since = snap.seq;
    let read = 0;
    for (;;) {
      const page = await db.changes({ since, include_docs: true, limit: pageSize });
      for (const change of page.results) {
        read += 1;
        const doc = change.doc;
        if (!doc || change.deleted) continue;
        if (doc._id.startsWith('doc:')) this.putRecord(doc as unknown as DocumentRecord);
        else if (doc._id.startsWith('ev:')) this.applyEvent(doc as unknown as EventRecord);
      }
      since = page.last_seq;
      if (page.results.length < pageSize) break;
    }
    return { fromSnapshot: true, changesRead: read };
  }

  /** Saves what is in memory as of `seq` (the caller makes sure nothing is written meanwhile). */
  async save(snapshotFile: string, seq: number | string): Promise<void> {
    const records: DocumentRecord[] = [];
    const events: EventRecord[] = [];
    for (const view of this.docs.values()) { records.push(view.record); events.push(...view.events); }
    await writeSnapshot(snapshotFile, { seq, records, events });
  }

  private hydrate(records: readonly DocumentRecord[], events: EventRecord[]): void {
    for (const record of records) this.putRecord(record, false);
    events.sort(compareEvents);
    for (const ev of events) this.applyEvent(ev, false);
    for (const view of this.docs.values()) this.index.put(view.id, searchableTexts(view));
  }

  putRecord(record: DocumentRecord, reindex = true): void {
    const existing = this.docs.get(record._id);
    const view: DocView = existing
      ? { ...existing, record }
      : { id: record._id, direction: record.direction, record, events: [], derived: emptyState(), numberText: null, symbol: null, date: record.createdAt, dateMs: Date.parse(record.createdAt), activeMs: Date.parse(record.createdAt) };
    this.docs.set(record._id, view);
    this.indexFiles(view);
    if (reindex) this.index.put(view.id, searchableTexts(view));
  }

  applyEvent(event: EventRecord, reindex = true): void {
    const view = this.docs.get(event.docId);
    if (!view) return; // an event whose document has not replicated yet; it arrives with it
    if (view.events.some((e) => e._id === event._id)) return; // replayed after a snapshot
    view.events.push(event);
    view.derived = applyEvent(view.direction, view.derived, event);
    view.activeMs = Math.max(view.activeMs, Date.parse(event.at));
    if (typeof event.data['scan'] === 'string' || typeof event.data['pdf'] === 'string') this.indexFiles(view);
    const number = typeof event.data['number'] === 'number' ? event.data['number'] : null;
    if ((event.action === 'number' || event.action === 'register') && number !== null) {
      const key = String(event.data['registerKey']);
      this.lastNumbers.set(key, Math.max(number, this.lastNumber(key)));
      view.numberText = String(event.data['numberText'] ?? number);
      view.symbol = typeof event.data['symbol'] === 'string' ? event.data['symbol'] : null;
      view.date = event.at;
      view.dateMs = Date.parse(event.at);
    }
    // Only numbering changes what is searchable; other steps leave the index alone.
    if (reindex && view.numberText && (event.action === 'number' || event.action === 'register')) this.index.put(view.id, searchableTexts(view));
  }

  /** Ids of documents containing every word of the query (accents optional). */
  search(query: string): string[] {
    return this.index.search(query);
  }

  /**
   * Puts the views of the documents among `ids` (doc: ids; the ledger adds
   * the documents its events belong to) back as the store has them, after a
   * write that had already been applied here failed (node/ledger.ts). The
   * registers they were numbered in get their last number from the store
   * again, so a number a refused command took is free.
   */
  async reloadDocs(db: PouchDB.Database, ids: readonly string[]): Promise<void> {
    const keys = new Set<string>();
    const numberKeys = (view: DocView | undefined) => {
      for (const e of view?.events ?? []) if ((e.action === 'number' || e.action === 'register') && typeof e.data['registerKey'] === 'string') keys.add(e.data['registerKey']);
    };
    for (const id of new Set(ids.filter((i) => i.startsWith('doc:')))) {
      const old = this.docs.get(id);
      numberKeys(old);
      const prefix = `ev:${id.slice(4)}:`;
      const [record, ownEvents] = await Promise.all([
        db.allDocs({ keys: [id], include_docs: true }),
        db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true }),
      ]);
      // Numbering events live under ev:num:, not under the document's prefix.
      const elsewhere = (old?.events ?? []).map((e) => e._id).filter((e) => !e.startsWith(prefix));
      const others = elsewhere.length > 0 ? (await db.allDocs({ keys: elsewhere, include_docs: true })).rows : [];
      this.docs.delete(id);
      const stored = record.rows[0] && 'doc' in record.rows[0] ? record.rows[0].doc as unknown as DocumentRecord | null | undefined : null;
      if (!stored) {
        for (const sha of this.docFiles.get(id) ?? []) this.fileDocs.get(sha)?.delete(id);
        this.docFiles.delete(id);
        this.index.put(id, []);
        continue;
      }
      this.putRecord(stored);
      const events = [...ownEvents.rows, ...others].flatMap((r) => ('doc' in r && r.doc ? [r.doc as unknown as EventRecord] : []));
      for (const ev of events.sort(compareEvents)) this.applyEvent(ev);
      numberKeys(this.docs.get(id));
    }
    for (const key of keys) {
      const last = await db.allDocs({ startkey: `ev:num:${key}:\uffff`, endkey: `ev:num:${key}:`, descending: true, limit: 1 });
      const n = last.rows[0] ? Number(last.rows[0].id.split(':').pop()) : 0;
      if (n > 0) this.lastNumbers.set(key, n); else this.lastNumbers.delete(key);
    }
  }
}

function searchableTexts(view: DocView): string[] {
  const content = view.record.content;
  const parties = view.direction === 'outgoing'
    ? (content as OutgoingDraft).recipients.map((r) => r.name).join(' ')
    : `${(content as IncomingArrival).senderName} ${(content as IncomingArrival).originalSymbol}`;
  const body = view.direction === 'outgoing' ? ((content as OutgoingDraft).body ?? '').slice(0, INDEXED_BODY_CHARS) : '';
  return [content.subject, view.numberText ?? '', view.symbol ?? '', parties, body];
}

async function* scan(db: PouchDB.Database, prefix: string, pageSize: number): AsyncIterable<Record<string, unknown>> {
  let startkey = prefix;
  let skip = 0;
  for (;;) {
    const page = await db.allDocs({ startkey, endkey: `${prefix}\uffff`, include_docs: true, limit: pageSize, skip });
    for (const row of page.rows) if (row.doc) yield row.doc as unknown as Record<string, unknown>;
    if (page.rows.length < pageSize) return;
    startkey = page.rows[page.rows.length - 1]!.id;
    skip = 1;
  }
}
