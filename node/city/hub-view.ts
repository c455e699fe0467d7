// What the city hub's dashboard reads: the hub's records held in memory by
// the ingest (node/city/hub-store.ts), and the signed PDFs for drill-down.
// The dashboard (node/city/hub-http.ts) depends on this interface only, so it
// can be tested against records built in code and served by the real ingest.
import type { HubDocument, HubWard } from '../../sync/hub-records.js';

/** One step the ward took on a document, as its replicated event says. */
export interface HubStep { action: string; at: string; user: string; role: string; comment?: string }

export interface HubView {
  /** Every document record the hub holds (current versions). */
  documents(): Iterable<HubDocument>;
  /** Every ward the hub follows, with its checkpoint and sync health. */
  wards(): Iterable<HubWard>;
  document(ward: string, docId: string): HubDocument | undefined;
  /** Called after each batch of records changes (the dashboard refreshes its caches and live pages). */
  onChange(listener: () => void): () => void;
  /** The file's bytes assembled from the city's chunks (sha-256 checked), or null while incomplete. */
  file(ward: string, sha256: string): Promise<Uint8Array | null>;
  /** Every step of the document in time order, read from the ward's database at the city (drill-down only). */
  steps?(ward: string, docId: string): Promise<HubStep[]>;
  /** The city's LTV copy (PAdES B-LTA: DSS + document timestamp), null until the hub made one. */
  ltv?(ward: string, docId: string): Promise<Buffer | null>;
}
