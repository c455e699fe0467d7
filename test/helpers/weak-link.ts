// A fault-injecting TCP proxy on loopback between a ward and the city: what a
// ward's internet link does to replication, on demand and reproducibly.
//
//   bandwidth   one token bucket per direction, shared by every connection (it is one link)
//   latency     added one-way delay on every byte, each direction
//   cuts        cut(ms): every socket reset, new connections reset for ms; or every N s automatically
//   half-open   halfOpen(): connections stop forwarding and never close (a dead NAT entry)
//   resets      resetAfter(bytes): reset everything once that many more bytes went up the link
//   damage      corruptDown(n) / truncateDown(n): the next n large slices city → ward get a byte
//               flipped near their end, or are cut in half and the connection closed cleanly (FIN),
//               as a broken proxy does
//   loss        resetProbability: each request's connection is reset, with that probability, at a
//               random point of its upload (packet loss as a flaky NAT or radio shows it: resets)
//   HTTP faults httpFault(fn): a request whose head fn answers with a status (503, 413…) gets that
//               answer from the proxy, and its connection closes; 'reset' resets the connection
//               instead (ECONNRESET at the ward); either way the city never sees it
//
// Bytes "on the wire" are the bytes that passed the bucket (were forwarded);
// what the proxy still held when a cut came never crossed the link.
// Written by hand: no maintained npm package shapes bandwidth and injects
// these faults in-process (toxiproxy and tc/netem are external daemons/root).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface WeakLinkOptions {
  target: { host: string; port: number };
  /** Bytes per second each way; Infinity for no cap. */
  bytesPerSecond?: number;
  /** Added one-way delay, each direction. */
  latencyMs?: number;
  /** Cut the link automatically after this much up time, again and again. */
  cutEveryMs?: number;
  /** How long each automatic cut lasts. */
  downMs?: number;
  /** Probability that a request's connection is reset part-way through its upload. */
  resetProbability?: number;
}

type Dir = 'up' | 'down';

export interface RequestHead { method: string; path: string; contentLength: number }
/** Returns an HTTP status to answer instead of the city, 'reset' to reset the connection, or null to let the request through. */
export type HttpFault = (head: RequestHead) => number | 'reset' | null;

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/;

interface Conn { client: Socket; server: Socket; queued: Record<Dir, number>; zombie: boolean; dead: boolean; upSent: number; doomAt: number | null }
interface Item { conn: Conn; dir: Dir; buf: Buffer }

const HIGH_WATER = 128 * 1024;
const TICK_MS = 10;

class Lane {
  queue: Item[] = [];
  tokens = 0;
  last = Date.now();
  timer: NodeJS.Timeout | null = null;
  forwarded = 0;
  constructor(readonly dir: Dir, readonly link: WeakLink) {}

  push(item: Item): void { this.queue.push(item); this.pump(); }

  pump(): void {
    if (this.timer) return;
    const now = Date.now();
    const rate = this.link.bytesPerSecond;
    this.tokens = Number.isFinite(rate) ? Math.min(Math.max(1500, rate / 20), this.tokens + ((now - this.last) * rate) / 1000) : Infinity;
    this.last = now;
    while (this.queue.length > 0 && this.tokens >= 1) {
      const item = this.queue[0]!;
      if (item.conn.dead || item.conn.zombie) { this.queue.shift(); continue; }
      const n = Math.min(item.buf.length, Math.floor(this.tokens));
      const slice = item.buf.subarray(0, n);
      item.buf = item.buf.subarray(n);
      if (item.buf.length === 0) this.queue.shift();
      this.tokens -= n;
      this.forwarded += n;
      this.link.sent(this.dir, n);
      if (this.dir === 'up') item.conn.upSent += n;
      item.conn.queued[this.dir] -= n;
      const src = this.dir === 'up' ? item.conn.client : item.conn.server;
      if (item.conn.queued[this.dir] < HIGH_WATER / 2 && src.isPaused()) src.resume();
      this.link.deliver(item.conn, this.dir, slice);
    }
    if (this.queue.length > 0) this.timer = setTimeout(() => { this.timer = null; this.pump(); }, TICK_MS);
  }

  clear(): void { this.queue = []; if (this.timer) clearTimeout(this.timer); this.timer = null; }
}

