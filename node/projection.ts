// The view of every document the node lists, filters and searches by: a
// compact summary per document (state, number, dates, people, held as
// columns: node/summary-table.ts) and a folded full-text index, both in memory; the records and events themselves stay in
// the store and are read when a document is opened or acted on, through a
// bounded cache (docs/decisions/0011). Built from the snapshot plus the
// store's changes since it at boot, or from the store when there is none,
// and kept current by the ledger.
import type { DocumentType } from '../sync/doc-types.js';
import type { DocumentRecord, EventRecord, IncomingArrival, OutgoingDraft } from '../sync/schema.js';
import { applyEvent, compareEvents, emptyState, type DerivedState, type Direction } from '../sync/workflow.js';
import { RowOrdinals, SearchIndex } from './search-index.js';
import { readSnapshot, writeSnapshot, type SnapshotProblem } from './projection-snapshot.js';
import { rebuildFromStore } from './projection-rebuild.js';
import { heapBytes, LruMap } from './view-cache.js';
import { collectGarbage } from './memory-guard.js';
import { SummaryTable } from './summary-table.js';
import { levelOf, readCurrent, type StoreLevel } from './store-scan.js';
import { vnIso } from '../sync/vn-time.js';

/** What listing, filtering, sorting and access checks need of a document; held in memory for every one. */
export interface DocSummary {
  id: string;
  direction: Direction;
  derived: DerivedState;
  /** Outgoing: "05"; incoming: the register number. */
  numberText: string | null;
  symbol: string | null;
  /** Outgoing: issue date once numbered, else creation; incoming: arrival (`docDate` gives it as text). */
  dateMs: number;
  /** Time of the last event, as a number so listing compares numbers, not ISO strings. */
  activeMs: number;
  docType: DocumentType;
  createdBy: string;
  /** The record's revision number (the N of "N-…"); its full revision is the record's. */
  revGeneration: number;
  /** The numbering event's register ("out:2026:chung") and number, for the register books. */
  registerKey: string | null;
  number: number | null;
  /**
   * The events applied: the part of the id after `ev:<direction>:<uuid>:` (a
   * number when it is the usual 15-digit time), or the whole id for others
   * (numbering events, `ev:num:…`). Ids rebuilt from these are what the
   * replication feed sends with the document.
   */
  eventKeys: (number | string)[];
}

/** A document whole: its summary with its record and events, read from the store (or the cache). */
export interface DocView extends DocSummary {
  record: DocumentRecord;
  events: EventRecord[];
}

export type ProjectionSource = 'snapshot' | 'store';
/** How the view was built at boot, for the log and an admin's /api/health. */
export interface LoadReport {
  fromSnapshot: boolean;
  changesRead: number;
  /** Why the snapshot was not used, when it was not. */
  snapshotProblem: SnapshotProblem | null;
  ms: number;
}

/** Body text past this length adds little to finding a document and a lot to memory. */
const INDEXED_BODY_CHARS = 2000;
/** Documents kept whole in memory: those being opened and acted on; at most so many, weighing at most so much. */
const CACHED_VIEWS = 2000;
const CACHED_VIEW_BYTES = 12 * 2 ** 20;
/** Records of pages listed lately. */
const CACHED_RECORD_BYTES = 6 * 2 ** 20;

interface Whole { record: DocumentRecord; events: EventRecord[] }

export class Projection {
  /** The summaries, one row per document; the search index names documents by row. */
  private table = new SummaryTable();
  /** "out:2026:chung" → last number assigned. */
  private readonly lastNumbers = new Map<string, number>();
  private index = new SearchIndex<number>(new RowOrdinals());
  /**
   * sha-256 of a file → the documents that named it at some point. Never
   * shrunk (that would need every document's old files in memory): callers
   * check the document still names it (`namesFile`).
   */
  private readonly fileDocs = new Map<string, string | string[]>();
  private readonly cache = new LruMap<string, Whole>(CACHED_VIEWS, CACHED_VIEW_BYTES, heapBytes);
  /** Records of the pages listed lately (the same inbox is listed again and again), apart from whole documents. */
  private readonly recordCache = new LruMap<string, DocumentRecord>(CACHED_VIEWS, CACHED_RECORD_BYTES, heapBytes);
  /** Documents being read from the store, and how many changes they got meanwhile: a read that raced a write is not cached. */
  private readonly reading = new Map<string, number>();
  private db: PouchDB.Database | null = null;
  private ready: Promise<void> = Promise.resolve();
  /** Set while the view is being rebuilt from the store; readers wait for it (answered, slower). */
  rebuilding = false;
  report: LoadReport | null = null;

