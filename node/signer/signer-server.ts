// `warddesk signer`: the companion on an official's PC. It talks PKCS#11 to
// the official's token and answers, on 127.0.0.1 only, the PWA served by the
// configured ward node (CORS for that one origin, with Chrome's Private
// Network Access preflight). It asks the PIN itself, on this PC, for every
// signature, after showing what is being signed; the PIN goes to the token
// and nowhere else, and the key never leaves it. It signs only CMS signed
// attributes (a DER SET carrying a message digest), never arbitrary bytes.
// It never calls the ward node: the PWA carries the request and the answer.
import { X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readTokenPublic, withTokenKey, type TokenRef } from '../../certs/pkcs11-token.js';
import { WardError, wardError } from '../../sync/errors.js';

/** What the signer shows before asking the PIN. */
export interface SigningRequestView { docType: string; number: string | null; subject: string }

/** Asks the official's PIN for one signature; null = cancelled. */
export type PinProvider = (shown: SigningRequestView) => Promise<string | null>;

export interface SignerOptions {
  /** The ward node's origin, e.g. https://ward.example:8443: the only page allowed to call. */
  nodeOrigin: string;
  token: TokenRef;
  pin: PinProvider;
  port?: number;
  /** Where the signer tells the official what is being signed (the terminal). */
  show?: (line: string) => void;
}

const MESSAGE_DIGEST_OID = Buffer.from('06092a864886f70d010904', 'hex');
const MAX_BODY = 64 * 1024;

export interface RunningSigner { server: Server; port: number; url: string; close(): Promise<void> }

export async function startSigner(o: SignerOptions): Promise<RunningSigner> {
  const origin = new URL(o.nodeOrigin).origin;
  let queue: Promise<unknown> = Promise.resolve();
  const one = <T>(fn: () => Promise<T>): Promise<T> => { const next = queue.then(fn, fn); queue = next.catch(() => undefined); return next; };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const known = err instanceof WardError ? err : wardError('token_failed');
      send(res, known.status, known.toJSON());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const port = (server.address() as AddressInfo).port;
    // DNS rebinding: a page of any site resolving its name to 127.0.0.1 would send its own Host.
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) { send(res, 421, wardError('signer_origin_forbidden').toJSON()); return; }
    if (req.headers.origin !== origin) { send(res, 403, wardError('signer_origin_forbidden').toJSON()); return; }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.setHeader('Access-Control-Max-Age', '600');
      // Private Network Access: a public or LAN page calling loopback must be allowed explicitly.
      if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.writeHead(204).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/v1/status') {
      const pub = await one(() => readTokenPublic(o.token, 'token_absent'));
      if (pub.certificatesDer.length === 0) throw wardError('token_certificate_missing');
      send(res, 200, { ok: true, tokenLabel: pub.tokenLabel, certificates: pub.certificatesDer.map((d) => new X509Certificate(d).toString()) });
      return;
    }
    if (req.method === 'POST' && path === '/v1/sign') {
      const body = await readJson(req);
      const toSign = typeof body['toSign'] === 'string' ? Buffer.from(body['toSign'], 'base64') : Buffer.alloc(0);
      const doc = (body['document'] ?? {}) as Record<string, unknown>;
      const shown: SigningRequestView = { docType: String(doc['docType'] ?? '').slice(0, 20), number: typeof doc['number'] === 'string' ? doc['number'].slice(0, 40) : null, subject: String(doc['subject'] ?? '').slice(0, 500) };
      if (toSign.length < 16 || toSign.length > 4096 || toSign[0] !== 0x31 || toSign.indexOf(MESSAGE_DIGEST_OID) < 0) throw wardError('invalid_input');
      const signature = await one(async () => {
        (o.show ?? ((l) => process.stderr.write(`${l}\n`)))(`Ký văn bản / Signing: ${shown.docType} ${shown.number ? `số ${shown.number}` : '(chưa cấp số / not numbered yet)'}: ${shown.subject}`);
        const pin = await o.pin(shown);
        if (!pin) throw wardError('signer_cancelled');
        return withTokenKey(o.token, pin, (key) => key.sign(toSign));
      });
      send(res, 200, { signature: signature.toString('base64') });
      return;
    }
    send(res, 404, wardError('not_found').toJSON());
  }

  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(o.port ?? 0, '127.0.0.1', resolve); });
  const port = (server.address() as AddressInfo).port;
  return { server, port, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) { res.end(); return; }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw wardError('unsupported_media_type');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) { size += (c as Buffer).length; if (size > MAX_BODY) throw wardError('body_too_large'); chunks.push(c as Buffer); }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* answered below */ }
  throw wardError('bad_json');
}
