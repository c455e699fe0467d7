// @ts-check
// Builds dist/ only when its sources changed, so `npm start` and `warddesk …`
// need no build step to remember and a restart costs no build (issue 16 item 4:
// every start used to rebuild, 110–155 s).
//
// Three parts, each with a stamp in dist/.build-stamp.json listing every input
// it was built from with its size, mtime and SHA-256:
//   server  node/ sync/ certs/ → dist/{node,sync,certs} (esbuild, file by file;
//           types are checked by `npm run typecheck`, not here)
//   pwa     the officials' app → dist/pwa (vite; inputs = the modules vite read)
//   hub     the city dashboard → dist/hub (vite)
// A file whose size and mtime match its stamp is not read; one whose mtime
// moved is hashed, so a checkout or a copy that only touched it rebuilds
// nothing. A new source file under node/ sync/ certs/ rebuilds the server; a
// new PWA module can only matter once an existing module imports it, which
// changes that module.
//
// Plain JavaScript (checked by tsc through JSDoc) because it runs before
// anything is compiled; esbuild, vite and zlib are loaded only when a part is
// stale, so a current check costs a few stat calls (`warddesk verify` runs it).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const STAMP = join(dist, '.build-stamp.json');

/** @typedef {'server' | 'pwa' | 'hub'} Part */
/** @typedef {{ size: number, mtimeMs: number, sha256: string }} Input */
/** @typedef {Record<string, Record<string, Input>>} Stamp */

/**
 * @typedef {object} PartSpec
 * @property {string} output a file that exists only after a complete build
 * @property {() => string[]} inputs repo-relative input files (after a build, or from the last one)
 * @property {() => Promise<void>} build
 */

const SERVER_DIRS = ['node', 'sync', 'certs'];
const sources = () => SERVER_DIRS.flatMap((d) => walk(join(root, d)))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => relative(root, f));

/** Vite's recorded module list (pwa/vite.config.ts buildInputs) plus what shapes the build without being a module. */
const viteInputs = (/** @type {string} */ list, /** @type {string[]} */ extras) => () => {
  const file = join(dist, list);
  const read = existsSync(file) ? /** @type {string[]} */ (JSON.parse(readFileSync(file, 'utf8'))) : [];
  // Relative, as pwa/vite.config.ts writes them (an absolute path, from a list written before, is made relative).
  return [...new Set([...read.map((f) => (isAbsolute(f) ? relative(root, f) : f)), ...extras, 'package-lock.json', 'bin/precompress.js'])].sort();
};

/** @type {Record<Part, PartSpec>} */
const PARTS = {
  server: {
    output: 'dist/node/cli.js',
    inputs: () => [...sources(), 'tsconfig.json', 'bin/build.js'].sort(),
    async build() {
      const esbuild = await import('esbuild');
      for (const d of SERVER_DIRS) rmSync(join(dist, d), { recursive: true, force: true });
      // Transpile only, one output per source (no bundling): the dist tree mirrors the sources, so
      // import.meta.url paths (fonts, the PWA folder, the rules bundle) resolve as they do under tsx.
      await esbuild.build({
        entryPoints: sources().map((f) => join(root, f)), outdir: dist, outbase: root,
        format: 'esm', platform: 'node', target: 'node20', sourcemap: true, bundle: false, logLevel: 'warning',
      });
    },
  },
  pwa: {
    output: 'dist/pwa/sw.js',
    inputs: viteInputs('pwa-build-inputs.json', ['pwa/index.html', 'pwa/vite.config.ts', 'pwa/icons.ts', 'pwa/src/base.css']),
    async build() { await vite('pwa/vite.config.ts'); await (await import('./precompress.js')).precompressDir(join(dist, 'pwa')); },
  },
  hub: {
    output: 'dist/hub/index.html',
    inputs: viteInputs('hub-build-inputs.json', ['pwa/hub/index.html', 'pwa/hub/vite.config.ts', 'pwa/hub/src/hub.css', 'pwa/vite.config.ts', 'pwa/src/base.css']),
    async build() { await vite('pwa/hub/vite.config.ts'); await (await import('./precompress.js')).precompressDir(join(dist, 'hub')); },
  },
};

/** @param {string} config */
async function vite(config) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', config, '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`vite build --config ${config} failed (exit ${r.status ?? r.signal})`);
}

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  /** @type {string[]} */
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** @returns {Stamp} */
function readStamp() {
  try { return JSON.parse(readFileSync(STAMP, 'utf8')); } catch { return {}; }
}

/** @param {string} rel @param {Input | undefined} known @returns {Input | null} */
function fingerprint(rel, known) {
  let st;
  try { st = statSync(join(root, rel)); } catch { return null; }
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
  return { size: st.size, mtimeMs: st.mtimeMs, sha256: createHash('sha256').update(readFileSync(join(root, rel))).digest('hex') };
}

/**
 * Why `part` must be rebuilt, or null when dist is current. Also returns the inputs refreshed with
 * new mtimes (content unchanged), so the next check reads no file again.
 * @param {Part} part @param {Stamp} stamp
 * @returns {{ reason: string | null, fresh: Record<string, Input> }}
 */