  get size(): number { return this.table.size; }

  /** Resolves once the view is complete (immediately, unless a rebuild from the store is under way). */
  whenReady(): Promise<void> { return this.ready; }

  /** The document's summary: a copy, made from its row (change it through putRecord/applyEvent). */
  get(id: string): DocSummary | undefined { const row = this.table.rowOf(id); return row === undefined ? undefined : this.table.read(row); }

  *all(): IterableIterator<DocSummary> {
    for (let row = 0; row < this.table.rowCount; row++) if (this.table.idAt(row) !== null) yield this.table.read(row);
  }

  /** Summaries of the numbered documents whose register passes `wanted` (for the register books). */
  numbered(wanted: (registerKey: string) => boolean = () => true): DocSummary[] {
    return this.table.numberedRows(wanted).map((row) => this.table.read(row));
  }

  /** The columns themselves, for listing and searching without a summary object per document (node/document-query.ts). */
  get rows(): SummaryTable { return this.table; }

  lastNumber(key: string): number { return this.lastNumbers.get(key) ?? 0; }

  /** The documents that may name the file `sha256` now (check with `namesFile`). */
  documentsWithFile(sha256: string): string[] {
    const docs = this.fileDocs.get(sha256);
    return docs === undefined ? [] : typeof docs === 'string' ? [docs] : [...docs];
  }

  /** The ids of the document's events, as the store has them. */
  eventIds(summary: DocSummary): string[] { return summary.eventKeys.map((k) => eventIdOf(summary.id, k)); }

  /** `eventIds` of the document in row `row` of `rows`, with no summary made. */
  eventIdsAt(row: number): string[] { const id = this.table.idAt(row); return id === null ? [] : this.table.eventKeysAt(row).map((k) => eventIdOf(id, k)); }

  hasEvent(summary: DocSummary, eventId: string): boolean { return summary.eventKeys.includes(eventKeyOf(summary.id, eventId)); }

  /** `hasEvent` of the document in row `row` of `rows`. */
  hasEventAt(row: number, eventId: string): boolean { const id = this.table.idAt(row); return id !== null && this.table.eventKeysAt(row).includes(eventKeyOf(id, eventId)); }

  /** The whole document: record and events, from the cache or the store. */
  async view(id: string): Promise<DocView | undefined> {
    await this.ready;
    for (let attempt = 0; ; attempt++) {
      const summary = this.get(id);
      if (!summary) return undefined;
      const cached = this.cache.get(id);
      if (cached) return { ...summary, ...cached };
      this.reading.set(id, 0);
      const whole = await this.readWhole(summary);
      const changed = (this.reading.get(id) ?? 0) > 0;
      this.reading.delete(id);
      if (!whole) return undefined;
      // A write applied meanwhile may or may not be in what was read: read again rather than cache a mix.
      if (changed && attempt < 5) continue;
      this.cache.set(id, whole);
      return { ...this.get(id) ?? summary, ...whole };
    }
  }

  /**
   * Keeps the document's whole view in the cache, pinned, until `release` (a change staged but
   * not yet written: node/documents.ts). `view`: what to cache if it is not cached now.
   */
  hold(id: string, view?: Whole): void {
    if (view && !this.cache.peek(id)) this.cache.set(id, { record: view.record, events: [...view.events] });
    this.cache.pin(id);
  }

  release(id: string): void { this.cache.unpin(id); }

