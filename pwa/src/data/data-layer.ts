// The data layer the UI calls (described in ./index.ts): local replica +
// outbox + sync runs + in-memory queries.
import type { DocumentRecord, EventRecord } from '../../../sync/schema.js';
import { OutgoingDraftInput } from '../../../sync/schema.js';
import { checkTransition } from '../../../sync/workflow.js';
import { parseInput } from '../../../sync/validation.js';
import { parseActionData } from '../../../sync/action-data.js';
import { wardError } from '../../../sync/errors.js';
import { accentedText, foldVietnamese, queryWords } from '../../../sync/text.js';
import { Outbox, type FetchLike } from './outbox.js';
import { pullOnce, type PulledDoc } from './puller.js';
import { buildViews, type LocalView } from './views.js';
import { askPersistentStorage, storageEstimate } from './storage.js';
import { LocalSlot } from './local-slot.js';
import type { CommandInput, ConflictRecord, DataUser, DocDetail, DocSummary, ListFilter, QueuedCommand, SyncStatus } from './types.js';

export interface DataLayerOptions {
  user: DataUser;
  /** The node's origin, e.g. location.origin; '' is not enough for PouchDB (it would open a local database). */
  baseUrl: string;
  /** The session's CSRF token (from login or GET /api/auth/me); a promise when it must be asked for first (an app started offline has none). */
  csrf: () => string | Promise<string>;
  /** PouchDB with an IndexedDB adapter in the browser; the LevelDB one on disk in Node tests. */
  PouchDB: PouchDB.Static;
  /** Defaults to globalThis.fetch with the session cookie (credentials: 'same-origin'). */
  fetch?: FetchLike;
  /** Prefix of the local database names (per user): default 'warddesk'. */
  dbPrefix?: string;
  /** Periodic sync; 0 (the default in tests) turns it off. The browser's 'online' event also starts a sync. */
  intervalMs?: number;
}

export async function openDataLayer(options: DataLayerOptions): Promise<DataLayer> {
  const layer = new DataLayer(options);
  await layer.open();
  globalThis.performance?.mark?.('wd-store-read');
  // Not waited for: with the replica being read behind the lists, the estimate waited on IndexedDB for up to 1.8 s.
  void askPersistentStorage().then(storageEstimate).then((storage) => layer.storageKnown(storage));
  return layer;
}

type Listener<T> = (value: T) => void;

export interface QueueOptions {
  /** For an edit: the revision the user saw (an editor opened from the node), when it may be older than the device's. */
  baseRev?: string;
}

/**
 * How a start avoids reading the whole replica back (PouchDB's changes feed:
 * 5.3–5.7 s for 5,000 documents with their events in headless Chromium on a
 * loaded 2-vCPU machine), in two steps:
 * 1. the lists as last computed (one row per document, no bodies, ~1 MB for
 *    5,000): my tasks and the lists answer from them at once;
 * 2. the replica's records and events as of one local sequence (~9 MB; reading
 *    a value that size back from IndexedDB takes 0.4–1 s here, whatever its
 *    encoding), then the changes after it: the views are rebuilt, listeners
 *    told, and the rows give way. Changes (queue, sync, conflicts) wait for it.
 */
const SNAPSHOT_ID = '_local/working-set-snapshot';
const ROWS_ID = '_local/working-set-rows';
interface ReplicaSnapshot { seq: number | string; records: DocumentRecord[]; events: EventRecord[] }
/** A document's summary as the lists showed it, with what they sort and search by (no body: see step 2). */
/** `accented` is missing from rows a previous version stored. */
interface Row extends DocSummary { activeMs: number; text: string; accented?: string }
/** Rows with the replica's and the outbox's seq they were computed at: used only if both still hold. */
interface Rows { seq: number | string; outboxSeq: number | string; rows: Row[] }
const isSnapshot = (v: unknown): v is ReplicaSnapshot => {
  const o = v as Partial<ReplicaSnapshot> | null;
  return !!o && (typeof o.seq === 'number' || typeof o.seq === 'string') && Array.isArray(o.records) && Array.isArray(o.events);
};
const isRows = (v: unknown): v is Rows => Array.isArray((v as Partial<Rows> | null)?.rows);

