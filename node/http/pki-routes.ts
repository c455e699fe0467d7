// Revocation visible to any validator: the ward CA's list and certificate,
// and the city root's, at the URLs the ward CA writes into every certificate
// it issues (CRL distribution point, AIA caIssuers). Plain HTTP and no login,
// as RFC 5280 expects of a CDP (a validator fetching a CRL cannot log in, and
// the lists are signed, so TLS adds nothing). Served by the main app and, once
// the node runs HTTPS, by the plain-HTTP setup port too.
//   /pki/<ward code>.crl, /pki/ward-ca.crl   the ward CA's newest CRL (DER)
//   /pki/<ward code>.cer, /pki/ward-ca.cer   the ward CA's certificate (DER)
//   /pki/city-root.crl, /pki/city-root.cer   the city root's newest CRL known here, its certificate
import { Router, type ErrorRequestHandler } from 'express';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCrl } from '../../certs/crl.js';
import { RevocationRegister } from '../../certs/revocation.js';
import type { Keystore } from '../../certs/keystore.js';
import { WardError, wardError } from '../../sync/errors.js';
import { WARD_CA } from '../holder-keys.js';

export interface PkiSource {
  keys: Keystore;
  wardCode: string;
  /** Replicated `crl:city-root:*` lists (base64 DER), newer than the bundle's file once the city publishes again. */
  rootCrlDocs?: () => Promise<{ der?: unknown }[]>;
}

const newest = (lists: Buffer[]): Buffer | null => lists
  .flatMap((b) => { try { return [{ b, n: readCrl(b).crlNumber }]; } catch { return []; } })
  .sort((x, y) => y.n - x.n)[0]?.b ?? null;

export function pkiRouter(src: PkiSource): Router {
  const router = Router();
  const send = (res: import('express').Response, type: string, body: Buffer) => {
    // Lists change when a certificate is revoked: caches may keep one for a few minutes only.
    res.set('Cache-Control', 'public, max-age=300').type(type).send(body);
  };
  router.get('/pki/:file', async (req, res) => {
    const m = /^([a-z0-9-]{2,40})\.(crl|cer)$/.exec(String(req.params['file']));
    const ca = m?.[1] === src.wardCode ? WARD_CA : m?.[1];
    if (!m || (ca !== WARD_CA && ca !== 'city-root')) throw wardError('not_found');
    if (!src.keys.has(WARD_CA)) throw wardError('ca_missing');
    const chain = src.keys.chain(WARD_CA);
    if (m[2] === 'cer') { send(res, 'application/pkix-cert', Buffer.from(new X509Certificate(ca === WARD_CA ? chain[0]! : chain.at(-1)!).raw)); return; }
    let crl: Buffer | null;
    if (ca === WARD_CA) crl = new RevocationRegister(src.keys.dir, WARD_CA).current();
    else {
      const file = join(src.keys.dir, 'city-root.crl');
      const docs = (await src.rootCrlDocs?.()) ?? [];
      crl = newest([...(existsSync(file) ? [readFileSync(file)] : []), ...docs.flatMap((d) => (typeof d.der === 'string' ? [Buffer.from(d.der, 'base64')] : []))]);
    }
    if (!crl) throw wardError('crl_missing');
    send(res, 'application/pkix-crl', crl);
  });
  // Its own answers for refusals: the plain-HTTP setup app has no error handler of its own.
  router.use('/pki', ((err, _req, res, next) => {
    if (!(err instanceof WardError)) { next(err); return; }
    res.status(err.status).json(err.toJSON());
  }) as ErrorRequestHandler);
  return router;
}