  /** The records of these documents (for a page of a list or a register book), cached ones from memory, the rest in one read. */
  async records(ids: readonly string[]): Promise<Map<string, DocumentRecord>> {
    await this.ready;
    const out = new Map<string, DocumentRecord>();
    const missing: string[] = [];
    for (const id of ids) { const r = this.cache.peek(id)?.record ?? this.recordCache.get(id); if (r) out.set(id, r); else missing.push(id); }
    if (missing.length > 0) {
      const rows = (await this.store().allDocs({ keys: missing, include_docs: true })).rows;
      for (const row of rows) {
        if (!('doc' in row) || !row.doc) continue;
        const record = row.doc as unknown as DocumentRecord;
        out.set(row.id, record);
        // Only the revision the summary knows: one written but not yet applied waits for putRecord.
        const at = this.table.rowOf(row.id);
        if (at !== undefined && (Number.parseInt(record._rev ?? '', 10) || 0) === this.table.revGeneration[at]) this.recordCache.set(row.id, record);
      }
    }
    return out;
  }

  /** Does the document name the file now (its content's attachments or its events' files)? */
  async namesFile(id: string, sha256: string): Promise<boolean> {
    const view = await this.view(id);
    if (!view) return false;
    return filesOf(view.record, view.events).includes(sha256);
  }

  /**
   * Builds the view: from the snapshot file plus the store's changes since it
   * when there is a sound one, else from every document in the store. A
   * rebuild runs on in the background (readers wait for it) unless `wait`.
   */
  async load(db: PouchDB.Database, snapshotFile: string | null, options: { pageSize?: number; wait?: boolean } = {}): Promise<LoadReport> {
    const started = Date.now();
    const pageSize = options.pageSize ?? 5000;
    this.db = db;
    const fromSnapshot = snapshotFile ? await this.fromSnapshot(db, snapshotFile, pageSize) : { problem: 'missing' as const, changesRead: 0 };
    const problem = fromSnapshot.problem;
    if (problem === null) {
      // The snapshot and its copies are out of scope here: collected now rather than when V8 next finds time.
      collectGarbage();
      return this.report = { fromSnapshot: true, changesRead: fromSnapshot.changesRead, snapshotProblem: null, ms: Date.now() - started };
    }
    this.rebuilding = true;
    const rebuilt = rebuildFromStore(db, this, pageSize).finally(() => { this.rebuilding = false; });
    this.ready = rebuilt.then(() => undefined);
    const report = { fromSnapshot: false, changesRead: 0, snapshotProblem: problem, ms: 0 };
    this.report = report;
    void rebuilt.then((n) => { report.changesRead = n; report.ms = Date.now() - started; collectGarbage(); }, () => undefined);
    if (options.wait ?? true) await rebuilt;
    return report;
  }

  /** Takes the view from the snapshot file and the store's changes since it, or says why not. */
  private async fromSnapshot(db: PouchDB.Database, file: string, pageSize: number): Promise<{ problem: SnapshotProblem | null; changesRead: number }> {
    const current = (await db.info()).update_seq;
    const { snapshot: snap, problem } = await readSnapshot(file);
    if (!snap) return { problem, changesRead: 0 };
    // A snapshot from ahead of the store (the store was restored or replaced) describes another history.
    if (Number(snap.seq) > Number(current)) return { problem: 'ahead_of_store', changesRead: 0 };
    this.table = SummaryTable.fromColumns(snap.summaries);
    for (const [k, n] of snap.lastNumbers) this.lastNumbers.set(k, n);
    // The table's copy of each id, not the snapshot's second one.
    for (const [sha, ids] of snap.files) this.fileDocs.set(sha, typeof ids === 'string' ? this.sharedId(ids) : ids.map((i) => this.sharedId(i)));
    this.index = SearchIndex.fromImage(snap.index, snap.summaries.ids.map((_, row) => row), new RowOrdinals());
    return { problem: null, changesRead: await this.catchUp(db, snap.seq, pageSize) };
  }

