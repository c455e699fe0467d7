// A fix for the embedded city, loaded before express-pouchdb.
//
// pouchdb-validation 4.2.0 runs `newDoc._revisions = oldDoc._revisions` before
// calling validate_doc_update. For a replicated write (_bulk_docs with
// new_edits=false) that replaces the incoming document's revision history with
// the stored one, so PouchDB re-stores the old revision and silently drops the
// new one: the city answered 201, the replicator counted the document as sent,
// and the city kept the first version of every document updated after its
// first sync (found when a CRL document was updated; reproduced in
// test/sync/city.test.ts). CouchDB 3 itself is not affected.
//
// pouchdb-validation builds its bulkDocs wrapper with pouchdb-bulkdocs-wrapper
// when it loads; this hands it a wrapper that gives each document its own
// `_revisions` back once the validation handler has run.
//
// The same wrapper makes the embedded city hand validate_doc_update the
// `oldDoc` CouchDB 3 hands it for a replicated write (`new_edits:false`): the
// nearest stored ancestor on the new revision's own path, or null when none
// of its ancestors is stored (couch_db:prep_and_validate_replicated_updates).
// pouchdb-validation gives the winning revision instead, which refused a
// forged branch that CouchDB accepts. A database member can therefore add a
// new root branch to any record here too, as on the real server, and the
// tests of what the city's readers make of such branches
// (test/city/forged-branch.test.ts) run against the behaviour production has.
import { createRequire } from 'node:module';

type Handler = (doc: Record<string, unknown>, args: unknown) => Promise<unknown>;
type WrapperFactory = (handler: Handler) => unknown;

const require = createRequire(import.meta.url);
const wrapperPath = require.resolve('pouchdb-bulkdocs-wrapper');
const validationPath = require.resolve('pouchdb-validation');
if (require.cache[validationPath]) throw new Error('validation-revisions-fix must load before pouchdb-validation');
const original = require(wrapperPath) as WrapperFactory & { keepsRevisions?: true };

interface Revisions { start: number; ids: string[] }
type Base = { get: (id: string, opts?: object) => Promise<Record<string, unknown>> };
type Args = { base?: Base; options?: { new_edits?: boolean } } & Record<string, unknown>;

/** CouchDB's oldDoc for a replicated revision: undefined when this is not one (or the revision is stored already). */
async function replicatedOldDoc(base: Base, doc: Record<string, unknown>): Promise<Record<string, unknown> | null | undefined> {
  const id = String(doc['_id']);
  const rev = String(doc['_rev'] ?? '');
  const [pos, own] = [Number.parseInt(rev, 10), rev.slice(rev.indexOf('-') + 1)];
  const revisions = (doc['_revisions'] as Revisions | undefined) ?? { start: pos, ids: [own] };
  const path = revisions.ids.map((hash, i) => `${revisions.start - i}-${hash}`);
  const stored = async (r: string) => base.get(id, { rev: r, revs: true }).catch(() => null);
  if (await stored(path[0]!)) return undefined;
  for (const ancestor of path.slice(1)) {
    const found = await stored(ancestor);
    if (found) return found;
  }
  return null;
}

/** The database as the validation sees it, with `get(id)` answering `oldDoc` for this one document. */
function seeingOldDoc(base: Base, id: string, oldDoc: Record<string, unknown> | null): Base {
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === 'get') return (wanted: string, opts?: object) => (wanted === id ? (oldDoc ? Promise.resolve(oldDoc) : Promise.reject(new Error('missing'))) : target.get(wanted, opts));
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

if (!original.keepsRevisions) {
  const keepingRevisions: WrapperFactory & { keepsRevisions?: true } = (handler) => original(async (doc, rawArgs) => {
    const had = Object.prototype.hasOwnProperty.call(doc, '_revisions');
    const revisions = doc['_revisions'];
    const args = rawArgs as Args;
    const oldDoc = args.options?.new_edits === false && args.base ? await replicatedOldDoc(args.base, doc) : undefined;
    const result = await handler(doc, oldDoc === undefined ? args : { ...args, base: seeingOldDoc(args.base!, String(doc['_id']), oldDoc) });
    if (had) doc['_revisions'] = revisions; else delete doc['_revisions'];
    return result;
  });
  keepingRevisions.keepsRevisions = true;
  require.cache[wrapperPath]!.exports = keepingRevisions;
}
