// The city's part of revocation: every ward publishes its CA's lists as
// `crl:<ward>:<n>` in its own database; this copies each list (marked origin
// "city", so it lands in the wards' inboxes) into every other ward's
// database, and the root's lists as `crl:city-root:<n>` into all of them.
// Over the CouchDB HTTP API only, so it works
// against a real CouchDB 3 as well as the embedded server.
import { readCrl } from '../../certs/crl.js';
import { CrlRecord, crlId, wardDbName } from '../../sync/city-contract.js';
import { withHash } from '../../sync/record-hash.js';
import { couchClient, prefixRange, type AdminCredentials } from './init.js';

export interface CrlDistribution { lists: number; copies: number }

export async function distributeCrls(o: { url: string; admin: AdminCredentials; rootCrl?: Buffer }): Promise<CrlDistribution> {
  const couch = couchClient(o.url, o.admin);
  const wards = (await couch<string[]>('GET', '/_all_dbs')).body.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
  const lists: CrlRecord[] = [];
  for (const ward of wards) {
    const r = await couch<{ rows: { doc?: Record<string, unknown> }[] }>('GET', `/${wardDbName(ward)}/_all_docs?${prefixRange(`crl:${ward}:`)}`);
    for (const row of r.body.rows) {
      const parsed = CrlRecord.safeParse(strip(row.doc ?? {}));
      if (parsed.success && !parsed.data.origin) lists.push(parsed.data);
    }
  }
  if (o.rootCrl) {
    const crl = readCrl(o.rootCrl);
    lists.push({ _id: crlId('city-root', crl.crlNumber), type: 'crl', issuer: 'city-root', crlNumber: crl.crlNumber, thisUpdate: crl.thisUpdate.toISOString(), der: o.rootCrl.toString('base64') });
  }
  let copies = 0;
  for (const ward of wards) {
    for (const list of lists) {
      if (list.issuer === ward) continue;
      const path = `/${wardDbName(ward)}/${encodeURIComponent(list._id)}`;
      // Lists are written once: one already there is the same list.
      if ((await couch('GET', path, undefined, [404])).status === 200) continue;
      // The copy is the city's record: the ward's hash covered it without `origin`, and a
      // ward's inbox pull skips a record whose hash does not hold (sync/genuine.ts), so the
      // copy carries its own.
      const { hash: _wardsHash, ...content } = list;
      await couch('PUT', path, await withHash({ ...content, origin: 'city' as const }));
      copies += 1;
    }
  }
  return { lists: lists.length, copies };
}

/** The CouchDB fields CrlRecord does not describe. */
function strip(doc: Record<string, unknown>): Record<string, unknown> {
  const { _rev: _r, _revisions: _v, ...rest } = doc;
  return rest;
}
