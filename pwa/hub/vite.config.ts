// Builds the city dashboard into dist/hub: its own small Lit app, no service
// worker (it is an online page of the city hub, not the officials' offline
// app), sharing the PWA's language switch, formats and styles.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { buildInputs } from '../vite.config.js';

const outDir = fileURLToPath(new URL('../../dist/hub', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '/api': process.env['WARDDESK_HUB_API'] ?? 'http://127.0.0.1:8090' } },
  plugins: [buildInputs(outDir, 'hub-build-inputs.json')],
});