  /** Applies the store's changes after `since` (replaying one already applied changes nothing). */
  private async catchUp(db: PouchDB.Database, since: number | string, pageSize: number): Promise<number> {
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
      if (page.results.length < pageSize) return read;
    }
  }

  /** Saves what is in memory as of `seq` (the caller makes sure nothing is written meanwhile). */
  async save(snapshotFile: string, seq: number | string): Promise<void> {
    await this.ready;
    this.index.compact();
    // In the index's order, so its postings are renumbered without sorting; rows never indexed after them.
    const order = this.index.idsInOrder().filter((row) => this.table.idAt(row) !== null);
    const position = new Int32Array(this.table.rowCount).fill(-1);
    order.forEach((row, i) => { position[row] = i; });
    for (let row = 0; row < this.table.rowCount; row++) if (position[row] === -1 && this.table.idAt(row) !== null) { position[row] = order.length; order.push(row); }
    await writeSnapshot(snapshotFile, {
      seq, summaries: this.table.toColumns(order), lastNumbers: [...this.lastNumbers], files: [...this.fileDocs],
      index: this.index.image((row) => (position[row] ?? -1) >= 0 ? position[row] : undefined),
    });
  }

  putRecord(record: DocumentRecord): void {
    const existing = this.get(record._id);
    const summary = existing ?? blankSummary(record._id);
    attachRecord(summary, record);
    const row = this.table.write(summary);
    this.noteFiles(record._id, filesOf(record, []));
    if (this.recordCache.peek(record._id)) this.recordCache.set(record._id, record);
    const cached = this.cache.peek(record._id);
    if (cached) { cached.record = record; this.cache.reweigh(record._id); }
    // A document just created is about to be answered whole: no need to read back what was just written.
    else if (!existing) this.cache.set(record._id, { record, events: [] });
    this.bump(record._id);
    this.index.put(row, searchableTexts(summary, record));
  }

  applyEvent(event: EventRecord): void {
    const summary = this.get(event.docId);
    if (!summary) return; // an event whose document has not replicated yet; it arrives with it
    if (!this.fold(summary, event)) return;
    const row = this.table.write(summary);
    const cached = this.cache.peek(summary.id);
    if (cached && !cached.events.some((e) => e._id === event._id)) { cached.events.push(event); this.cache.reweigh(summary.id); }
    this.bump(summary.id);
    // Only numbering changes what is searchable; other steps leave the index alone.
    if (summary.numberText && (event.action === 'number' || event.action === 'register')) this.index.add(row, [summary.numberText, summary.symbol ?? '']);
  }

  /**
   * Folds one event into a summary, with no index or cache work (the rebuild
   * indexes each document once, at the end). False when it was applied already.
   */
  fold(summary: DocSummary, event: EventRecord): boolean {
    const key = eventKeyOf(summary.id, event._id);
    if (summary.eventKeys.includes(key)) return false; // replayed after a snapshot
    summary.eventKeys = [...summary.eventKeys, key];
    summary.derived = applyEvent(summary.direction, summary.derived, event);
    summary.activeMs = Math.max(summary.activeMs, Date.parse(event.at));
    const files = filesOf(null, [event]);
    if (files.length > 0) this.noteFiles(summary.id, files);
    const number = typeof event.data['number'] === 'number' ? event.data['number'] : null;
    if ((event.action === 'number' || event.action === 'register') && number !== null) {
      const key = String(event.data['registerKey']);
      this.lastNumbers.set(key, Math.max(number, this.lastNumber(key)));
      summary.registerKey = key;
      summary.number = number;
      summary.numberText = String(event.data['numberText'] ?? number);
      summary.symbol = typeof event.data['symbol'] === 'string' ? event.data['symbol'] : null;
      summary.dateMs = Date.parse(event.at);
    }
    return true;
  }

  /** After a rebuild: the index gives back what its lists grew by. */
  compactIndex(): void { this.index.compact(); }

  /** Adds a document built by the rebuild: its summary complete, indexed once. */
  adopt(summary: DocSummary, record: DocumentRecord): void {
    const row = this.table.write(summary);
    this.noteFiles(summary.id, filesOf(record, []));
    this.index.put(row, searchableTexts(summary, record));
  }

  /**
   * Restores these documents' view from the store (after a write that
   * failed): their summary, index entry and cache, and the last numbers of
   * their registers. A document not in the store is forgotten.
   */
  async reloadDocs(db: PouchDB.Database, ids: readonly string[]): Promise<void> {
    const registers = new Set<string>();
    // The ledger passes every id its failed group wrote (events, audit entries) and the documents its events belong to.
    for (const id of new Set(ids.filter((i) => i.startsWith('doc:')))) {
      const before = this.get(id);
      if (before?.registerKey) registers.add(before.registerKey);
      this.cache.delete(id);
      this.recordCache.delete(id);
      this.bump(id);
      const record = await db.get(id).catch(() => null) as DocumentRecord | null;
      if (!record) { const row = this.table.rowOf(id); if (row !== undefined) this.index.put(row, []); this.table.remove(id); continue; }
      const numbering = before ? before.eventKeys.filter((k): k is string => typeof k === 'string' && k.startsWith('ev:')) : [];
      const events = await readEvents(db, id, numbering);
      const summary = blankSummary(id);
      attachRecord(summary, record);
      for (const e of events) this.fold(summary, e);
      if (summary.registerKey) registers.add(summary.registerKey);
      this.index.put(this.table.write(summary), searchableTexts(summary, record));
    }
    // A numbering event ends its id with the number: the register's last one is the last key in the store.
    for (const key of registers) {
      const last = await db.allDocs({ startkey: `ev:num:${key}:\uffff`, endkey: `ev:num:${key}:`, descending: true, limit: 1 });
      const n = last.rows[0] ? Number(last.rows[0].id.slice(`ev:num:${key}:`.length)) : 0;
      if (n > 0) this.lastNumbers.set(key, n); else this.lastNumbers.delete(key);
    }
  }

  /** Ids of documents containing every word of the query (accents optional). */
  search(query: string): string[] {
    return this.searchRows(query).map((row) => this.table.idAt(row)!);
  }

  /** The same, as rows of `rows` (a forgotten document's row is indexed with no words: never found). */
  searchRows(query: string): number[] {
    return this.index.search(query);
  }

  /** Figures for the memory bench. */
  stats(): { documents: number; postingBytes: number; cachedViews: number } {
    return { documents: this.table.size, postingBytes: this.index.postingBytes, cachedViews: this.cache.size };
  }

  /** Lets go of the whole documents held (the heap is near its cap); they are read again when asked for. */
  dropCache(): void { this.cache.clear(); this.recordCache.clear(); }

  private bump(id: string): void { const n = this.reading.get(id); if (n !== undefined) this.reading.set(id, n + 1); }

  private sharedId(id: string): string { const row = this.table.rowOf(id); return row === undefined ? id : this.table.idAt(row)!; }

  private noteFiles(id: string, files: readonly string[]): void {
    if (files.length > 0) id = this.sharedId(id);
    for (const sha of files) {
      const docs = this.fileDocs.get(sha);
      if (docs === undefined) this.fileDocs.set(sha, id);
      else if (typeof docs === 'string') { if (docs !== id) this.fileDocs.set(sha, [docs, id]); }
      else if (!docs.includes(id)) docs.push(id);
    }
  }

  private store(): PouchDB.Database {
    if (!this.db) throw new Error('projection not loaded');
    return this.db;
  }

  private async readWhole(summary: DocSummary): Promise<Whole | null> {
    const db = this.store();
    const level = levelOf(db);
    // Only the events folded into the summary: one written but not yet applied would make the two disagree.
    if (level) return readApplied(level, summary.id, this.eventIds(summary));
    const record = await db.get(summary.id).catch(() => null) as DocumentRecord | null;
    if (!record) return null;
    const numbering = summary.eventKeys.filter((k): k is string => typeof k === 'string' && k.startsWith('ev:'));
    const applied = new Set(summary.eventKeys);
    const events = (await readEvents(db, summary.id, numbering)).filter((e) => applied.has(eventKeyOf(summary.id, e._id)));
    return { record, events };
  }
}

