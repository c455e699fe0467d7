// Builds the officials' app into dist/pwa: Lit components bundled by Vite,
// a Workbox service worker (vite-plugin-pwa, generateSW) precaching the app
// shell, the web manifest and icons drawn in code (icons.ts).
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ICON_SIZES, iconPng } from './icons.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/pwa', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

/** Lists the source files the build read in dist/<listName> (outside the served folder), so bin/build.js rebuilds only when one changed. Also used by hub/vite.config.ts. */
export function buildInputs(out: string, listName: string): Plugin {
  return {
    name: 'warddesk-build-inputs',
    generateBundle() {
      // Relative to the repository, so the list still holds in a copy or a moved checkout (bin/build.js reads it).
      const files = [...this.getModuleIds()].map((id) => id.split('?')[0]!).filter((id) => existsSync(id) && !id.includes('/node_modules/')).map((id) => relative(repo, id));
      mkdirSync(join(out, '..'), { recursive: true });
      writeFileSync(join(out, '..', listName), JSON.stringify(files.sort()));
    },
  };
}

/** Emits icons/icon-<size>.png into the build and serves them in dev. */
function icons(): Plugin {
  return {
    name: 'warddesk-icons',
    generateBundle() {
      for (const size of ICON_SIZES) this.emitFile({ type: 'asset', fileName: `icons/icon-${size}.png`, source: iconPng(size) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/icons\/icon-(\d+)\.png$/.exec(req.url ?? '');
        if (!m) { next(); return; }
        res.setHeader('Content-Type', 'image/png');
        res.end(iconPng(Number(m[1])));
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/api': process.env['WARDDESK_API'] ?? 'http://127.0.0.1:8080' } },
  plugins: [
    icons(),
    buildInputs(outDir, 'pwa-build-inputs.json'),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt', // a new version waits: announced, applied on click or at the next start
      injectRegister: false, // registered by src/update.ts (no inline script: the CSP forbids it)
      manifest: {
        name: 'WardDesk — Văn bản điện tử phường',
        short_name: 'WardDesk',
        description: 'Soạn, duyệt, ký số, cấp số và phát hành văn bản của UBND phường',
        lang: 'vi',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f6f6f4',
        theme_color: '#b71c1c',
        icons: ICON_SIZES.map((s) => ({ src: `/icons/icon-${s}.png`, sizes: `${s}x${s}`, type: 'image/png', purpose: 'any maskable' })),
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/setup/],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
});
