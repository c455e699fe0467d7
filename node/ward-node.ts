// Composition root of a ward node: opens the store, rebuilds the in-memory
// view, wires the services and the HTTP app. Boot runs in logged steps and
// stops at the first fatal one.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { openStore, monotonicClock, type Clock, type Store } from './store.js';
import { Ledger } from './ledger.js';
import { refuseWhileRestoring } from './restore-lock.js';
import { Projection, type LoadReport } from './projection.js';
import { Users } from './users.js';
import { Sessions } from './sessions.js';
import { LoginAudit } from './login-audit.js';
import { startAdminSocket, stopAdminSocket } from './admin-socket.js';
import { Blobs } from './blobs.js';
import { BlobAccess } from './blob-access.js';
import { Numbering } from './numbering.js';
import { Documents, type SignaturePort } from './documents.js';
import { Signing } from './signing.js';
import { TwoPhaseSigning } from './two-phase.js';
import { buildApp } from './http/app.js';
import { buildSetupApp } from './http/setup-app.js';
import { loadTls, type TlsIdentity } from './tls.js';
import { LanTls } from './lan-tls.js';
import { Activations } from './activations.js';
import { pkiRouter } from './http/pki-routes.js';
import { wardError } from '../sync/errors.js';
import { CitySync } from './city-sync.js';
import { WardSettings } from './ward-settings.js';

export interface WardServices {
  config: Config; store: Store; ledger: Ledger; projection: Projection; users: Users; sessions: Sessions; loginAudit: LoginAudit;
  blobs: Blobs; blobAccess: BlobAccess; numbering: Numbering; documents: Documents; signing: Signing; twoPhase: TwoPhaseSigning; log: Logger; snapshots: SnapshotKeeper; citySync: CitySync; settings: WardSettings;
  activations: Activations;
  /** The node's own LAN certificate (node/lan-tls.ts) when it made one; null with a configured PKCS#12 or plain HTTP. */
  lanTls: LanTls | null;
  loaded: LoadReport;
}

/** Saves the projection snapshot at boot after a rebuild, every few minutes when busy, and at shutdown. */
export class SnapshotKeeper {
  private savedAt = -1;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly projection: Projection, private readonly ledger: Ledger, private readonly db: PouchDB.Database,
    private readonly file: string, private readonly log: Logger, everyMs = 10 * 60_000) {
    this.timer = setInterval(() => { if (this.ledger.length !== this.savedAt) void this.save('periodic'); }, everyMs);
    this.timer.unref();
  }

  save(reason: string): Promise<void> {
    return this.ledger.exclusive(async () => {
      const started = Date.now();
      const seq = (await this.db.info()).update_seq;
      await this.projection.save(this.file, seq);
      this.savedAt = this.ledger.length;
      this.log.info({ reason, ms: Date.now() - started, documents: this.projection.size }, 'snapshot saved');
    }).catch((err: unknown) => { this.log.warn({ err }, 'snapshot not saved; the next boot rebuilds from the store'); });
  }

  stop(): void { clearInterval(this.timer); }
}

export interface WardNode extends WardServices {
  server: Server;
  url: string;
  /** Plain-HTTP setup page, when the node serves HTTPS. */
  setupUrl: string | null;
  /** Set on first boot only: the admin's one-time password, to print once. */
  firstAdmin: { username: string; password: string } | null;
  close(): Promise<void>;
}

/** Where officials' devices reach the node: every non-loopback IPv4 address when listening on all. */
function lanUrls(host: string, port: number, scheme: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`${scheme}://${host}:${port}`];
  return Object.values(networkInterfaces()).flat()
    .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => `${scheme}://${a.address}:${port}`);
}

export interface BootOptions { clock?: Clock; log?: Logger; signer?: SignaturePort }

