// Configuration is read once at boot: defaults, then a JSON file, then
// WARDDESK_* environment variables; validated and frozen. Nothing secret lives
// here, so the whole object may be logged.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const Register = z.strictObject({
  /** ASCII key used in ids, e.g. "chung" or "qd". */
  key: z.string().regex(/^[a-z0-9-]{1,20}$/),
  /** Document types numbered in this register; "*" catches every type not listed elsewhere. */
  types: z.array(z.string()).min(1),
});

export const Config = z.strictObject({
  dataDir: z.string().default('./data'),
  host: z.string().default('0.0.0.0'),
  /** HTTPS (or, with cookieSecure off, plain HTTP) for the app and the API; plain HTTP /setup is tls.setupPort. */
  port: z.coerce.number().int().min(0).max(65535).default(8443),
  ward: z.strictObject({
    code: z.string().regex(/^[a-z0-9-]{2,40}$/).default('phuong-mau'),
    // Empty: since 1 July 2025 wards sit directly under the province, and a UBND prints no parent line.
    agencyParent: z.string().default(''),
    agencyName: z.string().default('UBND PHƯỜNG MẪU'),
    agencyCode: z.string().default('UBND'),
    agencyId: z.string().regex(/^[0-9A-Z.]{13}$/).optional(),
    place: z.string().default('Phường Mẫu'),
  }).default({ code: 'phuong-mau', agencyParent: '', agencyName: 'UBND PHƯỜNG MẪU', agencyCode: 'UBND', place: 'Phường Mẫu' }),
  registers: z.array(Register).min(1).default([{ key: 'chung', types: ['*'] }]),
  sessionTtlHours: z.coerce.number().positive().default(24 * 14),
  lockout: z.strictObject({
    maxFailures: z.coerce.number().int().positive().default(5),
    minutes: z.coerce.number().positive().default(15),
  }).default({ maxFailures: 5, minutes: 15 }),
  /**
   * fsync the store's log after every acknowledged write (node/durability.ts),
   * so a power cut loses nothing a user was told is saved. Only benchmarks of
   * the bare store turn it off.
   */
  store: z.strictObject({
    fsync: z.coerce.boolean().default(true),
    /** Concurrent document commands share one batch and one fsync (docs/decisions/0010-group-commit.md); false only to measure the difference. */
    groupCommit: z.coerce.boolean().default(true),
  }).default({ fsync: true, groupCommit: true }),
  /**
   * Past this share of the JS heap's cap (--max-old-space-size), requests
   * after login are refused with memory_low (503) instead of running the node
   * out of memory, which would kill it (node/memory-guard.ts).
   */
  memory: z.strictObject({ heapGuardPercent: z.coerce.number().min(1).max(100).default(90) }).default({ heapGuardPercent: 90 }),
  bodyLimitBytes: z.coerce.number().int().positive().default(1024 * 1024),
  blobLimitBytes: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  /** Secure cookies need HTTPS; only a loopback test or a dev run turns this off. */
  cookieSecure: z.coerce.boolean().default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
  /**
   * HTTPS on the LAN with the ward node's certificate (a PKCS#12 file from
   * `warddesk ca issue-tls`; its PIN comes from WARDDESK_TLS_PIN, never from a
   * file). `port` is then the HTTPS port and plain HTTP on `setupPort` only
   * serves the /setup page and redirects everything else.
   */
  tls: z.strictObject({
    /**
     * With no pfxFile, the node makes its own LAN certificate (node/lan-tls.ts)
     * unless this is off or cookieSecure is off (a loopback test or a dev run,
     * where plain HTTP is the point): a node that sets Secure cookies must
     * serve HTTPS, or no browser on the LAN keeps a session.
     */
    auto: z.coerce.boolean().default(true),
    pfxFile: z.string().optional(),
    rootCaFile: z.string().optional(),
    setupPort: z.coerce.number().int().min(0).max(65535).default(8080),
  }).default({ auto: true, setupPort: 8080 }),
  /**
   * Hardware tokens (node/token-holders.ts, node/two-phase.ts): PKCS#11 libraries the node may load
   * besides the known Debian ones (loading one runs its code), and how long a two-phase signing
   * waits for the official's token.
   */
  /**
   * Keys belong to their holders: enrolment gives a one-time activation and the holder chooses the PIN
   * (node/activations.ts). `adminSetsPin` re-opens the older path where the admin types a holder's first
   * PIN over the API; only the tests and the demo, which script both sides, turn it on.
   */
  enrolment: z.strictObject({ adminSetsPin: z.boolean().default(false) }).default({ adminSetsPin: false }),
  tokens: z.strictObject({
    modules: z.array(z.string().min(1)).default([]),
    signingTtlSeconds: z.coerce.number().positive().max(3600).default(120),
  }).default({ modules: [], signingTtlSeconds: 120 }),
  /**
   * Where this node publishes its CA's revocation list and certificate over plain HTTP
   * (`<url>/<ward code>.crl`, `.cer`): written into every certificate the ward CA issues as the
   * CRL distribution point and AIA. Default: http://<host name>:<plain-HTTP port>/pki. `cityUrl`:
   * the city's /pki base, by default the one the city wrote into the ward CA certificate.
   */
  pki: z.strictObject({ url: z.string().url().optional(), cityUrl: z.string().url().optional() }).default({}),
  /** Replication to the city: on when a credentials file (from `warddesk city init`) is given. */
  city: z.strictObject({
    url: z.string().url().optional(),
    credentialsFile: z.string().optional(),
    intervalSeconds: z.coerce.number().positive().default(60),
    /**
     * Records per replication batch. Records carry no file bytes (files go
     * as chunks apart), ~220 bytes each, so 100 is ~22 KB a request. Each
     * batch costs four round trips (revs_diff, bulk_docs, checkpoint read and
     * write): with 25 a 300 ms link spent four fifths of the records' time
     * waiting (test/bench/sync-weak-link.ts). A 413 still halves it.
     */
    batchSize: z.coerce.number().int().positive().max(500).default(100),
    backoffBaseSeconds: z.coerce.number().positive().default(2),
    backoffCapSeconds: z.coerce.number().positive().default(600),
    requestTimeoutSeconds: z.coerce.number().positive().default(120),
    /**
     * PAdES B-T: at the clerk's step, ask the city TSA (POST {url}/_tsa, the ward's city
     * credentials) for a signature timestamp; when the city is unreachable the document is
     * issued B-B all the same. Off by default (WARDDESK_CITY_TIMESTAMP=1 turns it on).
     */
    timestampSignatures: z.boolean().default(false),
  }).default({ intervalSeconds: 60, batchSize: 100, backoffBaseSeconds: 2, backoffCapSeconds: 600, requestTimeoutSeconds: 120, timestampSignatures: false }),
});
export type Config = Readonly<z.infer<typeof Config>>;