export class DataLayer {
  readonly user: DataUser;
  /** The replica: written only by pull replication. */
  readonly local: PouchDB.Database;
  readonly outbox: Outbox;
  readonly status: SyncStatus = { online: false, state: 'idle', pending: 0, conflicts: 0, lastSyncAt: null, progress: null, storage: null };
  private readonly fetch: FetchLike;
  private readonly records = new Map<string, DocumentRecord>();
  private readonly events = new Map<string, EventRecord>();
  private localSeq: number | string = 0;
  private views = new Map<string, LocalView>();
  private idMap = new Map<string, string>();
  private conflictList: ConflictRecord[] = [];
  private running: Promise<SyncStatus> | null = null;
  /** The run asked for while one was under way. */
  private next: Promise<SyncStatus> | null = null;
  private closed = false;
  private readonly snapshot: LocalSlot<ReplicaSnapshot>;
  private readonly rowSlot: LocalSlot<Rows>;
  private outboxSeq: number | string = -1;
  /** Step 1's rows until the views are built (null after). */
  private rows: Row[] | null = null;
  /** Step 2 of a start: the replica read, the views built. */
  private loaded: Promise<void> = Promise.resolve();
  private readonly statusListeners = new Set<Listener<SyncStatus>>();
  private readonly changeListeners = new Set<Listener<void>>();
  private readonly timer: ReturnType<typeof setInterval> | null;
  private readonly onOnline = () => { void this.sync(); };

