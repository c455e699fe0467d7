// Files (scans, PDFs, signature images) stored once by their sha-256, as a
// `blob:<sha256>` document with one attachment. The same scan uploaded twice
// is stored once; the id proves the bytes.
import { createHash } from 'node:crypto';
import { wardError } from '../sync/errors.js';
import type { Actor, AttachmentRef } from '../sync/schema.js';
import type { Ledger } from './ledger.js';
import { isNotFound } from './store.js';

export type BlobType = AttachmentRef['contentType'];

interface BlobDoc { _id: string; type: 'blob'; contentType: BlobType; size: number; sha256: string }

/** Magic numbers: a declared PDF must start like one, so a renamed .exe is refused. */
const MAGIC: Record<BlobType, (b: Buffer) => boolean> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
};

export function isBlobType(value: string): value is BlobType {
  return value in MAGIC;
}

export class Blobs {
  constructor(private readonly db: PouchDB.Database, private readonly ledger: Ledger) {}

  async put(actor: Actor, bytes: Buffer, contentType: string): Promise<{ sha256: string; size: number; contentType: BlobType }> {
    if (!isBlobType(contentType)) throw wardError('unsupported_media_type');
    if (bytes.length === 0 || !MAGIC[contentType](bytes)) throw wardError('bad_attachment');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const meta = { sha256, size: bytes.length, contentType };
    if (await this.stat(sha256)) return meta;
    const doc = { _id: `blob:${sha256}`, type: 'blob' as const, contentType, size: bytes.length, sha256, _attachments: { data: { content_type: contentType, data: bytes } } };
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
    const bytes = await this.db.getAttachment(`blob:${sha256}`, 'data') as Buffer;
    return { bytes, contentType: meta.contentType };
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
