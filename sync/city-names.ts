// The names and limits of the replication contract (databases, users, ids,
// chunk sizes), apart from the zod schemas in city-contract.ts: the write
// rules are bundled into the city's validate_doc_update, which runs in
// CouchDB's couchjs, and zod needs what couchjs lacks (BigInt, Promise). So
// this module imports nothing and uses ES2015 built-ins only (no padStart,
// no Array.prototype.includes). city-contract.ts re-exports all of it.

/** One CouchDB database per ward. CouchDB names: ^[a-z][a-z0-9_$()+/-]*$ — a ward code fits after the prefix. */
export function wardDbName(wardCode: string): string { return `ward_${wardCode}`; }

/** The one CouchDB user allowed into the ward's database. */
export function wardUserName(wardCode: string): string { return `ward-${wardCode}`; }

export const WARD_CODE = /^[a-z0-9-]{2,40}$/;

/** The design document the city installs in every ward database. */
export const DESIGN_DOC_ID = '_design/warddesk';

/** Bumped whenever the rules change, so `city init` knows to reinstall them. 5: zod-free rules that couchjs (QuickJS) can run. 6: chunks sent in parts. */
export const RULES_VERSION = 6;

/** Ids that replicate from the ward to the city. Everything else (and `_local/…`) stays home. */
export const REPLICATED_ID = /^(doc:|ev:|user:|blob:|audit:|crl:)/;

export function isReplicatedId(id: string): boolean { return REPLICATED_ID.test(id); }

/**
 * `chunk:<sha256>`: a piece of a file (sync/chunks.ts). Chunks also replicate,
 * but by their own pass after everything above (sync/chunk-push.ts), never
 * through the CouchDB replication batches.
 */
export const CHUNK_ID = /^chunk:[0-9a-f]{64}$/;
export function isChunkId(id: string): boolean { return CHUNK_ID.test(id); }
export function chunkId(sha256: string): string { return `chunk:${sha256}`; }
/**
 * The chunk size files are cut into; the blob document records its own.
 * Small, because a chunk is the least a request can carry: on a 64 kbit/s
 * link cut every 5 s a 64 KiB chunk (8 s) never got through. On a good link
 * several go in one request (sync/link-estimate.ts). Docs/decisions/0009.
 */
export const CHUNK_BYTES = 16 * 1024;
/** The largest chunk the city accepts, and the bounds of a blob's chunk size. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const MIN_CHUNK_BYTES = 4 * 1024;
/**
 * A stored chunk may reach the city in parts (sync/chunk-parts.ts): each part
 * an ordinary `chunk:<sha256 of the part>`, then `chunk:<sha256 of the whole>`
 * as a document listing the parts in order, with no attachment. A link whose
 * up-periods are shorter than a chunk takes to send needs them; readers check
 * every part and the whole against their hashes. At most this many parts.
 */
export const MAX_CHUNK_PARTS = 256;
/** The smallest part: below it, the HTTP heads of one request per part cost more than a cut saves. */
export const MIN_PART_BYTES = 4 * 1024;

/** The ward's inbox: what the city wrote for it. A Mango selector, so CouchDB filters natively. */
export const INBOX_SELECTOR = { origin: 'city' } as const;

/** Roles that speak for the city (CouchDB server admins, or a city hub user). */
export function isCityWriter(userCtx: { roles?: readonly string[] | null }): boolean {
  const roles = userCtx.roles ?? [];
  return roles.indexOf('_admin') >= 0 || roles.indexOf('city') >= 0;
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
export function crlId(issuer: string, crlNumber: number): string {
  const digits = String(crlNumber);
  return `crl:${issuer}:${digits.length >= 6 ? digits : '000000'.slice(digits.length) + digits}`;
}
