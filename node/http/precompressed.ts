// Serves FILE.br or FILE.gz, written beside the built app by bin/precompress.js,
// in place of FILE when the client accepts that coding: the same Content-Type
// and caching headers as FILE, Content-Encoding, and Vary: Accept-Encoding on
// every answer for a compressible file (a shared cache must not hand a
// brotli body to a client that did not ask for it). Anything else (images,
// small files with no variant, a client that accepts neither) falls through to
// express.static. The service worker's precache fetches through the browser,
// which decodes, so Workbox sees the same bytes as before.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { preferredCoding } from './encoding.js';

/** The extensions bin/precompress.js compresses (kept in step with its COMPRESSIBLE). */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.map']);
const SUFFIX = { br: '.br', gzip: '.gz' } as const;

export type SetHeaders = (res: Response, path: string) => void;

/** Answers GET/HEAD for a file of `dir` from its precompressed variant when there is one. */
export function precompressedStatic(dir: string, setHeaders: SetHeaders): RequestHandler {
  const root = resolve(dir);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { next(); return; }
    let rel: string;
    try { rel = decodeURIComponent(req.path); } catch { next(); return; }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = resolve(root, `.${rel}`);
    // Never outside the folder, never a dotfile (express.static denies those too).
    if (!file.startsWith(root + sep) || /[\\/]\./.test(file.slice(root.length))) { next(); return; }
    sendPrecompressed(req, res, next, file, setHeaders);
  };
}

/** Sends `file` (an absolute path) as its best precompressed variant, else calls next() to let the caller send it as is. */
export function sendPrecompressed(req: Request, res: Response, next: NextFunction, file: string, setHeaders: SetHeaders): void {
  if (!COMPRESSIBLE.has(extname(file))) { next(); return; }
  res.vary('Accept-Encoding');
  const coding = preferredCoding(req);
  const variant = coding ? file + SUFFIX[coding] : null;
  if (!coding || !variant || !isFreshVariant(variant, file)) { next(); return; }
  res.type(extname(file));
  setHeaders(res, file);
  res.setHeader('Content-Encoding', coding);
  res.sendFile(variant, (err) => {
    if (!err || res.headersSent) return;
    // Gone between the check and the read (a rebuild): the plain file may still be there.
    res.removeHeader('Content-Encoding');
    res.removeHeader('Content-Type');
    next();
  });
}

/**
 * The variant exists and was written no earlier than its file. A file replaced after the build (an
 * edited service worker, a copy updated in place) must not be answered with the older bytes: the
 * browser would never see the new service worker. (A copy that does not keep timestamps may leave
 * some variants older than their files: those are then sent plain, never wrong.)
 */
function isFreshVariant(variant: string, file: string): boolean {
  try {
    const v = statSync(variant);
    const f = statSync(file);
    return v.isFile() && f.isFile() && v.mtimeMs >= f.mtimeMs;
  } catch { return false; }
}
