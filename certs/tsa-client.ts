// A client of the city's TSA over HTTP (RFC 3161 §3.4): POST a TimeStampReq
// as application/timestamp-query, read a TimeStampResp. The caller passes the
// ward's credentials (the city serves its TSA to wards only) and a deadline:
// a ward that cannot reach the city signs without a timestamp (B-B).
import { createHash } from 'node:crypto';
import { wardError } from '../sync/errors.js';
import type { Timestamper } from './pdf-ltv.js';
import { TIMESTAMP_QUERY, timestampRequest, tokenFromResponse } from './tsa.js';

export function httpTimestamper(url: string, headers: Record<string, string> = {}, timeoutMs = 3000): Timestamper {
  return async (imprint) => {
    let body: Buffer;
    try {
      const r = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': TIMESTAMP_QUERY }, body: timestampRequest(imprint), signal: AbortSignal.timeout(timeoutMs) });
      body = Buffer.from(await r.arrayBuffer());
      if (!r.ok && !(r.headers.get('content-type') ?? '').startsWith('application/timestamp-reply')) throw wardError('tsa_unavailable');
    } catch (err) {
      if ((err as { code?: string }).code === 'tsa_unavailable') throw err;
      throw wardError('tsa_unavailable');
    }
    const token = tokenFromResponse(body);
    return token;
  };
}

/** The SHA-256 of some bytes (what a TSA is asked to time-stamp). */
export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
