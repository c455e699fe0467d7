// The hub's own records on disk (a PouchDB under its data dir) and in memory.
// The dashboard reads the in-memory maps synchronously; every change goes to
// disk first, in one bulk write per page of a ward's changes with the ward's
// checkpoint last, so a restart resumes from the checkpoint and at worst
// re-applies one page (folding and verifying are idempotent).
import PouchDB from 'pouchdb';
import { HubDocument, HubWard, hubWardId } from '../../sync/hub-records.js';

type Listener = () => void;

export class HubStore {
  private readonly docs = new Map<string, HubDocument>();
  private readonly wardRecords = new Map<string, HubWard>();
  private readonly listeners = new Set<Listener>();

  private constructor(private readonly db: PouchDB.Database) {}

  static async open(path: string): Promise<HubStore> {
    const store = new HubStore(new PouchDB(path));
    const all = await store.db.allDocs({ include_docs: true });
    for (const row of all.rows) {
      const doc = row.doc as unknown as { type?: string } | undefined;
      if (doc?.type === 'hub-document') { const d = doc as HubDocument; store.docs.set(d._id, d); }
      else if (doc?.type === 'hub-ward') { const w = doc as HubWard; store.wardRecords.set(w.ward, w); }
    }
    return store;
  }

  documents(): IterableIterator<HubDocument> { return this.docs.values(); }
  wards(): IterableIterator<HubWard> { return this.wardRecords.values(); }
  get(id: string): HubDocument | undefined { return this.docs.get(id); }
  ward(code: string): HubWard | undefined { return this.wardRecords.get(code); }
  get size(): number { return this.docs.size; }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes changed records and then the ward's record (its checkpoint), and only then shows them. */
  async commit(records: HubDocument[], ward: HubWard | null): Promise<void> {
    const batch: (HubDocument | HubWard)[] = [...records];
    if (ward) batch.push(ward);
    if (batch.length === 0) return;
    // Strip the in-memory revision and put the stored one back: the store is ours alone, no conflicts expected.
    const withRevs = batch.map((r) => {
      const current = r.type === 'hub-ward' ? this.wardRecords.get(r.ward) : this.docs.get(r._id);
      const { _rev: _ignored, ...rest } = r;
      return current?._rev ? { ...rest, _rev: current._rev } : rest;
    });
    const results = await this.db.bulkDocs(withRevs);
    results.forEach((res, i) => {
      if ('error' in res && res.error) throw new Error(`hub store: ${batch[i]!._id}: ${res.message ?? res.error}`);
      const rec = { ...batch[i]!, _rev: (res as PouchDB.Core.Response).rev };
      if (rec.type === 'hub-ward') this.wardRecords.set(rec.ward, rec as HubWard);
      else this.docs.set(rec._id, rec as HubDocument);
    });
    for (const l of this.listeners) { try { l(); } catch { /* a listener's failure is its own */ } }
  }

  newWard(code: string): HubWard {
    return { _id: hubWardId(code), type: 'hub-ward', ward: code, since: '0', lastSeenAt: null, pendingFiles: 0, lagP50Seconds: null, lagMaxSeconds: null };
  }

  /** Checks a record before it is written: the schema is the contract with the dashboard. */
  static check(record: HubDocument): HubDocument {
    return HubDocument.parse(record);
  }

  static checkWard(record: HubWard): HubWard {
    return HubWard.parse(record);
  }

  /**
   * The city's LTV copy of a document (DSS + document timestamp appended by the hub): a record
   * of the hub's own store, never of a ward's database, so no ward can replace it; the ward's
   * signed PDF stays as the ward sent it.
   */
  async putLtv(hubId: string, source: string, pdf: Buffer, at: string): Promise<void> {
    const id = `ltv:${hubId}`;
    const existing = await this.db.get(id).catch(() => null);
    if (existing) return;
    await this.db.put({ _id: id, type: 'hub-ltv', source, createdAt: at, _attachments: { 'ltv.pdf': { content_type: 'application/pdf', data: pdf } } } as unknown as Parameters<PouchDB.Database['put']>[0]);
  }

  /** The LTV copy's bytes, or null when the hub has not made one (yet). */
  async ltv(hubId: string): Promise<Buffer | null> {
    try { return await this.db.getAttachment(`ltv:${hubId}`, 'ltv.pdf') as Buffer; } catch { return null; }
  }

  async hasLtv(hubId: string): Promise<boolean> {
    return (await this.db.get(`ltv:${hubId}`).catch(() => null)) !== null;
  }

  close(): Promise<void> { return this.db.close(); }
}
