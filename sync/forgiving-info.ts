/**
 * PouchDB's replication asks the source for info() after every batch it
 * writes, only to update its activeTasks progress, and attaches no catch
 * (pouchdb 9.0.0, `src.info().then(...)` in the batch loop): when the link to
 * a remote source drops at that moment the rejection is unhandled, and an
 * unhandled rejection ends a Node process (the ward node, or a restore from
 * the city). Nothing here reads those figures, so a failed info() answers the
 * last one the remote gave; the requests that carry data still fail the
 * replication as before.
 */
export function forgivingInfo(remote: PouchDB.Database): PouchDB.Database {
  const info = remote.info.bind(remote);
  let last: PouchDB.Core.DatabaseInfo = { db_name: remote.name, doc_count: 0, update_seq: 0 };
  remote.info = (async () => {
    try { last = await info(); } catch { /* only progress figures depend on it (above) */ }
    return last;
  }) as typeof remote.info;
  return remote;
}
