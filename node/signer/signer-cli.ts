// `warddesk signer --node URL --module LIB [--token-label L | --slot N] [--key-id HEX] [--port N] [--pin-stdin]`
// Starts the loopback companion (signer-server.ts) and asks the PIN on this
// PC's terminal for each signature. --pin-stdin reads one PIN per signature
// from standard input instead (an empty line cancels): for a wrapper program
// with its own PIN dialog, and for the tests. The PIN is never an argument
// (every user sees arguments in `ps`) nor an environment variable.
import { openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ReadStream } from 'node:tty';
import { promptHidden } from '../pin-input.js';
import { startSigner, type PinProvider } from './signer-server.js';

export const SIGNER_USAGE = `  warddesk signer --node https://ward.example:8443 --module /path/to/pkcs11.so [--token-label LABEL | --slot N]
                 [--key-id 01] [--port 47443] [--pin-stdin]
                                  on an official's PC: sign with their own token for the ward node's app`;

interface Args { node: string; module: string; tokenLabel?: string; slot?: number; keyId: string; port: number; pinStdin: boolean }

function parse(argv: string[]): Args | string {
  const a: Partial<Args> & { keyId: string; port: number; pinStdin: boolean } = { keyId: '01', port: 47443, pinStdin: false };
  for (let i = 0; i < argv.length; i += 1) {
    const k = argv[i]!;
    if (k === '--pin-stdin') { a.pinStdin = true; continue; }
    const v = argv[++i];
    if (v === undefined) return `${k} cần một giá trị / ${k} needs a value`;
    switch (k) {
      case '--node': a.node = v; break;
      case '--module': a.module = v; break;
      case '--token-label': a.tokenLabel = v; break;
      case '--slot': a.slot = Number(v); break;
      case '--key-id': a.keyId = v; break;
      case '--port': a.port = Number(v); break;
      default: return `Tùy chọn không rõ / unknown option: ${k}`;
    }
  }
  if (!a.node || !/^https?:\/\//.test(a.node)) return 'Cần --node https://… (địa chỉ máy chủ phường / the ward node\'s address)';
  if (!a.module) return 'Cần --module (thư viện PKCS#11 của token / the token\'s PKCS#11 library)';
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) return '--port không hợp lệ / invalid --port';
  return a as Args;
}

function stdinPins(): PinProvider {
  const lines: string[] = [];
  const waiting: ((l: string | null) => void)[] = [];
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => { const w = waiting.shift(); if (w) w(l); else lines.push(l); });
  rl.on('close', () => { for (const w of waiting.splice(0)) w(null); });
  return () => new Promise((resolve) => {
    const l = lines.shift();
    if (l !== undefined) resolve(l || null); else waiting.push((x) => resolve(x || null));
  });
}

function terminalPins(): PinProvider {
  return async () => {
    // The terminal itself, not stdin: the signer may run with its output redirected to a log.
    const input = process.platform === 'win32' ? process.stdin : new ReadStream(openSync('/dev/tty', 'r'));
    try { return (await promptHidden('Mã PIN của token / token PIN: ', input)) || null; } catch { return null; } finally { if (input !== process.stdin) input.destroy(); }
  };
}

export async function signerCommand(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') { console.error(`${args}\n\n${SIGNER_USAGE}`); return 2; }
  const signer = await startSigner({
    nodeOrigin: args.node,
    token: { module: args.module, keyId: args.keyId, ...(args.tokenLabel !== undefined ? { tokenLabel: args.tokenLabel } : { slot: args.slot ?? 0 }) },
    pin: args.pinStdin ? stdinPins() : terminalPins(),
    port: args.port,
  });
  // The one line a launcher (and the tests) read: where the PWA finds the signer.
  process.stdout.write(`warddesk signer listening on ${signer.url} for ${new URL(args.node).origin}\n`);
  const stop = () => { void signer.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}
