// Fast start (issue 16 item 4): `npm start` (bin/warddesk.js start) builds
// only when a source changed. Run on a copy of the working tree with its dist/
// (copied without timestamps, as a clone or a checkout leaves them), so a
// source can be edited without touching the repository; node_modules is linked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'warddesk-fast-start-'));
const copy = join(tmp, 'repo');
let runs = 0;

test.before(() => {
  execFileSync(process.execPath, [join(root, 'bin/build.js'), '--quiet', 'server', 'pwa'], { cwd: root, stdio: 'inherit' });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (f === 'node_modules' || !existsSync(join(root, f))) continue;
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(root, f), join(copy, f));
  }
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(copy, 'node_modules'));
});
test.after(() => { rmSync(tmp, { recursive: true, force: true }); });

interface Started { url: string; stderr: string; stop(): Promise<void> }

/** `node bin/warddesk.js start` in the copy, until it logs its URL. */
function start(): Promise<Started> {
  const data = join(tmp, `data-${runs++}`);
  const proc = spawn(process.execPath, ['bin/warddesk.js', 'start'], {
    cwd: copy,
    env: { ...process.env, WARDDESK_DATA_DIR: data, WARDDESK_HOST: '127.0.0.1', WARDDESK_PORT: '0', WARDDESK_COOKIE_SECURE: 'false', WARDDESK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    // A changed server source costs an esbuild run (seconds); a loaded machine may take longer.
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no URL in 120 s:\n${out}\n${stderr}`)); }, 120_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!, get stderr() { return stderr; },
        stop: () => new Promise((done) => { if (proc.exitCode !== null) return done(); proc.once('exit', () => done()); proc.kill('SIGTERM'); }),
      });
    });
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); if (!/"url"/.test(out)) reject(new Error(`exited ${code}:\n${out}\n${stderr}`)); });
  });
}

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
  const file = join(copy, 'node/http/app.ts');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes("res.json({ ok: true })"));
  writeFileSync(file, text.replace("res.json({ ok: true })", "res.json({ ok: true, edited: true })"));
  const node = await start();
  try {
    assert.match(node.stderr, /rebuilding server: node\/http\/app\.ts changed/);
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
