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
import { createRequire } from 'node:module';

type Handler = (doc: Record<string, unknown>, args: unknown) => Promise<unknown>;
type WrapperFactory = (handler: Handler) => unknown;

const require = createRequire(import.meta.url);
const wrapperPath = require.resolve('pouchdb-bulkdocs-wrapper');
const validationPath = require.resolve('pouchdb-validation');
if (require.cache[validationPath]) throw new Error('validation-revisions-fix must load before pouchdb-validation');
const original = require(wrapperPath) as WrapperFactory & { keepsRevisions?: true };

if (!original.keepsRevisions) {
  const keepingRevisions: WrapperFactory & { keepsRevisions?: true } = (handler) => original(async (doc, args) => {
    const had = Object.prototype.hasOwnProperty.call(doc, '_revisions');
    const revisions = doc['_revisions'];
    const result = await handler(doc, args);
    if (had) doc['_revisions'] = revisions; else delete doc['_revisions'];
    return result;
  });
  keepingRevisions.keepsRevisions = true;
  require.cache[wrapperPath]!.exports = keepingRevisions;
}