/** Replication to the city runs only with a credentials file (`warddesk city init`); the one rule for "the ward has a city link". */
export function cityLinkConfigured(config: Pick<Config, 'city'>): boolean {
  return Boolean(config.city.credentialsFile);
}

const ENV: Record<string, (c: Record<string, unknown>, v: string) => void> = {
  WARDDESK_DATA_DIR: (c, v) => { c['dataDir'] = v; },
  WARDDESK_HOST: (c, v) => { c['host'] = v; },
  WARDDESK_PORT: (c, v) => { c['port'] = v; },
  WARDDESK_LOG_LEVEL: (c, v) => { c['logLevel'] = v; },
  WARDDESK_COOKIE_SECURE: (c, v) => { c['cookieSecure'] = v !== 'false' && v !== '0'; },
  WARDDESK_TLS_PFX: (c, v) => { c['tls'] = { ...(c['tls'] as object | undefined), pfxFile: v }; },
  WARDDESK_CITY_ROOT: (c, v) => { c['tls'] = { ...(c['tls'] as object | undefined), rootCaFile: v }; },
  WARDDESK_TLS: (c, v) => { c['tls'] = { ...(c['tls'] as object | undefined), auto: v !== 'off' && v !== 'false' && v !== '0' }; },
  WARDDESK_SETUP_PORT: (c, v) => { c['tls'] = { ...(c['tls'] as object | undefined), setupPort: v }; },
  WARDDESK_PKCS11_MODULES: (c, v) => { c['tokens'] = { ...(c['tokens'] as object | undefined), modules: v.split(':').filter(Boolean) }; },
  WARDDESK_SIGNING_TTL_SECONDS: (c, v) => { c['tokens'] = { ...(c['tokens'] as object | undefined), signingTtlSeconds: v }; },
  WARDDESK_PKI_URL: (c, v) => { c['pki'] = { ...(c['pki'] as object | undefined), url: v }; },
  WARDDESK_CITY_PKI_URL: (c, v) => { c['pki'] = { ...(c['pki'] as object | undefined), cityUrl: v }; },
  WARDDESK_CITY_URL: (c, v) => { c['city'] = { ...(c['city'] as object | undefined), url: v }; },
  WARDDESK_CITY_TIMESTAMP: (c, v) => { c['city'] = { ...(c['city'] as object | undefined), timestampSignatures: v === '1' || v === 'true' }; },
  WARDDESK_CITY_CREDENTIALS: (c, v) => { c['city'] = { ...(c['city'] as object | undefined), credentialsFile: v }; },
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  const merged: Record<string, unknown> = {};
  const file = env['WARDDESK_CONFIG'];
  if (file) {
    if (!existsSync(file)) throw new Error(`WARDDESK_CONFIG points to a missing file: ${file}`);
    Object.assign(merged, JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
  }
  for (const [name, set] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') set(merged, value);
  }
  Object.assign(merged, overrides);
  const parsed = Config.safeParse(merged);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config = { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
