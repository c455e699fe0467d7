// The city's RFC 3161 responder on the embedded city server: POST /_tsa with
// Content-Type application/timestamp-query and a ward's (or the admin's)
// credentials, answered with application/timestamp-reply. The route table
// lets only authenticated callers reach it; the credentials are then checked
// with the server itself (GET /_session names the user), as memberOnly does
// for databases. A refused request (not a TimeStampReq, an expired TSA
// certificate) still gets a TimeStampResp with status 'rejection' and the
// reason in Vietnamese and English, and an HTTP status that says so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pkcs12Contents } from '../../certs/ca.js';
import { TIMESTAMP_QUERY, TIMESTAMP_REPLY, timestampResponse } from '../../certs/tsa.js';
import { ERRORS } from '../../sync/errors.js';

/** A TimeStampReq is ~60-100 bytes; anything past this is not one. */
const MAX_REQUEST = 4096;

export async function serveTsa(req: IncomingMessage, res: ServerResponse, tsa: Pkcs12Contents | undefined, adminAuth: string): Promise<void> {
  const json = (status: number, error: string, vi: string, en: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error, reason: `${vi} / ${en}` }));
  if (!tsa) { json(404, 'not_found', 'Thành phố chưa bật máy chủ dấu thời gian (city start --tsa).', 'The city runs no time-stamping authority (city start --tsa).'); return; }
  if (req.headers.authorization !== adminAuth && !(await authenticated(req))) { json(401, 'unauthorized', ERRORS.not_logged_in.vi, ERRORS.not_logged_in.en); return; }
  if ((req.headers['content-type'] ?? '').split(';')[0]!.trim() !== TIMESTAMP_QUERY) { json(415, 'unsupported_media_type', ERRORS.unsupported_media_type.vi, ERRORS.unsupported_media_type.en); return; }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST) { json(413, 'body_too_large', ERRORS.tsa_bad_request.vi, ERRORS.tsa_bad_request.en); return; }
    chunks.push(chunk);
  }
  const r = timestampResponse(tsa, Buffer.concat(chunks));
  const status = r.granted ? 200 : ERRORS[r.code!].status;
  res.writeHead(status, { 'content-type': TIMESTAMP_REPLY, ...(r.code ? { 'x-warddesk-error': r.code } : {}) }).end(r.der);
}

/** The caller's credentials name a user of this server. */
async function authenticated(req: IncomingMessage): Promise<boolean> {
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
  if (req.headers.cookie) headers['cookie'] = req.headers.cookie;
  const local = req.socket.localAddress ?? '127.0.0.1';
  const self = `http://${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 0}`;
  const r = await fetch(`${self}/_session`, { headers }).catch(() => null);
  if (!r?.ok) return false;
  const body = await r.json().catch(() => null) as { userCtx?: { name?: string | null } } | null;
  return typeof body?.userCtx?.name === 'string' && body.userCtx.name.length > 0;
}
