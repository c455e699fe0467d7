// Serves the officials' app (dist/pwa, built by `npm run build`) at /.
// Hashed files under /assets/ never change: cached for a year. Everything
// else (index.html, sw.js, the manifest, icons) is revalidated on every
// load, so a new version reaches the service worker at once. Unknown paths
// that ask for HTML get index.html (the app routes by hash, but a bookmark or
// a deep link must still open the app); /api and /setup are never touched.
// Text files go out as their .br/.gz variants made at build time
// (precompressed.ts) to clients that accept them.
import express, { Router, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompressedStatic, sendPrecompressed } from './precompressed.js';

/** WARDDESK_PWA_DIR, else dist/pwa beside the compiled node (dist/node/http → dist/pwa) or from the sources (node/http → dist/pwa). */
export function findPwaDir(): string | null {
  const chosen = process.env['WARDDESK_PWA_DIR'];
  if (chosen) return existsSync(join(chosen, 'sw.js')) ? chosen : null;
  const candidates = ['../../pwa', '../../dist/pwa'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  // sw.js marks a build (the sources in pwa/ have an index.html too).
  return candidates.find((d) => existsSync(join(d, 'sw.js'))) ?? null;
}

function setHeaders(res: Response, path: string): void {
  if (/[\\/]assets[\\/]/.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  else res.setHeader('Cache-Control', 'no-cache');
  if (path.endsWith('.webmanifest')) res.setHeader('Content-Type', 'application/manifest+json');
}

export function pwaRouter(dir: string): Router {
  const router = Router();
  router.use(precompressedStatic(dir, setHeaders));
  router.use(express.static(dir, { index: ['index.html'], setHeaders }));
  router.get(/^\/(?!api\/|api$|setup).*/, (req, res, next) => {
    if (!req.accepts('html')) { next(); return; }
    const index = join(dir, 'index.html');
    sendPrecompressed(req, res, () => { setHeaders(res, index); res.sendFile(index); }, index, setHeaders);
  });
  return router;
}
