// Debian's Firefox ESR for playwright-core's WebDriver BiDi launcher (channel
// "moz-firefox"). Playwright starts this file (through ./firefox-esr-bidi) as
// if it were Firefox: it starts /usr/bin/firefox-esr with the same arguments
// and puts a WebSocket relay between Playwright and Firefox's BiDi endpoint.
//
// Why a relay: every new browser context makes playwright-core 1.65 send
// emulation.setMediaFeaturesOverride (to clear prefers-color-scheme), a
// command Firefox ESR 153 does not implement yet ("unknown command"), so
// browser.newContext() fails outright. The relay answers that one command
// itself, and only when it asks for no override at all (the browser's own
// state, so nothing is pretended); any other use of it, and every other
// command and event, passes through unchanged.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The two classes of the `ws` package that playwright-core bundles (and exports as lib/utilsBundle). */
interface Socket {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
}
interface Bundle {
  ws: new (url: string) => Socket;
  wsServer: new (options: { host: string; port: number }, ready: () => void) => {
    address(): AddressInfo;
    on(event: 'connection', listener: (client: Socket, req: { url?: string }) => void): void;
  };
}
const { ws: WebSocket, wsServer: WebSocketServer } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle') as Bundle;

const FIREFOX = process.env['WARDDESK_FIREFOX'] ?? '/usr/bin/firefox-esr';
const LISTENING = /WebDriver BiDi listening on (ws:\/\/\S*)/;
const OPEN = 1;

interface Command { id: number; method: string; params?: { features?: Record<string, unknown> } }

/** A media-features override that overrides nothing (every feature null or absent). */
function clearsOnly(cmd: Command): boolean {
  return cmd.method === 'emulation.setMediaFeaturesOverride' && Object.values(cmd.params?.features ?? {}).every((v) => v === null || v === undefined);
}

function relay(upstream: string): void {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
    // Playwright reads this line from the browser's stderr to find the endpoint.
    process.stderr.write(`WebDriver BiDi listening on ws://127.0.0.1:${server.address().port}\n`);
  });
  server.on('connection', (client, req) => {
    const firefox = new WebSocket(upstream + (req.url ?? ''));
    const early: string[] = [];
    firefox.on('open', () => { for (const m of early.splice(0)) firefox.send(m); });
    firefox.on('message', (data) => { if (client.readyState === OPEN) client.send(data.toString()); });
    firefox.on('close', () => client.close());
    // Playwright ends with browser.close, and Firefox exits by itself; a client gone without it
    // (the test process killed) would leave Firefox running with nobody to close it.
    client.on('close', () => { firefox.close(); setTimeout(() => child.kill('SIGKILL'), 5_000).unref(); });
    client.on('message', (data) => {
      const text = data.toString();
      const cmd = JSON.parse(text) as Command;
      if (clearsOnly(cmd)) { client.send(JSON.stringify({ type: 'success', id: cmd.id, result: {} })); return; }
      if (firefox.readyState === OPEN) firefox.send(text); else early.push(text);
    });
  });
}

const child = spawn(FIREFOX, process.argv.slice(2), { stdio: ['ignore', 'inherit', 'pipe'] });
let pending = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk: string) => {
  pending += chunk;
  for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const m = LISTENING.exec(line);
    if (m) relay(m[1]!); else process.stderr.write(`${line}\n`);
  }
});
child.on('error', (e) => { process.stderr.write(`cannot start ${FIREFOX}: ${e.message}\n`); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => child.kill(s));