  constructor(private readonly o: DataLayerOptions) {
    this.user = o.user;
    const prefix = `${o.dbPrefix ?? 'warddesk'}-${o.user.username}`;
    this.local = new o.PouchDB(prefix, { auto_compaction: true });
    const base = o.fetch ?? ((url: string, init?: RequestInit) => globalThis.fetch(url, init));
    // PouchDB's requests (replication) carry the CSRF header too: the node asks it of every POST.
    // Only those wait for it: a GET with no token yet must not ask the node for one first.
    this.fetch = async (url, init) => {
      const headers = new Headers(init?.headers);
      const method = (init?.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') headers.set('x-csrf-token', await o.csrf());
      return base(url, { ...init, headers, credentials: 'same-origin' });
    };
    this.outbox = new Outbox(new o.PouchDB(`${prefix}-outbox`), { baseUrl: o.baseUrl, fetch: this.fetch, csrf: o.csrf });
    this.snapshot = new LocalSlot(this.local, SNAPSHOT_ID);
    this.rowSlot = new LocalSlot(this.local, ROWS_ID);
    this.timer = o.intervalMs ? setInterval(() => { void this.sync(); }, o.intervalMs) : null;
    eventTarget()?.addEventListener('online', this.onOnline);
  }

  onStatus(fn: Listener<SyncStatus>): () => void { this.statusListeners.add(fn); fn({ ...this.status }); return () => { this.statusListeners.delete(fn); }; }
  onChange(fn: Listener<void>): () => void { this.changeListeners.add(fn); return () => { this.changeListeners.delete(fn); }; }

  /**
   * Flushes the outbox, then pulls; one run at a time. A call during a run
   * gets one more run after it (the running one may have flushed or pulled
   * before what the caller just queued or sent); calls meanwhile share it.
   */
  sync(): Promise<SyncStatus> {
    if (this.closed) return Promise.resolve({ ...this.status });
    if (!this.running) {
      this.running = this.loaded.then(() => this.run()).finally(() => { this.running = null; });
      return this.running;
    }
    this.next ??= this.running.catch(() => undefined).then(() => {
      this.next = null;
      return this.closed ? { ...this.status } : this.sync();
    });
    return this.next;
  }

  /** What the user must do next (draft, approve, sign, issue, handle), most recently active first. */
  tasks(): DocSummary[] {
    if (this.rows) return this.rows.filter((r) => r.nextActions.length > 0).sort(byActivity).map(summary);
    return [...this.views.values()].filter((v) => v.nextActions.length > 0).sort(byActivity).map(summary);
  }

  /** While a start reads the replica (under a second), `q` searches subjects and numbers, not bodies. */
  list(filter: ListFilter = {}): { total: number; items: DocSummary[] } {
    const words = filter.q ? queryWords(filter.q) : [];
    const all: (LocalView | Row)[] = this.rows ?? [...this.views.values()];
    const hits = all.filter((v) =>
      (!filter.direction || v.direction === filter.direction) && (!filter.state || v.state === filter.state)
      && (!filter.docType || v.docType === filter.docType) && (words.length === 0 || words.every((w) => searchText(v, w.exact).includes(w.term))));
    const offset = filter.offset ?? 0;
    return { total: hits.length, items: hits.sort(byActivity).slice(offset, offset + (filter.limit ?? 50)).map(summary) };
  }

  /** A document in the working set (or queued on this device); null: ask the REST API (older documents, or while a start reads the replica). */
  get(id: string): DocDetail | null {
    const view = this.views.get(this.idMap.get(id) ?? id);
    if (!view) return null;
    const { activeMs: _a, folded: _f, accented: _x, ...detail } = view;
    return detail;
  }

  conflicts(): ConflictRecord[] { return [...this.conflictList]; }

  /** Resolves once a start has read the replica: get() then answers for every document of the working set. */
  ready(): Promise<void> { return this.loaded; }

  /** Document records in the local replica (the working set pulled so far). */
  get documentCount(): number { return this.rows ? this.rows.filter((r) => !r.id.startsWith('local:')).length : this.records.size; }

  /**
   * Queues a change; works offline. Content is checked with the same rules as
   * the node (sync/schema.ts) and steps against the local view, so the user
   * hears about a mistake now rather than at the next sync. Throws a WardError.
   */
  async queue(command: CommandInput, options: QueueOptions = {}): Promise<{ clientId: string; docId: string }> {
    await this.loaded;
    if (command.kind !== 'act') {
      const parsed = parseInput(OutgoingDraftInput, command.content);
      if (!parsed.ok) throw parsed.error;
    }
    if (command.kind !== 'create') {
      const view = this.views.get(this.idMap.get(command.docId) ?? command.docId);
      if (!view) throw wardError('document_not_found');
      const action = command.kind === 'edit' ? 'edit' : command.action;
      const verdict = checkTransition(view.direction, { state: view.state as never, author: view.author, handler: view.handler, deadline: view.deadline, medium: view.medium, numberEventId: null, lastAt: null }, action, { user: this.user.username, role: this.user.role }, command.kind === 'act' ? command.comment : undefined);
      if (!verdict.ok) throw wardError(verdict.code === 'illegal_transition' && action === 'edit' ? 'not_editable' : verdict.code);
      // The step's data by the node's own schema (sync/action-data.ts): a field it would refuse is refused now.
      if (command.kind === 'act') {
        const data = parseActionData(command.action, view.medium, command.data);
        if (!data.ok) throw data.error;
      }
    }
    const queued: QueuedCommand = await this.outbox.add(command, (doc) => options.baseRev ?? this.records.get(doc)?._rev ?? null);
    await this.refresh();
    return { clientId: queued.clientId, docId: command.kind === 'create' ? `local:${queued.clientId}` : command.docId };
  }

  /**
   * A draft's save and, when asked, its submission, as the editor sends them:
   * a create, or an edit based on `baseRev` (the revision the user saw) when
   * given; `content` null when the save already reached the node and only the
   * submission waits. Returns the draft's id (`local:…` for a create).
   */
  async queueDraft(draft: { docId?: string; baseRev?: string; content: object | null; submit: boolean }): Promise<string | undefined> {
    let docId = draft.docId;
    if (draft.content) {
      const content: Record<string, unknown> = { ...draft.content }; // the outbox stores plain records
      docId = (docId
        ? await this.queue({ kind: 'edit', docId, content }, draft.baseRev ? { baseRev: draft.baseRev } : {})
        : await this.queue({ kind: 'create', content })).docId;
    }
    if (docId && draft.submit) await this.queue({ kind: 'act', docId, action: 'submit' });
    return docId;
  }

  /** 'retry' rebases on the device's latest revision: a sync under way (the one that met the refusal pulls right after) is waited for, so that is the node's. */
  async resolveConflict(conflictId: string, choice: 'retry' | 'discard'): Promise<void> {
    await this.loaded;
    await this.running?.catch(() => undefined);
    await this.outbox.resolve(conflictId, choice, (doc) => this.records.get(doc)?._rev ?? null);
    await this.refresh();
  }

  /**
   * A start: with the rows of the last run, lists answer once they and the
   * outbox are read, and the replica is read behind them; without (a first
   * start, or another version's), once the replica is read.
   */
  async open(): Promise<void> {
    const [rows, replica, outbox] = await Promise.all([this.rowSlot.read(isRows), this.local.info(), this.outbox.db.info(), this.loadOutbox()]);
    globalThis.performance?.mark?.('wd-rows-read');
    // Rows from before a change they do not show (the app closed within a moment of it) are not used.
    this.rows = rows && rows.seq === replica.update_seq && rows.outboxSeq === outbox.update_seq ? rows.rows : null;
    this.loaded = this.restoreSnapshot().then(() => this.refresh());
    if (!this.rows) return this.loaded;
    this.setStatus({});
    void this.loaded.then(() => globalThis.performance?.mark?.('wd-store-full'), () => undefined);
  }

  /** Starts from the last snapshot, if any: refresh() then reads only the changes after it. */
  private async restoreSnapshot(): Promise<void> {
    const snap = await this.snapshot.read(isSnapshot);
    globalThis.performance?.mark?.('wd-snapshot-read'); // phases printed by test/bench/pwa.ts
    if (!snap) return;
    for (const r of snap.records) this.records.set(r._id, r);
    for (const e of snap.events) this.events.set(e._id, e);
    this.localSeq = snap.seq;
    globalThis.performance?.mark?.('wd-snapshot-parsed');
  }

  private scheduleSnapshot(): void {
    this.snapshot.schedule(() => ({ seq: this.localSeq, records: [...this.records.values()], events: [...this.events.values()] }));
  }

  /** Re-reads what changed in the replica and the outbox, rebuilds the views, tells listeners. */
  async refresh(): Promise<void> {
    let changed = false;
    for (;;) {
      const page = await this.local.changes({ since: this.localSeq, include_docs: true, limit: 1000 });
      for (const ch of page.results) this.keep(ch.id, ch.deleted || !ch.doc ? null : ch.doc);
      this.localSeq = page.last_seq;
      if (page.results.length > 0) changed = true;
      if (page.results.length < 1000) break;
    }
    if (changed) this.scheduleSnapshot();
    await this.rebuild();
  }

  /** Rebuilds the views from the maps and the outbox, tells listeners. */
  private async rebuild(): Promise<void> {
    const [commands, outbox] = await Promise.all([this.loadOutbox(), this.outbox.db.info()]);
    this.views = buildViews(this.user, [...this.records.values()], [...this.events.values()], commands, this.conflictList, this.idMap);
    this.outboxSeq = outbox.update_seq;
    this.rows = null;
    this.rowSlot.schedule(() => ({ seq: this.localSeq, outboxSeq: this.outboxSeq, rows: [...this.views.values()].map(row) }));
    for (const fn of this.changeListeners) fn();
  }

  private async loadOutbox(): Promise<QueuedCommand[]> {
    const [commands, conflicts, idMap] = await Promise.all([this.outbox.commands(), this.outbox.conflicts(), this.outbox.idMap()]);
    this.conflictList = conflicts;
    this.idMap = idMap;
    this.setStatus({ pending: commands.length, conflicts: conflicts.length });
    return commands;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.loaded.catch(() => undefined);
    await Promise.all([this.snapshot.close(), this.rowSlot.close()]);
    eventTarget()?.removeEventListener('online', this.onOnline);
    await this.running?.catch(() => undefined);
    await Promise.all([this.local.close(), this.outbox.db.close()]);
  }

  private async run(): Promise<SyncStatus> {
    this.setStatus({ state: 'syncing', progress: null });
    const flushed = await this.outbox.flush();
    await this.refresh();
    if (flushed !== 'done') { this.setStatus({ state: flushed, online: flushed === 'unauthenticated' }); return { ...this.status }; }
    const before = (await this.local.info()).update_seq;
    const pulledDocs: PulledDoc[] = [];
    const pulled = await pullOnce({
      PouchDB: this.o.PouchDB, local: this.local, baseUrl: this.o.baseUrl, fetch: this.fetch,
      onProgress: (progress) => this.setStatus({ progress }),
      onDocs: (docs) => { for (const d of docs) pulledDocs.push(d); },
    });
    if (!await this.absorb(before, pulledDocs)) await this.refresh();
    if (!pulled.ok) { this.setStatus({ state: pulled.reason, online: pulled.reason === 'unauthenticated', progress: null }); return { ...this.status }; }
    this.setStatus({ state: 'idle', online: true, lastSyncAt: new Date().toISOString(), progress: null, storage: await storageEstimate(this.status.storage?.persisted ?? false) });
    return { ...this.status };
  }

  /**
   * Takes in the documents a pull wrote, as the replicator handed them over,
   * instead of reading them back through the replica's changes feed (5,000
   * documents with their events: ~3-4 s in Chromium). Only when the replica
   * holds exactly what was known before plus these writes — the seq moved by
   * one per document written, so nothing else (another tab) wrote meanwhile —
   * else false, and refresh() reads the changes as usual. A document the
   * replica already had, or that came twice (a conflict on the node), is read
   * back for its winning revision, as the changes feed would give it.
   */
  private async absorb(before: number | string, docs: PulledDoc[]): Promise<boolean> {
    const after = (await this.local.info()).update_seq;
    if (before !== this.localSeq || typeof before !== 'number' || typeof after !== 'number' || after - before !== docs.length) return false;
    if (docs.length === 0) return true;
    const recheck = new Set<string>();
    const fresh = new Map<string, PulledDoc>();
    for (const doc of docs) {
      const id = doc._id;
      if (!id.startsWith('doc:') && !id.startsWith('ev:')) continue;
      if (fresh.has(id) || recheck.has(id) || this.records.has(id) || this.events.has(id) || doc._deleted) { recheck.add(id); fresh.delete(id); continue; }
      fresh.set(id, doc);
    }
    for (const [id, doc] of fresh) { const { _revisions: _r, ...kept } = doc; this.keep(id, kept); }
    if (recheck.size > 0) {
      const rows = (await this.local.allDocs({ keys: [...recheck], include_docs: true })).rows;
      for (const row of rows) this.keep(row.key, row.doc && !row.value?.deleted ? row.doc : null);
    }
    this.localSeq = after;
    this.scheduleSnapshot();
    await this.rebuild();
    return true;
  }

  /** One replicated document's current version into the maps (null: gone). */
  private keep(id: string, doc: (PouchDB.Core.Document & Record<string, unknown>) | null): void {
    const map: Map<string, unknown> = id.startsWith('doc:') ? this.records : id.startsWith('ev:') ? this.events : new Map();
    if (doc) map.set(id, doc); else map.delete(id);
  }

  /** The browser's storage estimate, once it answers (unless a sync already gave a newer one). */
  storageKnown(storage: SyncStatus['storage']): void {
    if (!this.status.storage) this.setStatus({ storage });
  }

  private setStatus(patch: Partial<SyncStatus>): void {
    Object.assign(this.status, patch);
    const snapshot = { ...this.status };
    for (const fn of this.statusListeners) fn(snapshot);
  }
}

function byActivity(a: { activeMs: number; id: string }, b: { activeMs: number; id: string }): number { return b.activeMs - a.activeMs || (a.id < b.id ? -1 : 1); }

function summary(v: LocalView | Row): DocSummary {
  if ('text' in v) { const { activeMs: _a, text: _t, accented: _x, ...rest } = v; return rest; }
  const { activeMs: _a, folded: _f, accented: _x, content: _c, createdAt: _t, createdBy: _b, events: _e, ...rest } = v;
  return rest;
}

function row(v: LocalView): Row {
  const text = [v.subject, v.number ?? '', v.symbol ?? ''].join(' ');
  return { ...summary(v), activeMs: v.activeMs, text: foldVietnamese(text), accented: accentedText(text) };
}

/** An accented query word is matched against the accented text, any other against the folded text. */
function searchText(v: LocalView | Row, accented: boolean): string {
  if ('text' in v) return accented ? (v.accented ?? accentedText(`${v.subject} ${v.number ?? ''} ${v.symbol ?? ''}`)) : v.text;
  return accented ? v.accented() : v.folded();
}

/** `window` in a browser; nothing in Node (no 'online' events there). */
function eventTarget(): { addEventListener(t: string, f: () => void): void; removeEventListener(t: string, f: () => void): void } | null {
  const g = globalThis as { window?: { addEventListener(t: string, f: () => void): void; removeEventListener(t: string, f: () => void): void } };
  return g.window ?? null;
}
