// The replication contract between a ward node and the city: the shape of
// the replicated documents not covered by schema.ts (blobs, user profiles,
// audit entries, revocation lists) and of a ward's credentials, as zod
// schemas for the node and the city tools. The names and limits (databases,
// users, ids, chunk sizes) live in city-names.ts, free of zod, so the city's
// validate_doc_update can use them; they are re-exported here.
import { z } from 'zod';
import { RecordHash } from './schema.js';
import { CRL_ID, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, WARD_CODE } from './city-names.js';

export * from './city-names.js';

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
