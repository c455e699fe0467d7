// Reading a piece of a file (a chunk, or a file stored whole) from the city
// without trusting what the city holds. CouchDB hands validate_doc_update no
// length for an attachment written by a standalone PUT, so a real CouchDB
// stores a 1.5 MiB "chunk" as readily as a 64 KiB one, and a chunk's bytes are
// never hashed there. So whoever reads one (the hub, the ward's inbox pull)
// streams the body and stops as soon as it passes the cap — never holding more
// than the cap plus one network read — then checks the bytes against the
// SHA-256 their id names. Pure: no Node or Express imports (sync/ is shared).
import { MAX_CHUNK_BYTES } from './city-contract.js';
import { sha256Hex } from './chunks.js';

/** A response body as fetch gives it: a WHATWG stream (undici, browsers) or a Node stream (node-fetch, PouchDB's). */
export type Body = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null | undefined;

export type Piece =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large' | 'hash-mismatch'; bytesRead: number; detail: string };

/** The cap for one chunk of a blob: its own chunk size when it declares a smaller one. */
export function chunkCap(chunkSize?: number): number {
  return chunkSize !== undefined && chunkSize > 0 ? Math.min(chunkSize, MAX_CHUNK_BYTES) : MAX_CHUNK_BYTES;
}

/** Reads a body, stopping (and cancelling it, which frees the connection) once it passes `cap` bytes. */
export async function readCapped(body: Body, cap: number): Promise<{ bytes: Uint8Array; bytesRead: number; over: boolean }> {
  const parts: Uint8Array[] = [];
  let bytesRead = 0;
  const take = (part: Uint8Array): boolean => {
    bytesRead += part.byteLength;
    if (bytesRead > cap) return false;
    parts.push(part);
    return true;
  };
  if (body && 'getReader' in body) {
    // A reader rather than `for await`: browsers' streams are not all async-iterable.
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!take(value)) { await reader.cancel().catch(() => undefined); break; }
      }
    } finally { reader.releaseLock(); }
  } else if (body) {
    // Leaving the loop early destroys a Node stream.
    for await (const part of body) if (!take(part)) break;
  }
  if (bytesRead > cap) return { bytes: new Uint8Array(0), bytesRead, over: true };
  return { bytes: concat(parts, bytesRead), bytesRead, over: false };
}

/** A Buffer on Node (PouchDB there stores only Buffers as attachments), else plain bytes. */
export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { concat(list: readonly Uint8Array[], total: number): Uint8Array } }).Buffer;
  if (NodeBuffer) return NodeBuffer.concat(parts, total);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.byteLength; }
  return bytes;
}

/** Reads one piece whose SHA-256 is `sha256`: at most `cap` bytes, and exactly the bytes its hash names. */
export async function readPiece(body: Body, sha256: string, cap: number): Promise<Piece> {
  const got = await readCapped(body, cap);
  if (got.over) return { ok: false, reason: 'too-large', bytesRead: got.bytesRead, detail: `more than ${cap} bytes; reading stopped at ${got.bytesRead}` };
  if ((await sha256Hex(got.bytes)) !== sha256) return { ok: false, reason: 'hash-mismatch', bytesRead: got.bytesRead, detail: `its ${got.bytesRead} bytes do not match sha-256 ${sha256.slice(0, 12)}…` };
  return { ok: true, bytes: got.bytes };
}
