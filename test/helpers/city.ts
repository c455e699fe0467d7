// A real embedded city server in its own process (`warddesk city start`), on
// an ephemeral loopback port, so tests can stop it and start it again on the
// same port and data, as a city outage would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkId, isChunkId, isReplicatedId } from '../../sync/city-contract.js';
import { partsOf } from '../../sync/chunk-parts.js';
import { readCityFile } from '../../node/city/hub-verify.js';

const cli = fileURLToPath(new URL('../../node/cli.ts', import.meta.url));
export const CITY_ADMIN = { name: 'cityadmin', password: 'city-admin-password-1' };

export interface TestCity { url: string; port: number; dataDir: string; stop(): Promise<void>; restart(): Promise<void>; destroy(): Promise<void> }

function launch(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'city', 'start', '--port', String(port), '--data', dataDir], {
      env: { ...process.env, WARDDESK_CITY_ADMIN: `${CITY_ADMIN.name}:${CITY_ADMIN.password}` }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`city did not start: ${out} ${err}`)); }, 20_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) { clearTimeout(timer); const { url } = JSON.parse(line) as { url: string }; resolve({ child, url, port: Number(new URL(url).port) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`city exited with ${code}: ${err}`)); });
  });
}

export async function startTestCity(): Promise<TestCity> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warddesk-city-'));
  let running: ChildProcess | null = null;
  const first = await launch(dataDir, 0);
  running = first.child;
  const city: TestCity = {
    url: first.url, port: first.port, dataDir,
    async stop() {
      const child = running;
      running = null;
      if (!child || child.exitCode !== null) return;
      child.removeAllListeners('exit');
      await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
    },
    async restart() {
      await city.stop();
      running = (await launch(dataDir, first.port)).child;
    },
    async destroy() { await city.stop(); rmSync(dataDir, { recursive: true, force: true }); },
  };
  return city;
}

/** Plain HTTP to the city with Basic auth, as a CouchDB client would. */
export async function couch(url: string, auth: { name: string; password: string } | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // any: CouchDB JSON
  const res = await fetch(url + path, {
    method,
    headers: { ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.name}:${auth.password}`).toString('base64')}` } : {}), 'content-type': 'application/json', accept: 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const basic = (a: { name: string; password: string }) => `Basic ${Buffer.from(`${a.name}:${a.password}`).toString('base64')}`;

/** A file as the city holds it: the blob record, then every chunk, each and the whole checked against its sha-256. */
export async function cityFile(url: string, db: string, sha256: string, auth = CITY_ADMIN): Promise<Buffer | null> {
  const file = await readCityFile(async (path) => {
    const r = await fetch(`${url}/${db}/${path}`, { headers: { authorization: basic(auth) } });
    if (r.status === 404) return null;
    if (!r.ok) throw new Error(`GET ${db}/${path}: HTTP ${r.status}`);
    return r;
  }, sha256);
  return file.state === 'ok' ? file.bytes : null;
}

/**
 * What keeps the city from holding exactly the ward's replicated data, once:
 * a record missing, at another revision, with a conflicting copy, or extra;
 * a chunk missing or extra; a file that does not assemble to its sha-256.
 * Chunks are compared by id (their hash), not revision: they travel by attachment PUT.
 */
export async function divergence(local: PouchDB.Database, url: string, db: string): Promise<string[]> {
  const problems: string[] = [];
  const r = await couch(url, CITY_ADMIN, 'GET', `/${db}/_all_docs?include_docs=true&conflicts=true`);
  const remote = new Map<string, { _rev: string; _conflicts?: string[] }>((r.body.rows as { id: string; doc: { _rev: string } }[]).filter((row) => !row.id.startsWith('_design/')).map((row) => [row.id, row.doc]));
  const mine = (await local.allDocs()).rows.filter((row) => isReplicatedId(row.id) || isChunkId(row.id));
  for (const row of mine) {
    const there = remote.get(row.id);
    if (!there) { problems.push(`${row.id} missing at the city`); continue; }
    if (!isChunkId(row.id) && there._rev !== row.value.rev) problems.push(`${row.id}: revision ${there._rev} at the city, ${row.value.rev} at the ward`);
    if (there._conflicts) problems.push(`${row.id} has conflicting copies at the city`);
  }
  const ids = new Set(mine.map((row) => row.id));
  // A chunk sent in parts (sync/chunk-parts.ts): its parts are at the city only, listed by it.
  const parts = new Set([...remote.values()].flatMap((doc) => partsOf(doc) ?? []).map(chunkId));
  for (const id of remote.keys()) if (!ids.has(id) && !parts.has(id)) problems.push(`${id} at the city but not at the ward`);
  for (const row of mine) {
    if (!row.id.startsWith('blob:') || !remote.has(row.id)) continue;
    if (!(await cityFile(url, db, row.id.slice(5)))) problems.push(`${row.id} does not assemble to its sha-256 at the city`);
  }
  return problems;
}
