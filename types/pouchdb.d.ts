// Our own declarations for the part of PouchDB WardDesk uses. @types/pouchdb
// declares a global `interface Buffer` that breaks Node's Buffer types under
// TypeScript ≥ 5.7, so it cannot be installed beside @types/node.
declare namespace PouchDB {
  namespace Core {
    interface Response { ok: boolean; id: string; rev: string }
    interface Error { error?: string | boolean; status?: number; name?: string; message?: string; reason?: string; id?: string }
    interface AttachmentStub { content_type: string; digest?: string; length?: number; stub?: boolean; data?: unknown }
    interface Document { _id: string; _rev?: string; _attachments?: Record<string, AttachmentStub>; _deleted?: boolean; _conflicts?: string[] }
    interface AllDocsOptions {
      startkey?: string; endkey?: string; keys?: string[]; key?: string; descending?: boolean; limit?: number; skip?: number;
      include_docs?: boolean; inclusive_end?: boolean; attachments?: boolean; binary?: boolean; conflicts?: boolean;
    }
    interface AllDocsRow { id: string; key: string; value: { rev: string; deleted?: boolean }; doc?: Document & Record<string, unknown>; error?: string }
    interface AllDocsResponse { total_rows: number; offset: number; rows: AllDocsRow[] }
    interface GetOptions { rev?: string; revs?: boolean; conflicts?: boolean; attachments?: boolean; binary?: boolean; open_revs?: 'all' | string[]; latest?: boolean }
    interface DatabaseInfo { db_name: string; doc_count: number; update_seq: number | string; adapter?: string }
    interface ChangesOptions { since?: number | string | 'now'; live?: boolean; include_docs?: boolean; limit?: number; filter?: string | ((doc: Document) => boolean); doc_ids?: string[]; batch_size?: number; selector?: Record<string, unknown>; return_docs?: boolean; style?: 'main_only' | 'all_docs' }
    interface ChangesResponseChange { id: string; seq: number | string; changes: { rev: string }[]; deleted?: boolean; doc?: Document & Record<string, unknown> }
    interface BulkGetOptions { docs: { id: string; rev?: string }[]; revs?: boolean; attachments?: boolean; binary?: boolean; latest?: boolean }
    interface BulkGetResponse { results: { id: string; docs: ({ ok: Document & Record<string, unknown> } | { error: Error })[] }[] }
    interface ChangesResponse { results: ChangesResponseChange[]; last_seq: number | string; status?: string }
    interface Changes extends EventEmitterLike, Promise<ChangesResponse> { cancel(): void }
    // Listener arguments differ per event (change, paused, error…); callers narrow them.
    interface EventEmitterLike { on(event: string, listener: (...args: any[]) => void): this }
  }
  interface ReplicateOptions {
    live?: boolean; retry?: boolean; batch_size?: number; batches_limit?: number; filter?: string | ((doc: Core.Document) => boolean);
    doc_ids?: string[]; since?: number | string; checkpoint?: false | 'source' | 'target'; back_off_function?: (delay: number) => number;
    timeout?: number; heartbeat?: number | false; selector?: Record<string, unknown>;
  }
  interface Replication extends Core.EventEmitterLike, Promise<unknown> { cancel(): void }
  interface Database<Content = {}> {
    name: string;
    info(): Promise<Core.DatabaseInfo>;
    get<T = Content>(id: string, options?: Core.GetOptions): Promise<T & Core.Document>;
    put<T = Content>(doc: T & { _id: string; _rev?: string }): Promise<Core.Response>;
    post<T = Content>(doc: T): Promise<Core.Response>;
    remove(doc: { _id: string; _rev: string }): Promise<Core.Response>;
    bulkDocs<T = Content>(docs: (T & Partial<Core.Document>)[], options?: { new_edits?: boolean }): Promise<(Core.Response | Core.Error)[]>;
    allDocs(options?: Core.AllDocsOptions): Promise<Core.AllDocsResponse>;
    bulkGet(options: Core.BulkGetOptions): Promise<Core.BulkGetResponse>;
    changes(options?: Core.ChangesOptions): Core.Changes;
    putAttachment(docId: string, attachmentId: string, rev: string | undefined, attachment: Buffer | Blob | string, type: string): Promise<Core.Response>;
    getAttachment(docId: string, attachmentId: string, options?: { rev?: string }): Promise<Buffer | Blob>;
    compact(): Promise<unknown>;
    close(): Promise<void>;
    destroy(): Promise<void>;
    replicate: {
      to(target: Database | string, options?: ReplicateOptions): Replication;
      from(source: Database | string, options?: ReplicateOptions): Replication;
    };
  }
  interface Static {
    new <Content = {}>(name: string, options?: Record<string, unknown>): Database<Content>;
    plugin(plugin: unknown): Static;
    defaults(options: Record<string, unknown>): Static;
    replicate(source: Database | string, target: Database | string, options?: ReplicateOptions): Replication;
    sync(source: Database | string, target: Database | string, options?: ReplicateOptions): Replication;
  }
}

declare module 'pouchdb' {
  const PouchDB: PouchDB.Static;
  export default PouchDB;
}
