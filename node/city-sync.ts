// The ward node's side of city sync: runs sync/'s Replicator against the
// `docs` database (the `secrets` database is never handed to it), and keeps
// the in-memory projection current with what arrives by replication (the
// city's inbox documents and their events), which bypasses the ledger.
import { readFile } from 'node:fs/promises';
import PouchDB from 'pouchdb';
import type { Logger } from 'pino';
import { WardCredentials } from '../sync/city-contract.js';
import { ERRORS } from '../sync/errors.js';
import { Replicator } from '../sync/replicator.js';
import { stopAction, type SyncStatus } from '../sync/status.js';
import type { DocumentRecord, EventRecord } from '../sync/schema.js';
import { cityLinkConfigured, type Config } from './config.js';
import type { Ledger } from './ledger.js';
import type { Projection } from './projection.js';

type BaseFetch = ConstructorParameters<typeof Replicator>[0]['baseFetch'];

export class CitySync {
  readonly replicator: Replicator;
  private feed: PouchDB.Core.Changes | null = null;

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
    });
  }

  get enabled(): boolean { return cityLinkConfigured(this.deps.config); }

  async start(): Promise<void> {
    const since = (await this.deps.docs.info()).update_seq;
    this.feed = this.deps.docs.changes({ since, live: true, include_docs: true });
    this.feed.on('change', (change: PouchDB.Core.ChangesResponseChange) => { if (change.doc && !change.deleted) void this.arrived(change.doc); });
    this.feed.on('error', (err: unknown) => { this.deps.log.error({ err }, 'changes feed for replicated documents stopped'); });
    if (this.enabled) await this.replicator.start();
  }

  async stop(): Promise<void> {
    this.feed?.cancel();
    this.feed = null;
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
   * Applies a `doc:`/`ev:` document the projection does not know yet. The
   * ledger's own writes are already applied (same revision), so they pass
   * through as no-ops; the work runs under the ledger's lock so it never
   * interleaves with a command.
   */
  private async arrived(doc: PouchDB.Core.Document & Record<string, unknown>): Promise<void> {
    if (!doc._id.startsWith('doc:') && !doc._id.startsWith('ev:')) return;
    if (!this.needed(doc)) return;
    await this.deps.ledger.exclusive(async () => {
      if (!this.needed(doc)) return;
      if (doc._id.startsWith('ev:')) { this.deps.projection.applyEvent(doc as unknown as EventRecord); return; }
      this.deps.projection.putRecord(doc as unknown as DocumentRecord);
      // Events that arrived before their document were skipped; replay them now.
      const prefix = `ev:${doc._id.slice(4)}:`;
      const events = await this.deps.docs.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
      for (const row of events.rows) if (row.doc) this.deps.projection.applyEvent(row.doc as unknown as EventRecord);
    }).catch((err: unknown) => { this.deps.log.error({ err, id: doc._id }, 'could not apply a replicated document'); });
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
