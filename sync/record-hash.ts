// A write-once record's own content hash. CouchDB cannot stop a database
// member from adding a branch to any document (`_bulk_docs` with
// `new_edits:false` and no stored ancestor reaches validate_doc_update with
// `oldDoc = null`), so nothing read at the city trusts a winning revision
// alone. Each write-once record carries the SHA-256 of its canonical content
// (RFC 8785 JSON, CouchDB bookkeeping and the hash itself left out); a reader
// recomputes it. A forger can compute a hash too: what tells the genuine
// branch from a forged one is the ward's audit chain (sync/genuine.ts); the
// hash catches a record changed in place and binds the chain's digest to it.
//
// Pure: WebCrypto for hashing (as sync/chunks.ts), `canonicalize` for the JSON.
import canonicalize from 'canonicalize';
import { sha256Hex } from './chunks.js';

/** Fields CouchDB or PouchDB add to a stored document, never part of its content. */
const BOOKKEEPING = ['_rev', '_revisions', '_attachments', '_conflicts', '_deleted_conflicts', '_local_seq', '_revs_info'];

type Doc = Record<string, unknown> & { _id: string };

/** The text a record's hash covers. */
export function recordContent(doc: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...doc };
  for (const key of BOOKKEEPING) delete copy[key];
  delete copy['hash'];
  return canonicalize(copy) ?? '';
}

export function recordHash(doc: Record<string, unknown>): Promise<string> {
  return sha256Hex(new TextEncoder().encode(recordContent(doc)));
}

/**
 * Records written once and never changed: events, files, revocation lists, the
 * audit chain (which hashes itself, sync/city-contract.ts AuditRecord), a
 * document the city sent, and a ward's document once it is sealed (signed or
 * issued).
 */
export function isWriteOnce(doc: { _id: string } & Record<string, unknown>): boolean {
  if (/^(ev|blob|crl|audit):/.test(doc._id)) return true;
  // What the city sends a ward is never edited after; a ward's own document is, until it is sealed.
  return doc._id.startsWith('doc:') && (doc['sealed'] === true || doc['origin'] === 'city');
}

/** Write-once records other than audit entries carry a `hash` field. */
export function carriesHash(doc: Doc): boolean {
  return isWriteOnce(doc) && !doc._id.startsWith('audit:');
}

/** Stamps the hash on a write-once record that has none yet (the ward node's ledger, the city's sends). */
export async function withHash<T extends Doc>(doc: T): Promise<T> {
  if (!carriesHash(doc) || typeof doc['hash'] === 'string') return doc;
  return { ...doc, hash: await recordHash(doc) };
}

/**
 * Does the record's hash hold? 'absent' for a record written before hashes
 * (kept, but it proves nothing), 'mismatch' for one changed after it was hashed.
 */
export async function checkRecordHash(doc: Doc): Promise<'ok' | 'absent' | 'mismatch'> {
  // An audit entry's `hash` covers the chain link too (node/audit.ts entryHash); the chain walk checks it.
  if (!carriesHash(doc)) return 'absent';
  const claimed = doc['hash'];
  if (typeof claimed !== 'string') return 'absent';
  return claimed === await recordHash(doc) ? 'ok' : 'mismatch';
}

/**
 * The digest the ward's audit chain records for each document it writes
 * (`writes` in an audit entry): the same as node/audit.ts documentDigest, over
 * the stored document with its hash, without CouchDB's bookkeeping.
 */
export function chainDigest(doc: Record<string, unknown>): Promise<string> {
  const copy: Record<string, unknown> = { ...doc };
  for (const key of BOOKKEEPING) delete copy[key];
  return sha256Hex(new TextEncoder().encode(canonicalize(copy) ?? ''));
}
