// Gzip for JSON request bodies on the wire (issue 19). CouchDB inflates
// `Content-Encoding: gzip` request bodies on every endpoint (`_session` too
// since apache/couchdb#3323, 2021; docs/decisions/0009), so record batches, `_revs_diff`,
// `_all_docs` key lists and chunk uploads (base64 in JSON, which gzip brings
// back to ~1.01× the raw bytes) go compressed. A body is sent compressed only
// when that saves at least a tenth of it: small bodies and bodies of
// already-compressed bytes go as they are. Pure: CompressionStream exists in
// Node 18+ and in the browsers the PWA supports.

/** Bodies smaller than this are not worth a gzip header and the CPU. */
export const GZIP_MIN_BYTES = 1024;

/** The gzip of `text`, when it is at most 90 % of the text's bytes; else null. */
export async function gzipIfWorth(text: string): Promise<Uint8Array | null> {
  const plain = new TextEncoder().encode(text);
  if (plain.byteLength < GZIP_MIN_BYTES) return null;
  const stream = new Blob([plain]).stream().pipeThrough(new CompressionStream('gzip'));
  const packed = new Uint8Array(await new Response(stream).arrayBuffer());
  return packed.byteLength <= plain.byteLength * 0.9 ? packed : null;
}

/** Base64 of bytes: Buffer on Node (fast), btoa in slices in browsers. */
export function toBase64(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string } } }).Buffer;
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}
