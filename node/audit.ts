// The audit log is a hash chain: each entry carries the hash of the previous
// one and digests of the documents written with it, so editing or removing an
// entry, or editing an event it vouches for, breaks the chain at that point.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { carriesHash, recordContent } from '../sync/record-hash.js';

export interface AuditEntry {
  _id: string;
  _rev?: string;
  type: 'audit';
  seq: number;
  at: string;
  actor: { user: string; role: string; device: string };
  action: string;
  target: string | null;
  /** id → sha-256 of the canonical JSON of each document written in the same batch. */
  writes: Record<string, string>;
  prev: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

export function auditId(seq: number): string {
  return `audit:${String(seq).padStart(12, '0')}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Digest of a stored document without PouchDB's bookkeeping. Attachments are
 * left out: they live only in content-addressed `blob:<sha256>` documents,
 * whose id already vouches for their bytes.
 */
export function documentDigest(doc: Record<string, unknown>): string {
  return sha256(digestedText(doc));
}

/** What `documentDigest` hashes (its length also sizes the ledger's groups: one serialisation, not two). */
export function digestedText(doc: Record<string, unknown>): string {
  const { _rev: _ignoredRev, _attachments: _ignoredAttachments, ...rest } = doc;
  return canonicalize(rest) ?? '';
}

/** SHA-256 of a digested text, in hex (documentDigest = digestOf(digestedText(doc))). */
export const digestOf = sha256;

/**
 * Stamps a write-once record's content hash (sync/record-hash.ts) in place if it has none: the
 * same SHA-256 of the same text as sync/'s `recordHash`, computed here at once. WebCrypto's is
 * asynchronous, a trip through the thread pool, and the ledger builds one command at a time:
 * every grouped write waited on it in turn.
 */
export function stampRecordHash(doc: Record<string, unknown> & { _id: string }): void {
  if (carriesHash(doc) && typeof doc['hash'] !== 'string') doc['hash'] = sha256(recordContent(doc));
}

export function entryHash(entry: Omit<AuditEntry, 'hash' | '_rev'>): string {
  const { _id, type, seq, at, actor, action, target, writes, prev } = entry;
  return sha256(canonicalize({ _id, type, seq, at, actor, action, target, writes, prev }) ?? '');
}

export function makeEntry(
  seq: number, prev: string, at: string, actor: AuditEntry['actor'], action: string, target: string | null,
  writes: Record<string, string>,
): AuditEntry {
  const base = { _id: auditId(seq), type: 'audit' as const, seq, at, actor, action, target, writes, prev };
  return { ...base, hash: entryHash(base) };
}

export type AuditVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: 'hash-mismatch' | 'broken-link' | 'missing-entry' | 'document-changed' | 'document-missing'; detail: string };

/**
 * Walks the chain in order, then checks that every document the chain vouches
 * for still has the digest of its last audited write (events are written once;
 * a draft's content or a user profile may be rewritten, each time audited).
 */
export async function verifyChain(
  entries: AsyncIterable<AuditEntry>, loadDoc: (id: string) => Promise<Record<string, unknown> | null>,
): Promise<AuditVerdict> {
  let prev = GENESIS;
  let count = 0;
  const lastWrite = new Map<string, { digest: string; seq: number }>();
  for await (const entry of entries) {
    count += 1;
    const broken = (reason: 'hash-mismatch' | 'broken-link' | 'missing-entry', detail: string): AuditVerdict =>
      ({ ok: false, entries: count, brokenAt: entry.seq, reason, detail });
    if (entry.seq !== count) return { ...broken('missing-entry', `expected entry ${count}, found ${entry.seq}`), brokenAt: count } as AuditVerdict;
    if (entry.prev !== prev) return broken('broken-link', "prev does not match the previous entry's hash");
    if (entryHash(entry) !== entry.hash) return broken('hash-mismatch', 'entry content does not match its hash');
    for (const [id, digest] of Object.entries(entry.writes)) lastWrite.set(id, { digest, seq: entry.seq });
    prev = entry.hash;
  }
  for (const [id, { digest, seq }] of lastWrite) {
    const doc = await loadDoc(id);
    if (!doc) return { ok: false, entries: count, brokenAt: seq, reason: 'document-missing', detail: id };
    if (documentDigest(doc) !== digest) return { ok: false, entries: count, brokenAt: seq, reason: 'document-changed', detail: id };
  }
  return { ok: true, entries: count, head: prev };
}
