// A real embedded city server in its own process (`warddesk city start`), on
// an ephemeral loopback port, so tests can stop it and start it again on the
// same port and data, as a city outage would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
