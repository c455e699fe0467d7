// Fast start (issue 16 item 4): `npm start` (bin/warddesk.js start) builds
// only when a source changed. Run on a copy of the working tree with its dist/
// (copied without timestamps, as a clone or a checkout leaves them), so a
// source can be edited without touching the repository; node_modules is linked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTree, startIn } from '../helpers/tree-copy.js';

const tmp = mkdtempSync(join(tmpdir(), 'warddesk-fast-start-'));
const copy = join(tmp, 'repo');
let runs = 0;

test.before(() => { copyTree(copy); });
test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

/** A start of the copy with a fresh data dir. A changed server source costs an esbuild run (seconds); a loaded machine may take longer. */
const start = () => startIn(copy, join(tmp, `data-${runs++}`), 120_000);

const mtime = (rel: string) => statSync(join(copy, rel)).mtimeMs;

test('a start with nothing changed serves the app without rebuilding anything', async () => {
  const before = { cli: mtime('dist/node/cli.js'), sw: mtime('dist/pwa/sw.js') };
  const node = await start();
  try {
    assert.match(node.stderr, /server up to date/);
    assert.match(node.stderr, /pwa up to date/);
    assert.not.match(node.stderr, /rebuilding/);
    assert.equal(await (await fetch(`${node.url}/api/health`)).json(), { ok: true });
    assert.match(await (await fetch(node.url, { headers: { accept: 'text/html' } })).text(), /<script type="module"/);
    assert.equal({ cli: mtime('dist/node/cli.js'), sw: mtime('dist/pwa/sw.js') }, before);
  } finally { await node.stop(); }
});

test('a changed server source is rebuilt at the next start, and the node runs the change', async () => {
  const file = join(copy, 'node/http/health-routes.ts');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes("res.json({ ok: true }); return;"));
  writeFileSync(file, text.replace("res.json({ ok: true }); return;", "res.json({ ok: true, edited: true }); return;"));
  const node = await start();
  try {
    assert.match(node.stderr, /rebuilding server: node\/http\/health-routes\.ts changed/);
    assert.match(node.stderr, /pwa up to date/);
    assert.equal(await (await fetch(`${node.url}/api/health`)).json(), { ok: true, edited: true });
  } finally { await node.stop(); }
  // And the start after that one builds nothing again.
  const again = await start();
  try { assert.not.match(again.stderr, /rebuilding/); } finally { await again.stop(); }
});

test('a source touched without a change (a checkout, a copy) rebuilds nothing', async () => {
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(copy, 'node/cli.ts'), later, later);
  utimesSync(join(copy, 'pwa/src/main.ts'), later, later);
  const node = await start();
  try { assert.not.match(node.stderr, /rebuilding/); } finally { await node.stop(); }
});

test('a changed app source, a new server file or a missing build output is seen as stale', async () => {
  // The check alone (a vite build of the app would take a minute here): bin/build.js's own verdict, in the copy.
  const { staleReason } = await import(join(copy, 'bin/build.js')) as { staleReason(part: string): string | null };
  assert.is(staleReason('pwa'), null);
  assert.is(staleReason('server'), null);
  writeFileSync(join(copy, 'pwa/src/main.ts'), `${readFileSync(join(copy, 'pwa/src/main.ts'), 'utf8')}\n// edited\n`);
  assert.is(staleReason('pwa'), 'pwa/src/main.ts changed');
  writeFileSync(join(copy, 'node/extra.ts'), 'export const extra = 1;\n');
  assert.is(staleReason('server'), 'new file node/extra.ts');
  rmSync(join(copy, 'node/extra.ts'));
  rmSync(join(copy, 'dist/node/cli.js'));
  assert.is(staleReason('server'), 'dist/node/cli.js is missing');
});

test.run();
