// The replication contract between a ward node and the city: names of the
// city's databases and users, which documents travel, and the shape of the
// replicated documents not covered by schema.ts (blobs, user profiles, audit
// entries). Pure TypeScript: the node, the city tools and the city's
// validate_doc_update share it.
import { z } from 'zod';
import { RecordHash } from './schema.js';

/** One CouchDB database per ward. CouchDB names: ^[a-z][a-z0-9_$()+/-]*$ — a ward code fits after the prefix. */
export function wardDbName(wardCode: string): string { return `ward_${wardCode}`; }

/** The one CouchDB user allowed into the ward's database. */
export function wardUserName(wardCode: string): string { return `ward-${wardCode}`; }

export const WARD_CODE = /^[a-z0-9-]{2,40}$/;

/** The design document the city installs in every ward database. */
export const DESIGN_DOC_ID = '_design/warddesk';

/** Bumped whenever the rules change, so `city init` knows to reinstall them. */
export const RULES_VERSION = 4;

/** Ids that replicate from the ward to the city. Everything else (and `_local/…`) stays home. */
export const REPLICATED_ID = /^(doc:|ev:|user:|blob:|audit:|crl:)/;

export function isReplicatedId(id: string): boolean { return REPLICATED_ID.test(id); }

/**
 * `chunk:<sha256>`: a piece of a file (sync/chunks.ts). Chunks also replicate,
 * but by their own pass after everything above (one binary PUT each), never
 * through the CouchDB replication batches.
 */
export const CHUNK_ID = /^chunk:[0-9a-f]{64}$/;
export function isChunkId(id: string): boolean { return CHUNK_ID.test(id); }
export function chunkId(sha256: string): string { return `chunk:${sha256}`; }
/** The chunk size files are cut into; the blob document records its own. */
export const CHUNK_BYTES = 64 * 1024;
/** The largest chunk the city accepts, and the bounds of a blob's chunk size. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const MIN_CHUNK_BYTES = 4 * 1024;

/** The ward's inbox: what the city wrote for it. A Mango selector, so CouchDB filters natively. */
export const INBOX_SELECTOR = { origin: 'city' } as const;

/** Roles that speak for the city (CouchDB server admins, or a city hub user). */
export function isCityWriter(userCtx: { roles?: readonly string[] | null }): boolean {
  const roles = userCtx.roles ?? [];
  return roles.includes('_admin') || roles.includes('city');
}

/**
 * `crl:<issuer>:<number>`: a certificate revocation list travelling ward →
 * city → wards. A ward writes each new list of its CA once, as
 * `crl:<ward>:<000007>`; the city copies it (marked origin "city", so it lands
 * in the wards' inboxes) into every other ward's database, and the root's
 * lists as `crl:city-root:<n>`. Written once, like events: verifiers use the
 * highest number they hold, so an old list can never hide a newer revocation.
 */
export const CRL_ID = /^crl:[a-z0-9-]{2,40}:\d{6}$/;
export function crlId(issuer: string, crlNumber: number): string { return `crl:${issuer}:${String(crlNumber).padStart(6, '0')}`; }
export const CrlRecord = z.strictObject({
  _id: z.string().regex(CRL_ID),
  _rev: z.string().optional(),
  type: z.literal('crl'),
  issuer: z.string().regex(WARD_CODE),
  crlNumber: z.number().int().nonnegative().max(999_999),
  thisUpdate: z.string().min(10).max(40),
  /** The DER of the CRL, base64. */
  der: z.string().min(16).max(2_000_000).regex(/^[A-Za-z0-9+/]+=*$/),
  origin: z.literal('city').optional(),
  hash: RecordHash.optional(),
});
export type CrlRecord = z.infer<typeof CrlRecord>;

/** What the city hands a ward: written by `warddesk city init`, read by the ward's replicator. */
export const WardCredentials = z.strictObject({
  ward: z.string().regex(WARD_CODE),
  db: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(16),
  url: z.string().url().optional(),
});
export type WardCredentials = z.infer<typeof WardCredentials>;

/**
 * `blob:<sha256>`: one immutable file. Its bytes are either in the chunks
 * listed in order (`chunkSize`, `chunks`), or — files stored before chunking
 * — in one attachment `data`.
 */
export const BlobRecord = z.strictObject({
  _id: z.string().regex(/^blob:[0-9a-f]{64}$/),
  _rev: z.string().optional(),
  type: z.literal('blob'),
  contentType: z.enum(['application/pdf', 'image/png', 'image/jpeg']),
  size: z.number().int().positive().max(50 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  chunkSize: z.number().int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES).optional(),
  chunks: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(50 * 1024 * 1024 / MIN_CHUNK_BYTES).optional(),
  origin: z.literal('city').optional(),
  hash: RecordHash.optional(),
});

/** `user:<name>`: an official's public profile. Strict: a password hash or salt has no place here. */
export const UserRecord = z.strictObject({
  _id: z.string().regex(/^user:[a-z][a-z0-9._-]{1,31}$/),
  _rev: z.string().optional(),
  type: z.literal('user'),
  username: z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/),
  fullName: z.string().min(1).max(200),
  title: z.string().max(200),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin']),
  active: z.boolean(),
  updatedAt: z.iso.datetime({ offset: true }),
});

/** `audit:<seq>`: one link of the ward's hash chain. */
export const AuditRecord = z.strictObject({
  _id: z.string().regex(/^audit:\d{12}$/),
  _rev: z.string().optional(),
  type: z.literal('audit'),
  seq: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
  actor: z.strictObject({ user: z.string().max(64), role: z.string().max(32), device: z.string().max(600) }),
  action: z.string().min(1).max(64),
  target: z.string().max(200).nullable(),
  writes: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