export async function openServices(config: Config, options: BootOptions = {}): Promise<WardServices> {
  const log = options.log ?? pino({ level: config.logLevel, redact: ['password', '*.password', 'oldPassword', 'newPassword', 'token'] });
  const clock = options.clock ?? monotonicClock();
  log.info({ dataDir: config.dataDir }, 'boot: opening store');
  const store = await openStoreUnlessRestoring(config.dataDir);
  const projection = new Projection();
  const ledger = await Ledger.open({
    db: store.docs, clock, onError: (err) => log.error({ err }, 'store write failed'), recover: () => store.recover(),
    reload: (ids) => projection.reloadDocs(store.docs, ids), groupCommit: config.store.groupCommit,
    ...(config.store.fsync ? { flush: () => store.syncLog() } : {}),
  });
  log.info({ auditEntries: ledger.length }, 'boot: audit chain head loaded');
  const started = Date.now();
  const snapshotFile = join(config.dataDir, 'projection.snapshot');
  // A rebuild from the store runs on while the node starts listening: requests that need the view wait for it.
  const loaded = await projection.load(store.docs, snapshotFile, { wait: false, pageSize: 1000 });
  if (loaded.fromSnapshot) log.info({ documents: projection.size, ...loaded }, 'boot: documents loaded');
  else {
    const level = loaded.snapshotProblem === 'missing' ? 'info' : 'warn';
    log[level]({ snapshotProblem: loaded.snapshotProblem }, 'boot: projection snapshot not usable; rebuilding the view from the store');
    void projection.whenReady().then(() => log.info({ documents: projection.size, ms: Date.now() - started, changesRead: loaded.changesRead }, 'boot: documents loaded from the store'),
      (err: unknown) => log.error({ err }, 'boot: the view could not be rebuilt from the store'));
  }
  const snapshots = new SnapshotKeeper(projection, ledger, store.docs, snapshotFile, log);
  const users = new Users({ docs: store.docs, secrets: store.secrets, ledger, lockout: config.lockout });
  const sessions = new Sessions(store.secrets, config.sessionTtlHours * 3_600_000);
  const loginAudit = new LoginAudit(ledger, log);
  const blobs = new Blobs(store.docs, ledger);
  const numbering = new Numbering(config, projection);
  const settings = new WardSettings(config, ledger);
  const signing = new Signing({ config, blobs, docs: store.docs, ledger, settings });
  const documents = new Documents({ config, ledger, projection, numbering, blobs, users, signer: options.signer ?? signing });
  const citySync = new CitySync({ config, docs: store.docs, ledger, projection, log });
  const twoPhase = new TwoPhaseSigning({ signing, documents, users, ttlMs: config.tokens.signingTtlSeconds * 1000 });
  const activations = new Activations(signing.keys);
  return { config, store, ledger, projection, users, sessions, loginAudit, blobs, blobAccess: new BlobAccess(projection), numbering, documents, signing, twoPhase, log, snapshots, citySync, settings, activations, lanTls: null, loaded };
}

/**
 * Opens the store unless a restore into the data directory is under way
 * (restore-lock.ts): checked before opening, and again once LevelDB's lock
 * makes the directory ours, so a restore that started in between is seen too.
 */