export class WeakLink {
  bytesPerSecond: number;
  latencyMs: number;
  readonly bytes: Record<Dir, number> = { up: 0, down: 0 };
  connections = 0;
  cuts = 0;
  /** Connections reset by resetProbability. */
  resets = 0;
  private corruptLeft = 0;
  /** Slices damaged by corruptDown() / truncateDown(). */
  damaged = 0;
  private truncateLeft = 0;
  private readonly conns = new Set<Conn>();
  private readonly lanes: Record<Dir, Lane>;
  private downUntil = 0;
  private downTotalMs = 0;
  private downSince: number | null = null;
  private halfOpenOn = false;
  private resetAt: number | null = null;
  private fault: HttpFault | null = null;
  /** Requests the HTTP fault layer answered itself. */
  faulted = 0;
  private autoTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  port = 0;

  private constructor(private readonly o: WeakLinkOptions, private readonly server: Server) {
    this.bytesPerSecond = o.bytesPerSecond ?? Infinity;
    this.latencyMs = o.latencyMs ?? 0;
    this.lanes = { up: new Lane('up', this), down: new Lane('down', this) };
  }

  static async start(o: WeakLinkOptions): Promise<WeakLink> {
    const server = createServer();
    const link = new WeakLink(o, server);
    server.on('connection', (socket) => link.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    link.port = (server.address() as AddressInfo).port;
    if (o.cutEveryMs) link.scheduleAutoCut();
    return link;
  }

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get isDown(): boolean { return Date.now() < this.downUntil; }
  get totalBytes(): number { return this.bytes.up + this.bytes.down; }

  /** Milliseconds the link was up since it started (or since `since`, given the down time then). */
  upMs(): number {
    const now = Date.now();
    const down = this.downTotalMs + (this.downSince !== null ? Math.min(now, this.downUntil) - this.downSince : 0);
    return now - this.startedAt - down;
  }

  /** Resets every connection and refuses (resets) new ones for `downMs`. */
  cut(downMs = 0): void {
    this.cuts += 1;
    for (const conn of this.conns) this.kill(conn);
    if (downMs > 0) {
      this.settleDown();
      this.downSince = Date.now();
      this.downUntil = this.downSince + downMs;
    }
  }

  /** Ends an outage started by cut() early. */
  restore(): void {
    if (!this.isDown) return;
    this.downUntil = Date.now();
    this.settleDown();
  }

  /** Every current and new connection stops forwarding and is never closed, until heal(). */
  halfOpen(): void {
    this.halfOpenOn = true;
    for (const conn of this.conns) conn.zombie = true;
  }

  /** Ends half-open mode for new connections (the zombies stay stuck, as real ones do). */
  heal(): void { this.halfOpenOn = false; }

  /**
   * Answers requests in the proxy's place while `fn` is set. The request head
   * is read from the first bytes of a packet that starts with a request line,
   * which is how HTTP/1.1 clients write it (a test harness, not a parser).
   */
  httpFault(fn: HttpFault | null): void { this.fault = fn; }

  /** Resets every connection once `bytes` more bytes went ward → city. */
  resetAfter(bytes: number): void { this.resetAt = this.bytes.up + bytes; }

  async close(): Promise<void> {
    if (this.autoTimer) clearTimeout(this.autoTimer);
    this.autoTimer = null;
    for (const conn of this.conns) this.kill(conn);
    this.lanes.up.clear();
    this.lanes.down.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal called by a lane for each forwarded slice. */
  sent(dir: Dir, n: number): void {
    this.bytes[dir] += n;
    if (dir === 'up' && this.resetAt !== null && this.bytes.up >= this.resetAt) {
      this.resetAt = null;
      queueMicrotask(() => this.cut(0));
    }
  }

  /** Flips a byte near the end of each of the next `n` slices of 1200+ bytes going city → ward. */
  corruptDown(n: number): void { this.corruptLeft = n; }

  /** Cuts each of the next `n` slices of 1200+ bytes going city → ward in half, then closes that connection cleanly. */
  truncateDown(n: number): void { this.truncateLeft = n; }

  /** @internal writes a slice to the far side after the added latency. */
  deliver(conn: Conn, dir: Dir, slice: Buffer): void {
    if (conn.doomAt !== null && conn.upSent >= conn.doomAt) { this.resets += 1; this.kill(conn); return; }
    const dest = dir === 'up' ? conn.server : conn.client;
    if (dir === 'down' && slice.length >= 1200 && this.corruptLeft > 0) {
      this.corruptLeft -= 1;
      this.damaged += 1;
      slice = Buffer.from(slice);
      slice[slice.length - 100] = slice[slice.length - 100]! ^ 0x5a;
    }
    if (dir === 'down' && slice.length >= 1200 && this.truncateLeft > 0) {
      this.truncateLeft -= 1;
      this.damaged += 1;
      const half = slice.subarray(0, slice.length >> 1);
      conn.zombie = true; // nothing more passes on this connection
      const end = () => { if (!conn.dead && dest.writable) dest.end(half); conn.server.destroy(); };
      if (this.latencyMs > 0) setTimeout(end, this.latencyMs); else end();
      return;
    }
    const write = () => { if (!conn.dead && !conn.zombie && dest.writable) dest.write(slice); };
    if (this.latencyMs > 0) setTimeout(write, this.latencyMs); else write();
  }

  private settleDown(): void {
    if (this.downSince === null) return;
    this.downTotalMs += Math.min(Date.now(), this.downUntil) - this.downSince;
    this.downSince = null;
  }

  private scheduleAutoCut(): void {
    const every = this.o.cutEveryMs!;
    const down = this.o.downMs ?? 0;
    this.autoTimer = setTimeout(() => {
      this.cut(down);
      this.autoTimer = setTimeout(() => this.scheduleAutoCut(), down);
    }, every);
  }

  private accept(client: Socket): void {
    this.connections += 1;
    if (this.isDown) { client.on('error', () => undefined); client.resetAndDestroy(); return; }
    this.settleDown();
    const server = connect(this.o.target.port, this.o.target.host);
    const conn: Conn = { client, server, queued: { up: 0, down: 0 }, zombie: this.halfOpenOn, dead: false, upSent: 0, doomAt: null };
    this.conns.add(conn);
    const relay = (dir: Dir, src: Socket) => (data: Buffer) => {
      if (conn.zombie) return; // swallowed: a half-open link acknowledges nothing and says nothing
      if (dir === 'up' && this.fault && this.answered(conn, data)) return;
      if (dir === 'up' && this.o.resetProbability) this.maybeDoom(conn, data);
      conn.queued[dir] += data.length;
      if (conn.queued[dir] > HIGH_WATER) src.pause();
      this.lanes[dir].push({ conn, dir, buf: data });
    };
    client.on('data', relay('up', client));
    server.on('data', relay('down', server));
    // An error resets both sides; a clean close lets the bytes still on the link arrive first (see after()).
    for (const s of [client, server]) {
      s.on('error', () => this.kill(conn));
      s.on('close', () => { if (client.destroyed && server.destroyed) { conn.dead = true; this.conns.delete(conn); } });
    }
    client.on('close', () => this.after(conn, 'up', () => server.end()));
    server.on('close', () => this.after(conn, 'down', () => client.end()));
    // A clean close (FIN) travels after the bytes queued before it.
    client.on('end', () => this.after(conn, 'up', () => server.end()));
    server.on('end', () => this.after(conn, 'down', () => client.end()));
  }

  /** At a request's first bytes: maybe reset its connection somewhere inside its upload. */
  private maybeDoom(conn: Conn, data: Buffer): void {
    const text = data.subarray(0, 4096).toString('latin1');
    if (!REQUEST_LINE.test(text) || Math.random() >= this.o.resetProbability!) return;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
    const head = text.indexOf('\r\n\r\n');
    const size = (head >= 0 ? head + 4 : text.length) + (length ? Number(length[1]) : 0);
    conn.doomAt = conn.upSent + conn.queued.up + Math.floor(Math.random() * size);
  }

  private answered(conn: Conn, data: Buffer): boolean {
    const text = data.subarray(0, 4096).toString('latin1');
    const line = REQUEST_LINE.exec(text);
    if (!line) return false;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
    const status = this.fault!({ method: line[1]!, path: line[2]!, contentLength: length ? Number(length[1]) : 0 });
    if (status === null) return false;
    this.faulted += 1;
    if (status === 'reset') { this.kill(conn); return true; }
    const body = JSON.stringify({ error: status === 413 ? 'too_large' : 'unavailable', reason: `weak-link fault ${status}` });
    conn.client.end(`HTTP/1.1 ${status} Fault\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    conn.zombie = true; // nothing more from this connection reaches the city
    conn.server.destroy();
    return true;
  }

  private after(conn: Conn, dir: Dir, fn: () => void): void {
    const wait = () => {
      if (conn.dead || conn.zombie) return;
      if (conn.queued[dir] > 0) { setTimeout(wait, TICK_MS); return; }
      setTimeout(() => { if (!conn.dead && !conn.zombie) fn(); }, this.latencyMs);
    };
    wait();
  }

  private kill(conn: Conn): void {
    if (conn.dead) return;
    conn.dead = true;
    this.conns.delete(conn);
    for (const s of [conn.client, conn.server]) { s.on('error', () => undefined); if (!s.destroyed) s.resetAndDestroy(); }
  }
}