function check(part, stamp) {
  const spec = PARTS[part];
  const known = stamp[part];
  /** @type {Record<string, Input>} */
  const fresh = {};
  if (!known) return { reason: 'never built', fresh };
  if (!existsSync(join(root, spec.output))) return { reason: `${spec.output} is missing`, fresh };
  const now = spec.inputs();
  const added = now.filter((f) => !(f in known));
  if (part === 'server' && added.length) return { reason: `new file ${added[0]}`, fresh };
  const current = new Set(now);
  for (const [rel, was] of Object.entries(known)) {
    // A vite part's inputs are what its last build read (plus fixed extras), so a stamped file that is no
    // longer listed is one the build rules stopped counting: not a change. The server's list is the tree.
    if (part !== 'server' && !current.has(rel)) continue;
    const is = fingerprint(rel, was);
    if (!is) return { reason: `${rel} was removed`, fresh };
    if (is.sha256 !== was.sha256) return { reason: `${rel} changed`, fresh };
    fresh[rel] = is;
  }
  return { reason: null, fresh };
}

/**
 * Why `part` would be rebuilt now, or null when it is current; reads the stamp and nothing is built.
 * @param {Part} part
 */
export function staleReason(part) { return check(part, readStamp()).reason; }

// One build at a time across processes (a start, `npx warddesk`, test files two at a time), and one writer
// of the stamp: every part's build and its stamp update run under this lock.
const LOCK = join(dist, '.build.lock');

/** @param {() => Promise<void>} fn */
async function withLock(fn) {
  const lock = LOCK;
  mkdirSync(dist, { recursive: true });
  for (let i = 0; ; i++) {
    try { mkdirSync(lock); break; } catch {
      // A lock older than 10 minutes belongs to a build that was killed.
      try { if (Date.now() - statSync(lock).mtimeMs > 600_000) { rmdirSync(lock); continue; } } catch { continue; }
      if (i > 3000) throw new Error(`waited 5 min for ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try { await fn(); } finally { rmdirSync(lock); }
}

/** @param {Stamp} stamp */
function writeStamp(stamp) {
  mkdirSync(dist, { recursive: true });
  const tmp = `${STAMP}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(stamp, null, 1));
  renameSync(tmp, STAMP);
}

/**
 * Builds each stale part. `say` gets one line per part (what was done and why); `quiet` parts that
 * are current say nothing.
 * @param {Part[]} parts
 * @param {{ force?: boolean, say?: (line: string) => void, quiet?: boolean }} [o]
 * @returns {Promise<Record<Part, 'current' | 'built'>>}
 */
export async function ensureBuilt(parts, o = {}) {
  const say = o.say ?? ((line) => process.stderr.write(`warddesk build: ${line}\n`));
  /** @type {Record<string, 'current' | 'built'>} */
  const done = {};
  for (const part of parts) {
    const spec = PARTS[part];
    let { reason, fresh } = check(part, readStamp());
    if (o.force) reason = 'asked to';
    if (!reason) {
      // Remember new mtimes of unchanged files (a checkout, a copy) so they are not hashed again.
      const stamp = readStamp();
      // Not while a build holds the lock: it is about to write the stamp itself.
      if (JSON.stringify(stamp[part]) !== JSON.stringify(fresh) && !existsSync(LOCK)) { stamp[part] = fresh; writeStamp(stamp); }
      if (!o.quiet) say(`${part} up to date (${Object.keys(fresh).length} inputs unchanged), not rebuilt`);
      done[part] = 'current';
      continue;
    }
    await withLock(async () => {
      // Another process may have built it while this one waited for the lock.
      const again = o.force ? reason : check(part, readStamp()).reason;
      if (!again) { done[part] = 'current'; return; }
      say(`rebuilding ${part}: ${again}`);
      const t0 = Date.now();
      await spec.build();
      const stamp = readStamp();
      /** @type {Record<string, Input>} */
      const inputs = {};
      for (const rel of spec.inputs()) { const f = fingerprint(rel, undefined); if (f) inputs[rel] = f; }
      stamp[part] = inputs;
      writeStamp(stamp);
      say(`${part} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      done[part] = 'built';
    });
  }
  return /** @type {Record<Part, 'current' | 'built'>} */ (done);
}

// `node bin/build.js [--force] [--quiet] [server|pwa|hub …]` (all three by default): `npm run build`
// (--force), the test helpers (--quiet: say only what was rebuilt).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const named = /** @type {Part[]} */ (args.filter((a) => a in PARTS));
  const unknown = args.filter((a) => !(a in PARTS) && a !== '--force' && a !== '--quiet');
  if (unknown.length) { console.error(`usage: node bin/build.js [--force] [--quiet] [server|pwa|hub …] (unknown: ${unknown.join(' ')})`); process.exit(2); }
  ensureBuilt(named.length ? named : ['server', 'pwa', 'hub'], { force: args.includes('--force'), quiet: args.includes('--quiet') })
    .catch((err) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });
}