/** The document's record and these events of it, read from LevelDB directly (store-scan.ts). */
async function readApplied(level: StoreLevel, id: string, eventIds: readonly string[]): Promise<Whole | null> {
  let record: DocumentRecord | null = null;
  const events: EventRecord[] = [];
  for (const doc of await readCurrent(level, [id, ...eventIds])) {
    if (doc['_id'] === id) record = doc as unknown as DocumentRecord;
    // A register's numbering event is named by its number: it is this document's only if it says so.
    else if ((doc as unknown as EventRecord).docId === id) events.push(doc as unknown as EventRecord);
  }
  return record ? { record, events: events.sort(compareEvents) } : null;
}

/** The document's events in the store, in the order they apply: those under its id, and `others` by id. */
async function readEvents(db: PouchDB.Database, id: string, others: readonly string[]): Promise<EventRecord[]> {
  const prefix = `ev:${id.slice(4)}:`;
  const own = await db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
  const events = own.rows.flatMap((r) => (r.doc ? [r.doc as unknown as EventRecord] : []));
  if (others.length > 0) {
    const more = await db.allDocs({ keys: [...others], include_docs: true });
    for (const row of more.rows) if ('doc' in row && row.doc && (row.doc as unknown as EventRecord).docId === id) events.push(row.doc as unknown as EventRecord);
  }
  return events.sort(compareEvents);
}

