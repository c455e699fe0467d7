// Compresses JSON answers of at least MIN_BYTES on the fly (brotli at a fast
// level, else gzip) for clients that accept it; large ones off the event loop
// (zlib runs in libuv's thread pool), small ones at once. Only bodies sent whole through res.send/res.json
// are touched: files (PDFs, scans, images: already compressed) are sent with
// sendFile or streams and pass untouched, and so would any streamed feed. The
// device replication feed (/api/replicate/_changes, longpoll included) answers
// with one res.json when it has changes or times out, so it is compressed
// like any answer and nothing is held back. Vary: Accept-Encoding on every
// JSON answer, compressed or not.
import type { RequestHandler, Response } from 'express';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';
import { preferredCoding, type Coding } from './encoding.js';

/** Below this, headers and framing cost about what compression would save. */
export const MIN_BYTES = 1024;
const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
/**
 * Below this, compressing at once costs less than the trip through the thread pool (~40 µs for
 * a document's 1.2 KB answer, against a zlib stream set up, a worker woken and a callback: a
 * tenth of a numbering request's CPU, measured with --cpu-prof under 50 clients).
 */
const INLINE_BYTES = 16 * 1024;
// Level 4 brotli: within a few per cent of the best ratio on JSON at a fraction of level 11's time.
// Small answers, compressed on the JavaScript thread, at the fastest levels: a document's 1.8 KB
// answer took 41 µs at brotli 4 and 15 µs at brotli 1 (gzip 6: 31, gzip 1: 13) for 10 % more bytes
// (524 against 477), a few hundred bytes on the LAN against a few per cent of a numbering's CPU.
// The window no larger than the body: brotli's default (4 MB) kept ~4 MB of native memory per
// answer being compressed, and a device's first pull has several _bulk_get answers of ~1 MB in
// flight; a window covering the whole body finds the same matches.
const brotliOptions = (body: Buffer, quality = 4) => ({
  params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length, [constants.BROTLI_PARAM_LGWIN]: Math.min(constants.BROTLI_DEFAULT_WINDOW, Math.max(16, Math.ceil(Math.log2(body.length + 1)))) },
});
const compress = (coding: Coding, body: Buffer): Promise<Buffer> => {
  if (body.length < INLINE_BYTES) {
    try { return Promise.resolve(coding === 'br' ? brotliCompressSync(body, brotliOptions(body, 1)) : gzipSync(body, { level: 1 })); } catch (err) { return Promise.reject(err); }
  }
  return coding === 'br' ? brotli(body, brotliOptions(body)) : gz(body, { level: 6 });
};

export function compressJson(minBytes = MIN_BYTES): RequestHandler {
  return (req, res, next) => {
    const send = res.send.bind(res);
    res.send = function sendMaybeCompressed(body?: unknown): Response {
      const type = String(res.getHeader('Content-Type') ?? '');
      if (!/^application\/(?:[\w.+-]+\+)?json\b/.test(type) || res.getHeader('Content-Encoding')) return send(body);
      res.vary('Accept-Encoding');
      const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : null;
      const coding = preferredCoding(req);
      if (!bytes || bytes.length < minBytes || !coding || /\bno-transform\b/.test(String(res.getHeader('Cache-Control') ?? ''))) return send(body);
      // A string body would have had its charset added by res.send; a Buffer does not get one.
      if (typeof body === 'string' && !/charset=/i.test(type)) res.setHeader('Content-Type', `${type}; charset=utf-8`);
      compress(coding, bytes).then((out) => {
        res.setHeader('Content-Encoding', coding);
        send(out);
      }, () => { send(bytes); });
      return res;
    };
    next();
  };
}
