// The city's half of "revocation visible to any validator": the URLs `warddesk
// ca ward issue --pki-url` writes into ward CA certificates and that ward CAs
// write into every certificate they issue, served by the embedded city
// without login, before the route table (these are not CouchDB routes):
//   /pki/city-root.cer   the root certificate (DER), from `--pki DIR`/city-root.pem
//   /pki/city-root.crl   the root's CRL, DIR/city-root.crl (`warddesk ca root crl` writes it)
//   /pki/<ward>.crl      the ward CA's newest CRL, from the `crl:<ward>:<n>` records it replicated
// A ward CA's certificate (<ward>.cer) is served by the ward node only: the
// city never holds it as a file. With a real CouchDB 3, any static web server
// over the same files does the same job.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CrlRecord } from '../../sync/city-contract.js';
import { withoutCouchFields } from './ward-records.js';

export interface CityPki {
  /** The folder holding city-root.pem and city-root.crl. */
  dir: string;
  /** The ward's `crl:<ward>:*` records (the ward's own, not copies the city made). */
  wardCrls(ward: string): Promise<unknown[]>;
}

const PATH = /^\/pki\/([a-z0-9-]{2,40})\.(crl|cer)$/;

/** Answers a /pki request and returns true; false for any other path. */
export async function servePki(req: IncomingMessage, res: ServerResponse, pki: CityPki): Promise<boolean> {
  const path = (req.url ?? '').split('?')[0]!;
  if (!path.startsWith('/pki/')) return false;
  const m = PATH.exec(path);
  const answer = (status: number, type: string, body: Buffer | string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': status === 200 ? 'public, max-age=300' : 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
  };
  const missing = () => answer(404, 'application/json', '{"error":"not_found","reason":"Không có tệp này / No such file."}');
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) { missing(); return true; }
  const [, ca, kind] = m;
  if (ca === 'city-root') {
    const file = join(pki.dir, kind === 'crl' ? 'city-root.crl' : 'city-root.pem');
    if (!existsSync(file)) { missing(); return true; }
    if (kind === 'crl') answer(200, 'application/pkix-crl', readFileSync(file));
    else answer(200, 'application/pkix-cert', Buffer.from(new X509Certificate(readFileSync(file)).raw));
    return true;
  }
  if (kind === 'cer') { missing(); return true; }
  let newest: CrlRecord | null = null;
  for (const raw of await pki.wardCrls(ca!).catch(() => [])) {
    const r = CrlRecord.safeParse(withoutCouchFields((raw ?? {}) as Record<string, unknown>));
    if (r.success && !r.data.origin && r.data.issuer === ca && (!newest || r.data.crlNumber > newest.crlNumber)) newest = r.data;
  }
  if (!newest) { missing(); return true; }
  answer(200, 'application/pkix-crl', Buffer.from(newest.der, 'base64'));
  return true;
}
