// express-pouchdb ships no types; this is the part WardDesk uses.
declare module 'express-pouchdb' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface CouchConfig { set(section: string, key: string, value: string, callback: (err: unknown) => void): void }
  /** Runs for each database express-pouchdb opens, after its own wrappers (validation, security). */
  interface DbWrapper { registerWrapper(wrapper: (name: string, db: unknown, next: () => void) => void): void }
  interface ExpressPouchApp { (req: IncomingMessage, res: ServerResponse): void; couchConfig: CouchConfig; dbWrapper: DbWrapper }
  interface Options { mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom'; configPath?: string; logPath?: string; inMemoryConfig?: boolean; overrideMode?: { include?: string[]; exclude?: string[] } }
  function expressPouchdb(PouchDB: unknown, options?: Options): ExpressPouchApp;
  export default expressPouchdb;
}
