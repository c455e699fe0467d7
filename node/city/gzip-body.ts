// Gzip-encoded JSON request bodies at the embedded city, as CouchDB accepts
// them (it inflates `Content-Encoding: gzip` bodies on every endpoint;
// docs/decisions/0009 cites where): the ward's replicator sends
// record batches, key lists and chunk units compressed (sync/wire-gzip.ts).
// body-parser (inside express-pouchdb) would inflate them too, but under
// express-pouchdb's limit of 4 GiB: a 1 MB "zip bomb" could fill the
// memory. So the body is inflated here, streaming, and refused with 413 as
// soon as it passes MAX_INFLATED_BYTES; the parsed JSON is handed on as
// body-parser's own result. Attachment bodies are bytes stored as sent, so
// a compressed one is refused (415) rather than stored compressed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';

/** The largest inflated JSON body: a record batch or a unit of chunks is well under 2 MiB. */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

function answer(res: ServerResponse, status: number, error: string, reason: string): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error, reason }));
}

/**
 * Reads a gzip-encoded JSON body into `req.body`; true when the request was
 * answered here (refused) and must go no further.
 */
export async function inflateJsonBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return false;
  if (encoding !== 'gzip') {
    answer(res, 415, 'bad_content_type', `Chỉ nhận nội dung nén gzip, không nhận "${encoding}" / Only gzip request bodies are accepted, not "${encoding}".`);
    return true;
  }
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    answer(res, 415, 'bad_content_type', 'Chỉ nội dung JSON được nén gzip; tệp đính kèm gửi nguyên dạng / Only JSON bodies may be gzip-encoded; attachments go as they are.');
    return true;
  }
  const gunzip = createGunzip();
  const parts: Buffer[] = [];
  let size = 0;
  let over = false;
  try {
    await new Promise<void>((resolve, reject) => {
      gunzip.on('data', (part: Buffer) => {
        size += part.length;
        if (size > MAX_INFLATED_BYTES) { over = true; req.unpipe(gunzip); gunzip.destroy(); resolve(); return; }
        parts.push(part);
      });
      gunzip.on('end', () => resolve());
      gunzip.on('error', reject);
      req.on('error', reject);
      req.pipe(gunzip);
    });
  } catch {
    answer(res, 400, 'bad_request', 'Nội dung nén gzip bị hỏng hoặc bị cắt / The gzip body is corrupt or cut short.');
    return true;
  }
  if (over) {
    answer(res, 413, 'too_large', `Nội dung giải nén vượt quá ${MAX_INFLATED_BYTES / 1024 / 1024} MiB / The inflated body is larger than ${MAX_INFLATED_BYTES / 1024 / 1024} MiB.`);
    req.resume();
    return true;
  }
  let body: unknown;
  try { body = JSON.parse(Buffer.concat(parts, size).toString('utf8')); } catch {
    answer(res, 400, 'bad_request', 'Nội dung giải nén không phải JSON hợp lệ / The inflated body is not valid JSON.');
    return true;
  }
  const parsed = req as IncomingMessage & { body?: unknown; _body?: boolean };
  parsed.body = body;
  parsed._body = true; // body-parser: already read
  delete req.headers['content-encoding'];
  req.headers['content-length'] = String(size);
  return false;
}
