// A real ward node serving HTTPS with a test certificate (test/helpers/test-pki.ts),
// its plain-HTTP setup page on an ephemeral port, in a temp dir removed at stop().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../node/config.js';
import { startWardNode, type WardNode } from '../../node/ward-node.js';
import type { TestTls } from './test-pki.js';

export interface TlsWard { node: WardNode; dir: string; stop(): Promise<void> }

/** Boots with the node's own defaults (cookieSecure is not overridden); the PIN goes through WARDDESK_TLS_PIN as in production. */
export async function startTlsWard(tls: TestTls): Promise<TlsWard> {
  const dir = mkdtempSync(join(tmpdir(), 'warddesk-tls-'));
  writeFileSync(join(dir, 'node.p12'), tls.p12);
  writeFileSync(join(dir, 'city-root.pem'), tls.rootPem);
  process.env['WARDDESK_TLS_PIN'] = tls.pin;
  const config = loadConfig({}, { dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, logLevel: 'silent', tls: { pfxFile: join(dir, 'node.p12'), rootCaFile: join(dir, 'city-root.pem'), setupPort: 0 } });
  const node = await startWardNode(config, { log: pino({ level: 'silent' }) });
  return { node, dir, async stop() { await node.close(); delete process.env['WARDDESK_TLS_PIN']; rmSync(dir, { recursive: true, force: true }); } };
}
