// Large files as content-addressed chunks. A file is cut into CHUNK_BYTES
// pieces, each stored as `chunk:<sha256 of the piece>` (one attachment
// `data`, nothing else), and the small `blob:<sha256 of the file>` document
// lists the chunk hashes in order. A chunk is the unit a weak link moves and
// resumes: one chunk goes up in one request, so a cut loses at most the
// chunks in flight; a chunk the city already holds (from an earlier run, or
// from another file) is never sent again.
//
// Chunk size (16 KiB, city-names.ts): the least one request carries. At
// 64 kbit/s a 64 KiB chunk took 8 s, longer than the up-periods of a link
// cut every 5 s; on better links the replicator sends several chunks in one
// request, sized to the link (sync/link-estimate.ts), so the per-request
// overhead stays small there.
//
// Pure: hashing uses WebCrypto (globalThis.crypto.subtle), so the PWA and the
// node share it; sha-256 is checked when a file is assembled, chunk by chunk
// and as a whole.
import { CHUNK_BYTES, chunkId } from './city-contract.js';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface SplitFile { sha256: string; size: number; chunkSize: number; chunks: { sha256: string; bytes: Uint8Array }[] }

/** Cuts a file into chunks and hashes each and the whole. */
export async function splitFile(bytes: Uint8Array, chunkSize = CHUNK_BYTES): Promise<SplitFile> {
  const chunks: SplitFile['chunks'] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + chunkSize));
    chunks.push({ sha256: await sha256Hex(piece), bytes: piece });
  }
  return { sha256: await sha256Hex(bytes), size: bytes.length, chunkSize, chunks };
}

/** The chunk documents of a split file, as stored on both sides. */
export function chunkDocs(file: SplitFile, contentType = 'application/octet-stream'): { _id: string; _attachments: { data: { content_type: string; data: Uint8Array } } }[] {
  const seen = new Set<string>();
  return file.chunks.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256)).map((c) => ({ _id: chunkId(c.sha256), _attachments: { data: { content_type: contentType, data: c.bytes } } }));
}

export type Assembled = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'chunk-missing' | 'chunk-corrupt' | 'file-corrupt'; chunk?: string; detail?: string };

/**
 * Reads a chunked file back, checking every chunk against its hash and the
 * whole against the file's. `read` may judge a chunk bad itself (a reader
 * that streams with a cap, sync/chunk-read.ts): `{ bad }` says why.
 */
export async function assembleFile(blob: { sha256: string; size: number; chunks: readonly string[] }, read: (sha256: string) => Promise<Uint8Array | null | { bad: string }>): Promise<Assembled> {
  const out = new Uint8Array(blob.size);
  let at = 0;
  for (const sha of blob.chunks) {
    const piece = await read(sha);
    if (!piece) return { ok: false, reason: 'chunk-missing', chunk: sha };
    if ('bad' in piece) return { ok: false, reason: 'chunk-corrupt', chunk: sha, detail: piece.bad };
    if ((await sha256Hex(piece)) !== sha || at + piece.length > blob.size) return { ok: false, reason: 'chunk-corrupt', chunk: sha };
    out.set(piece, at);
    at += piece.length;
  }
  if (at !== blob.size || (await sha256Hex(out)) !== blob.sha256) return { ok: false, reason: 'file-corrupt' };
  return { ok: true, bytes: out };
}
