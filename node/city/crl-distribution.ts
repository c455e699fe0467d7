// The city's part of revocation: every ward publishes its CA's lists as
// `crl:<ward>:<n>` in its own database; this copies each list (marked origin
// "city", so it lands in the wards' inboxes) into every other ward's
// database, and the root's lists as `crl:city-root:<n>` into all of them.
// Over the CouchDB HTTP API only, so it works
// against a real CouchDB 3 as well as the embedded server.
import { readCrl } from '../../certs/crl.js';
import { CrlRecord, crlId, wardDbName } from '../../sync/city-contract.js';
import { withHash } from '../../sync/record-hash.js';
import { couchClient, type AdminCredentials } from './init.js';
import { WardRecords, withoutCouchFields, type CityJson } from './ward-records.js';

export interface CrlDistribution { lists: number; copies: number }

export async function distributeCrls(o: { url: string; admin: AdminCredentials; rootCrl?: Buffer }): Promise<CrlDistribution> {
  const couch = couchClient(o.url, o.admin);
  const wards = (await couch<string[]>('GET', '/_all_dbs')).body.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
  const lists: CrlRecord[] = [];
  const json: CityJson = async <T>(path: string, body?: unknown) => (await couch<T>(body === undefined ? 'GET' : 'POST', path, body)).body;
  for (const ward of wards) {
    // The genuine revision of each list (ward-records.ts): never a branch added at the city.
    for (const r of await new WardRecords(json, ward).byPrefix(`crl:${ward}:`)) {
      const parsed = CrlRecord.safeParse(withoutCouchFields(r.doc ?? {}));
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
      // The copy is the city's record: its own content, so its own hash (sync/record-hash.ts).
      const { hash: _wardsHash, ...content } = list;
      await couch('PUT', path, await withHash({ ...content, origin: 'city' as const }));
      copies += 1;
    }
  }
  return { lists: lists.length, copies };
}
