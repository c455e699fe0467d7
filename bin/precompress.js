// @ts-check
// Writes FILE.br and FILE.gz beside every text file of a built web folder, at
// the highest levels (done once per build, so the node pays nothing per
// request): node/http/precompressed.ts serves them by Accept-Encoding. Images,
// fonts and PDFs are left alone (already compressed), and so are files under
// 1 KiB (headers would cost more than the saving). Run after vite, so
// Workbox's precache list (built from the vite output) never names them.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.map']);
export const MIN_BYTES = 1024;
const br = promisify(brotliCompress);
const gz = promisify(gzip);

/** @param {string} dir @returns {Promise<{ files: number, raw: number, br: number, gz: number }>} */
export async function precompressDir(dir) {
  const totals = { files: 0, raw: 0, br: 0, gz: 0 };
  /** @param {string} d */
  const walk = async (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) { await walk(p); continue; }
      if (!COMPRESSIBLE.has(extname(e.name)) || statSync(p).size < MIN_BYTES) continue;
      const raw = readFileSync(p);
      const [b, g] = await Promise.all([
        br(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
        gz(raw, { level: 9 }),
      ]);
      writeFileSync(`${p}.br`, b);
      writeFileSync(`${p}.gz`, g);
      totals.files += 1; totals.raw += raw.length; totals.br += b.length; totals.gz += g.length;
    }
  };
  await walk(dir);
  return totals;
}