/** A summary before its record is known (the rebuild reads events first). */
export function blankSummary(id: string): DocSummary {
  return {
    id, direction: id.startsWith('doc:in:') ? 'incoming' : 'outgoing', derived: emptyState(), numberText: null, symbol: null,
    dateMs: Number.NaN, activeMs: Number.NEGATIVE_INFINITY, docType: 'CV', createdBy: '', revGeneration: 0,
    registerKey: null, number: null, eventKeys: [],
  };
}

/** Takes what the summary needs from the record; the date is its creation until a number gives it one. */
export function attachRecord(summary: DocSummary, record: DocumentRecord): void {
  summary.direction = record.direction;
  summary.docType = record.content.docType;
  summary.createdBy = record.createdBy;
  summary.revGeneration = record._rev ? Number.parseInt(record._rev, 10) || 0 : 0;
  const created = Date.parse(record.createdAt);
  if (summary.registerKey === null) summary.dateMs = created;
  summary.activeMs = Math.max(summary.activeMs, created);
}

/** The files a record's content and these events name (attachments, scans, signed PDFs). */
function filesOf(record: DocumentRecord | null, events: readonly EventRecord[]): string[] {
  const out = (record?.content.attachments ?? []).map((a) => a.sha256);
  for (const e of events) for (const key of ['scan', 'pdf'] as const) if (typeof e.data[key] === 'string') out.push(e.data[key] as string);
  return out;
}

/** The document's date as the node writes dates (Vietnam time, ISO 8601). */
export function docDate(summary: DocSummary): string { return vnIso(new Date(summary.dateMs)); }

function eventKeyOf(docId: string, eventId: string): number | string {
  const prefix = `ev:${docId.slice(4)}:`;
  if (!eventId.startsWith(prefix)) return eventId;
  const rest = eventId.slice(prefix.length);
  return /^\d{15}$/.test(rest) ? Number(rest) : rest;
}

function eventIdOf(docId: string, key: number | string): string {
  if (typeof key === 'number') return `ev:${docId.slice(4)}:${String(key).padStart(15, '0')}`;
  return key.startsWith('ev:') ? key : `ev:${docId.slice(4)}:${key}`;
}

export function searchableTexts(summary: DocSummary, record: DocumentRecord): string[] {
  const content = record.content;
  const parties = summary.direction === 'outgoing'
    ? (content as OutgoingDraft).recipients.map((r) => r.name).join(' ')
    : `${(content as IncomingArrival).senderName} ${(content as IncomingArrival).originalSymbol}`;
  const body = summary.direction === 'outgoing' ? ((content as OutgoingDraft).body ?? '').slice(0, INDEXED_BODY_CHARS) : '';
  return [content.subject, summary.numberText ?? '', summary.symbol ?? '', parties, body];
}
