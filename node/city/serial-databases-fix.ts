// A fix for the embedded city, loaded before express-pouchdb.
//
// express-pouchdb 4.2.0 opens and deletes databases one at a time through a
// single module-level promise chain (lib/create-or-delete-dbs.js:
// `promiseChain = promiseChain.then(fun)`). When one step rejects — a
// `DELETE /{db}` the security plugin refuses (401) — the chain stays rejected
// for good: every later database request waits on it and never gets an
// answer, and the stored rejection is unhandled. One anonymous
// `DELETE /no_such_db` hung the city for every ward until a restart (issue
// 15, item 1). The route table now keeps such requests away from
// express-pouchdb; this keeps the chain alive anyway (a step's failure is its
// caller's, not the next caller's).
//
// Both functions are read by express-pouchdb's modules when they load
// (`require('./create-or-delete-dbs').deleteDB`), so the module's exports are
// replaced before express-pouchdb is imported.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Db = { destroy(opts?: object): Promise<unknown> };
type Pouch = (new (name: string) => Db) & { destroy(name: string, opts?: object): Promise<unknown>; __dbCacheMap?: Map<string, Db> };
interface Serial { getOrCreateDB(PouchDB: Pouch, name: string): Promise<Db>; deleteDB(PouchDB: Pouch, name: string, opts?: object): Promise<unknown>; recovers?: true }

const require = createRequire(import.meta.url);
const modulePath = join(dirname(require.resolve('express-pouchdb/package.json')), 'lib', 'create-or-delete-dbs.js');
if (require.cache[require.resolve('express-pouchdb/lib/routes/db.js')]) throw new Error('serial-databases-fix must load before express-pouchdb');
const serial = require(modulePath) as Serial;

if (!serial.recovers) {
  let chain: Promise<unknown> = Promise.resolve();
  // Still one step at a time, as express-pouchdb intends; a failed step ends only its own caller.
  const sequentially = <T>(step: () => T | Promise<T>): Promise<T> => {
    const run = chain.then(step);
    chain = run.catch(() => undefined);
    return run;
  };
  const cache = (PouchDB: Pouch): Map<string, Db> => (PouchDB.__dbCacheMap ??= new Map());
  serial.getOrCreateDB = (PouchDB, name) => sequentially(() => {
    const known = cache(PouchDB).get(name);
    if (known) return known;
    const db = new PouchDB(name);
    cache(PouchDB).set(name, db);
    return db;
  });
  serial.deleteDB = (PouchDB, name, opts) => sequentially(() => {
    const db = cache(PouchDB).get(name);
    if (!db) return PouchDB.destroy(name, opts);
    cache(PouchDB).delete(name);
    return db.destroy(opts);
  });
  serial.recovers = true;
}