async function openStoreUnlessRestoring(dataDir: string): Promise<Store> {
  refuseWhileRestoring(dataDir);
  const created = !existsSync(dataDir);
  const store = await openStore(dataDir);
  try {
    refuseWhileRestoring(dataDir);
    return store;
  } catch (err) {
    // Leave the restore an empty target again: what this boot created, and only if it holds nothing.
    const empty = (await store.docs.info()).update_seq === 0 && (await store.secrets.info()).update_seq === 0;
    await store.close();
    if (created && empty) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export async function startWardNode(config: Config, options: BootOptions = {}): Promise<WardNode> {
  // First, before touching the store: a wrong TLS PIN must stop the boot cleanly.
  const configured = loadTls(config);
  const services = await openServices(config, options);
  // No PKCS#12 configured: the node makes its own LAN certificate (a bootstrap CA's, then the ward CA's).
  const lanTls = !configured && config.tls.auto && config.cookieSecure ? new LanTls(join(config.dataDir, 'tls'), config.host, services.log) : null;
  services.lanTls = lanTls;
  const identity: TlsIdentity | null = configured ?? lanTls?.current ?? null;
  // HTTPS and the plain-HTTP /setup page need two ports: a node once set to WARDDESK_PORT=8080 says so instead of failing to bind.
  if (identity && config.port !== 0 && config.port === config.tls.setupPort) {
    services.snapshots.stop();
    await services.store.close();
    throw new Error(`HTTPS (port ${config.port}) and the plain-HTTP /setup page (tls.setupPort ${config.tls.setupPort}) need two different ports: set WARDDESK_PORT (default 8443) or WARDDESK_SETUP_PORT (default 8080).`);
  }
  // After a full rebuild or a long catch-up, save now so the next boot is fast.
  if (!services.loaded.fromSnapshot || services.loaded.changesRead > 1000) void services.snapshots.save('boot');
  const firstAdmin = await services.users.ensureAdmin();
  await services.citySync.start();
  services.signing.startPublishing((err) => services.log.warn({ err }, 'the revocation list could not be published'));
  const adminSocket = await startAdminSocket(config.dataDir, services.users.throttle, services.log);
  const app = buildApp(services, services.log);
  const server = identity ? createHttpsServer({ pfx: identity.pfx, passphrase: identity.passphrase }, app) : createServer(app);
  // Slow or stalled clients on a bad LAN must not pin sockets forever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  answerOversizedHeaders(server);
  await listen(server, config.port, config.host);
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const scheme = identity ? 'https' : 'http';
  const url = `${scheme}://${host}:${port}`;
  let setupServer: Server | null = null;
  let setupUrl: string | null = null;
  if (identity) {
    // The names a redirect may name: the certificate's, then the addresses the node listens on.
    const addresses = lanUrls(config.host, port, scheme).map((u) => new URL(u).hostname);
    let current = identity;
    const names = () => [...new Set([...current.names, ...addresses, host])];
    setupServer = createServer(buildSetupApp(port, () => ({ rootPem: current.rootPem, names: names(), bootstrap: 'issuer' in current && current.issuer === 'bootstrap' }), pkiRouter(services.signing.pkiSource())));
    // The ward CA installed from the setup screen: new connections get its certificate at once, no restart.
    lanTls?.onChange((next) => {
      current = next;
      (server as HttpsServer).setSecureContext({ pfx: next.pfx, passphrase: next.passphrase });
    });
    answerOversizedHeaders(setupServer);
    await listen(setupServer, config.tls.setupPort, config.host);
    setupUrl = `http://${host}:${(setupServer.address() as AddressInfo).port}/setup`;
  } else {
    services.log.warn('boot: plain HTTP (cookieSecure or tls.auto is off): browsers on the LAN need HTTPS for the app');
  }
  services.log.info({ url, setupUrl, host: config.host, port, lan: lanUrls(config.host, port, scheme) }, 'boot: listening');
  return {
    ...services, server, url, setupUrl, firstAdmin,
    async close() {
      for (const s of [server, setupServer]) {
        if (!s) continue;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await stopAdminSocket(adminSocket);
      await services.citySync.stop();
      services.signing.stopPublishing();
      services.twoPhase.close();
      services.snapshots.stop();
      services.loginAudit.stop();
      await services.loginAudit.flush();
      await services.sessions.persistPending().catch((err: unknown) => services.log.warn({ err }, 'sessions made while the disk was full not saved'));
      await services.snapshots.save('shutdown');
      await services.store.close();
    },
  };
}

/**
 * Node's HTTP parser refuses headers past 16 KB (a 100 KB query string) with a
 * bare 431 before express sees the request: answer it with the catalogue's
 * body instead, in both languages, and close the connection.
 */
function answerOversizedHeaders(server: Server | HttpsServer): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') { socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'); return; }
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request';
    const body = JSON.stringify(wardError(code).toJSON());
    const status = code === 'headers_too_large' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
}
