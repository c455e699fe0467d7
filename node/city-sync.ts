// The ward node's side of city sync: runs sync/'s Replicator against the
// `docs` database (the `secrets` database is never handed to it), and writes
// what arrives from the city (the inbox documents and their events) under the
// ledger, updating the in-memory projection in the same step. (A live changes
// feed over the whole store used to do this: it read back every record the
// ledger wrote, which cost more CPU per document created than the rest of the
// request together.)
import { readFile } from 'node:fs/promises';
import PouchDB from 'pouchdb';
import type { Logger } from 'pino';
import { WardCredentials } from '../sync/city-contract.js';
import { ERRORS } from '../sync/errors.js';
import { writeLeaves } from '../sync/genuine-pull.js';
import type { Leaf } from '../sync/genuine.js';
import { Replicator } from '../sync/replicator.js';
import { stopAction, type SyncStatus } from '../sync/status.js';
import type { DocumentRecord, EventRecord } from '../sync/schema.js';
import { cityLinkConfigured, type Config } from './config.js';
import type { Ledger } from './ledger.js';
import type { Projection } from './projection.js';

type BaseFetch = ConstructorParameters<typeof Replicator>[0]['baseFetch'];

export class CitySync {
  readonly replicator: Replicator;

  constructor(private readonly deps: { config: Config; docs: PouchDB.Database; ledger: Ledger; projection: Projection; log: Logger }) {
    const city = deps.config.city;
    const file = city.credentialsFile;
    this.replicator = new Replicator({
      local: deps.docs,
      openRemote: (url, options) => new PouchDB(url, options),
      // PouchDB's own fetch (node-fetch), so its Headers objects pass through unchanged.
      baseFetch: (PouchDB as unknown as { fetch: BaseFetch }).fetch,
      loadCredentials: async () => (file ? WardCredentials.parse(JSON.parse(await readFile(file, 'utf8'))) : null),
      cityUrl: city.url,
      intervalMs: city.intervalSeconds * 1000,
      batchSize: city.batchSize,
      backoff: { baseMs: city.backoffBaseSeconds * 1000, capMs: city.backoffCapSeconds * 1000 },
      requestTimeoutMs: city.requestTimeoutSeconds * 1000,
      log: (level, msg, extra) => deps.log[level](extra ?? {}, msg),
      writePulled: (docs) => this.writePulled(docs),
    });
  }

  get enabled(): boolean { return cityLinkConfigured(this.deps.config); }

  async start(): Promise<void> {
    if (this.enabled) await this.replicator.start();
  }

  async stop(): Promise<void> {
    await this.replicator.stop();
  }

  async status(): Promise<SyncStatus> {
    const status = await this.replicator.status();
    if (this.enabled) return status;
    // Without a credentials file the replicator never runs, so its first facts (configured, items pending) would stand for ever.
    const { vi, en } = ERRORS.sync_not_configured;
    return { ...status, configured: false, online: null, upToDate: false, action: stopAction('sync_not_configured'), summary: { vi, en } };
  }

  syncNow(): Promise<void> { return this.replicator.syncNow(); }

  /**
   * Writes a page of the city's records with no command in flight, then applies to the view
   * what the store now holds as each one's winner: the written revision may lose to one the
   * store has (`new_edits:false` keeps both), and an event that came before its document is
   * applied with it. Memory and store change in one step, so a snapshot never records the
   * store's seq past a record the view lacks.
   */
  private writePulled(docs: Leaf[]): Promise<void> {
    return this.deps.ledger.exclusive(async () => {
      await writeLeaves(this.deps.docs, docs);
      const ids = [...new Set(docs.map((d) => d._id).filter((id) => id.startsWith('doc:') || id.startsWith('ev:')))];
      if (ids.length === 0) return;
      const rows = (await this.deps.docs.allDocs({ keys: ids, include_docs: true })).rows;
      const winners = rows.flatMap((r) => ('doc' in r && r.doc && !r.value.deleted ? [r.doc as PouchDB.Core.Document & Record<string, unknown>] : []));
      // Documents first: an event applies only to a document the view knows.
      winners.sort((a, b) => Number(a._id.startsWith('ev:')) - Number(b._id.startsWith('ev:')));
      for (const doc of winners) await this.apply(doc);
    });
  }

  private async apply(doc: PouchDB.Core.Document & Record<string, unknown>): Promise<void> {
    if (!this.needed(doc)) return;
    if (doc._id.startsWith('ev:')) { this.deps.projection.applyEvent(doc as unknown as EventRecord); return; }
    this.deps.projection.putRecord(doc as unknown as DocumentRecord);
    // Events that arrived before their document were skipped; replay them now.
    const prefix = `ev:${doc._id.slice(4)}:`;
    const events = await this.deps.docs.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
    for (const row of events.rows) if (row.doc) this.deps.projection.applyEvent(row.doc as unknown as EventRecord);
  }

  private needed(doc: PouchDB.Core.Document & Record<string, unknown>): boolean {
    if (doc._id.startsWith('ev:')) {
      const view = this.deps.projection.get(String(doc['docId']));
      return Boolean(view) && !this.deps.projection.hasEvent(view!, doc._id);
    }
    const known = this.deps.projection.get(doc._id);
    return !known || revGeneration(doc._rev) > known.revGeneration;
  }
}

function revGeneration(rev: string | undefined): number {
  return rev ? Number.parseInt(rev, 10) || 0 : 0;
}
