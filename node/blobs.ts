// Files (scans, PDFs, signature images) stored once by their sha-256, as a
// small `blob:<sha256>` document listing the file's content-addressed chunks
// (`chunk:<sha256>`, sync/chunks.ts), which is how large files cross a weak
// link to the city and resume where a cut stopped them. The same scan uploaded
// twice is stored once (and a chunk shared by two files once); the ids prove
// the bytes, checked again on every read. Files stored before chunking (one
// attachment `data` on the blob document) are still read.
import { wardError } from '../sync/errors.js';
import { chunkId } from '../sync/city-contract.js';
import { assembleFile, chunkDocs, splitFile } from '../sync/chunks.js';
import type { Actor, AttachmentRef } from '../sync/schema.js';
import type { Ledger } from './ledger.js';
import { isDiskFull, isNotFound } from './store.js';
import { refuseUnlessGenuine } from './file-kind.js';

export type BlobType = AttachmentRef['contentType'];

interface BlobDoc { _id: string; type: 'blob'; contentType: BlobType; size: number; sha256: string; chunkSize?: number; chunks?: string[] }

const TYPES: readonly BlobType[] = ['application/pdf', 'image/png', 'image/jpeg'];

export function isBlobType(value: string): value is BlobType {
  return (TYPES as readonly string[]).includes(value);
}

export class Blobs {
  constructor(private readonly db: PouchDB.Database, private readonly ledger: Ledger) {}

  async put(actor: Actor, bytes: Buffer, contentType: string): Promise<{ sha256: string; size: number; contentType: BlobType }> {
    if (!isBlobType(contentType)) throw wardError('unsupported_media_type');
    await refuseUnlessGenuine(bytes, contentType);
    const file = await splitFile(bytes);
    const sha256 = file.sha256;
    const meta = { sha256, size: bytes.length, contentType };
    if (await this.stat(sha256)) return meta;
    // Chunks first, outside the ledger: each is self-certifying (its id is its
    // hash) and the audited blob document lists them, so a crash in between
    // leaves only unreferenced chunks, which the next upload reuses.
    const chunks = chunkDocs(file);
    const have = await this.db.allDocs({ keys: chunks.map((c) => c._id) });
    const missing = new Set(have.rows.filter((r) => 'error' in r || (r as { value?: { deleted?: boolean } }).value?.deleted).map((r) => r.key));
    const fresh = chunks.filter((c) => missing.has(c._id));
    if (fresh.length > 0) {
      const written = await this.db.bulkDocs(fresh as unknown as Parameters<PouchDB.Database['bulkDocs']>[0])
        .catch((err: unknown) => { throw wardError(isDiskFull(err) ? 'disk_full' : 'store_unavailable'); });
      // A conflict means the chunk arrived meanwhile (same id, same bytes).
      const failed = written.find((r) => 'error' in r && (r as { status?: number }).status !== 409);
      if (failed) throw wardError(isDiskFull(failed) ? 'disk_full' : 'store_unavailable');
    }
    const doc = { _id: `blob:${sha256}`, type: 'blob' as const, contentType, size: bytes.length, sha256, chunkSize: file.chunkSize, chunks: file.chunks.map((c) => c.sha256) };
    return this.ledger.run(async () => {
      if (await this.stat(sha256)) return { command: { actor, action: 'blob.put', target: doc._id, docs: [] }, result: meta };
      return { command: { actor, action: 'blob.put', target: doc._id, docs: [doc as unknown as { _id: string }] }, result: meta };
    });
  }

  async stat(sha256: string): Promise<BlobDoc | null> {
    try { return await this.db.get<BlobDoc>(`blob:${sha256}`); } catch (err) { if (isNotFound(err)) return null; throw err; }
  }

  async read(sha256: string): Promise<{ bytes: Buffer; contentType: BlobType } | null> {
    const meta = await this.stat(sha256);
    if (!meta) return null;
    // One chunk (files stored before chunking): its attachment is the whole file.
    const chunks = meta.chunks ?? [sha256];
    const file = await assembleFile({ sha256, size: meta.size, chunks }, async (sha) => {
      try { return await this.db.getAttachment(meta.chunks ? chunkId(sha) : `blob:${sha256}`, 'data') as Buffer; } catch (err) { if (isNotFound(err)) return null; throw err; }
    });
    // A missing chunk is a file still arriving from the city: not there yet. A
    // chunk or file whose SHA-256 does not match is damage: never served as if valid.
    if (!file.ok && file.reason === 'chunk-missing') return null;
    if (!file.ok) throw wardError('attachment_corrupt');
    return { bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength), contentType: meta.contentType };
  }

  /** Every referenced file must already be stored, with the declared size and type. */
  async checkRefs(refs: readonly AttachmentRef[]): Promise<void> {
    for (const ref of refs) {
      const meta = await this.stat(ref.sha256);
      if (!meta || meta.size !== ref.size || meta.contentType !== ref.contentType) {
        throw wardError('attachment_not_found', [{ path: `attachments.${ref.name}`, vi: `Tệp "${ref.name}" chưa được tải lên hoặc không khớp.`, en: `File "${ref.name}" was not uploaded or does not match.` }]);
      }
    }
  }
}
