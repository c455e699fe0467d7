// The weak-link proxy itself: bandwidth, latency, byte counts, cuts, half-open
// sockets and resets behave as the sync tests assume.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WeakLink } from '../helpers/weak-link.js';

let echo: Server;
let port: number;
const sockets = new Set<Socket>();
const links: WeakLink[] = [];

test.before(async () => {
  // Echoes everything back.
  echo = createServer((s) => { sockets.add(s); s.on('error', () => undefined); s.pipe(s); });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  port = (echo.address() as AddressInfo).port;
});
test.after(async () => {
  for (const l of links) await l.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => echo.close(() => r()));
});

async function link(o: { bytesPerSecond?: number; latencyMs?: number } = {}): Promise<WeakLink> {
  const l = await WeakLink.start({ target: { host: '127.0.0.1', port }, ...o });
  links.push(l);
  return l;
}

function open(l: WeakLink): Promise<Socket> {
  return new Promise((resolve, reject) => { const s = connect(l.port, '127.0.0.1', () => resolve(s)); s.once('error', reject); });
}

/** Sends `bytes` and resolves with the echo once it all came back, or with the error that ended the socket. */
function roundTrip(s: Socket, bytes: Buffer): Promise<{ ms: number; back: Buffer } | { error: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let got = 0;
    s.on('data', (d: Buffer) => { parts.push(d); got += d.length; if (got >= bytes.length) resolve({ ms: Date.now() - started, back: Buffer.concat(parts) }); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    s.on('close', () => resolve({ error: 'closed' }));
    s.write(bytes);
  });
}

test('caps the bandwidth each way, adds latency, and counts the bytes on the wire', async () => {
  const l = await link({ bytesPerSecond: 100_000, latencyMs: 100 });
  const payload = Buffer.alloc(50_000, 7);
  const r = await roundTrip(await open(l), payload);
  assert.ok('back' in r, JSON.stringify(r));
  if (!('back' in r)) return;
  assert.ok(r.back.equals(payload), 'bytes arrive intact and in order');
  // 50 kB at 100 kB/s is 0.5 s up (and overlaps down), plus 2 × 100 ms latency.
  assert.ok(r.ms >= 650 && r.ms < 2000, `round trip took ${r.ms} ms`);
  assert.is(l.bytes.up, 50_000);
  assert.is(l.bytes.down, 50_000);
});

test('a cut resets every connection and refuses new ones for a while; up time excludes the outage', async () => {
  const l = await link();
  const s = await open(l);
  const pending = roundTrip(s, Buffer.alloc(10));
  await new Promise((r) => setTimeout(r, 50));
  const before = l.upMs();
  l.cut(400);
  const first = await pending;
  assert.ok('error' in first || ('back' in first && first.back.length === 10), JSON.stringify(first));
  const refused = await roundTrip(await open(l).catch(() => new Socket()), Buffer.alloc(10)).catch((e: Error) => ({ error: e.message }));
  assert.ok('error' in refused, 'a connection during the outage fails');
  await new Promise((r) => setTimeout(r, 450));
  const ok = await roundTrip(await open(l), Buffer.alloc(10));
  assert.ok('back' in ok, `works again after the outage: ${JSON.stringify(ok)}`);
  assert.ok(l.upMs() - before < 300, `up time grew by ${l.upMs() - before} ms across a 400 ms outage`);
});

test('half-open sockets swallow everything and never close; new connections after heal() work', async () => {
  const l = await link();
  const s = await open(l);
  l.halfOpen();
  const stuck = await Promise.race([roundTrip(s, Buffer.alloc(100)), new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 300))]);
  assert.is(stuck, 'stuck');
  assert.is(s.destroyed, false, 'the socket was not closed');
  l.heal();
  const ok = await roundTrip(await open(l), Buffer.alloc(100));
  assert.ok('back' in ok);
  s.destroy();
});

test('resetAfter() resets the connection in the middle of a transfer', async () => {
  const l = await link({ bytesPerSecond: 200_000 });
  const s = await open(l);
  l.resetAfter(30_000);
  const r = await roundTrip(s, Buffer.alloc(100_000));
  assert.ok('error' in r, 'the transfer was cut');
  assert.ok(l.bytes.up >= 30_000 && l.bytes.up < 60_000, `cut after ${l.bytes.up} bytes`);
});

test.run();
