// A stored chunk sent in parts (issue 19, decision 0013). CouchDB cannot
// resume a partly sent attachment, so the least a request can carry is what
// a cut may throw away; files are cut into 16 KiB chunks when they are
// written, before anything is known of the link, and at 64 kbit/s a 16 KiB
// chunk takes 2 s of a 5 s up-period. On such a link the ward re-splits a
// chunk at upload time: each part goes up as an ordinary content-addressed
// `chunk:<sha256 of the part>`, and once the city acknowledged every part,
// `chunk:<sha256 of the whole>` goes up as a small document listing them in
// order (`parts`), with no attachment. Plain CouchDB documents: no endpoint
// of our own, and the city's validate_doc_update still judges each.
//
// Nothing is trusted: whoever reads a chunk from the city checks each part
// against its hash (capped, streamed: sync/chunk-read.ts) and the joined
// bytes against the chunk's, so a parts list that lies reads as corrupt.
// Parts are never themselves in parts (one level): a reader never follows a
// chain. Pure: no Node or Express imports (sync/ is shared).
import { MAX_CHUNK_PARTS, chunkId } from './city-names.js';
import { concat, readPiece, type Body, type Piece } from './chunk-read.js';
import { sha256Hex, splitFile } from './chunks.js';

export interface Part { id: string; bytes: Uint8Array }

/** The parts of a chunk's bytes, `partBytes` each (the last may be shorter), in order. */
export async function splitChunk(bytes: Uint8Array, partBytes: number): Promise<Part[]> {
  const split = await splitFile(bytes, partBytes);
  return split.chunks.map((c) => ({ id: chunkId(c.sha256), bytes: c.bytes }));
}

/** The document that stands for a chunk at the city once its parts are there. */
export function partsDoc(id: string, parts: readonly Part[]): { _id: string; parts: string[] } {
  return { _id: id, parts: parts.map((p) => p.id.slice('chunk:'.length)) };
}

/** The parts a chunk document lists, or null when it lists none (or not in the contract's shape). */
export function partsOf(doc: unknown): string[] | null {
  const parts = (doc as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts) || parts.length < 2 || parts.length > MAX_CHUNK_PARTS) return null;
  return parts.every((p) => typeof p === 'string' && /^[0-9a-f]{64}$/.test(p)) ? parts as string[] : null;
}

/** What a reader asks of the city: a path under the ward's database; null when it answers 404. */
export type CityGet = (path: string) => Promise<{ body: Body; json(): Promise<unknown> } | null>;

/**
 * Reads the chunk `sha256` from the city, whole or in parts, never holding
 * more than `cap` bytes of it: null while it (or one of its parts) is not
 * there; otherwise the bytes, or why they are not the chunk.
 */
export async function readChunk(get: CityGet, sha256: string, cap: number): Promise<Piece | null> {
  const whole = await get(`${chunkId(sha256)}/data`);
  if (whole) return readPiece(whole.body, sha256, cap);
  const doc = await get(chunkId(sha256));
  if (!doc) return null;
  const parts = partsOf(await doc.json());
  if (!parts) return { ok: false, reason: 'hash-mismatch', bytesRead: 0, detail: 'the city holds this chunk with neither bytes nor a list of parts' };
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (const part of parts) {
    const r = await get(`${chunkId(part)}/data`);
    if (!r) return null;
    const piece = await readPiece(r.body, part, cap - total);
    if (!piece.ok) return piece.reason === 'too-large' ? { ...piece, detail: `its parts add up to more than ${cap} bytes` } : piece;
    pieces.push(piece.bytes);
    total += piece.bytes.byteLength;
  }
  const bytes = concat(pieces, total);
  if ((await sha256Hex(bytes)) !== sha256) return { ok: false, reason: 'hash-mismatch', bytesRead: total, detail: `its ${parts.length} parts (${total} bytes) do not make sha-256 ${sha256.slice(0, 12)}…` };
  return { ok: true, bytes };
}

/**
 * Which stored chunks are going up in parts, which of their parts the city
 * has not acknowledged yet, and which are ready for their parts document.
 * Kept by the replicator across runs (a cut must not throw away the parts
 * already across), in memory only: after a restart a chunk is split again and
 * the city's answer "already there" settles its parts.
 */
export class PartsLedger {
  private readonly chunks = new Map<string, { parts: Part[]; pending: Set<string>; ready: boolean }>();
  /** Every part id handed out: one queued twice (two chunks sharing a part) is not looked for on the ward's disk. */
  private readonly seen = new Set<string>();

  /** Is `id` a stored chunk going up in parts? */
  has(id: string): boolean { return this.chunks.has(id); }

  /** The bytes of a part still to go up, or undefined when `id` is not one. */
  part(id: string): Uint8Array | undefined {
    for (const c of this.chunks.values()) for (const p of c.parts) if (p.id === id && c.pending.has(id)) return p.bytes;
    return undefined;
  }

  /** Was `id` ever a part here (its bytes then exist only in a chunk, not on the ward's disk)? */
  isPart(id: string): boolean { return this.seen.has(id); }

  /** Registers a chunk's parts; returns the ids of those still to go up. */
  split(id: string, parts: Part[]): string[] {
    for (const p of parts) this.seen.add(p.id);
    if (!this.chunks.has(id)) this.chunks.set(id, { parts, pending: new Set(parts.map((p) => p.id)), ready: false });
    return this.pending(id);
  }

  /** The parts of `id` the city has not acknowledged; when none, the chunk is ready for its document. */
  pending(id: string): string[] {
    const c = this.chunks.get(id);
    if (!c) return [];
    if (c.pending.size === 0) c.ready = true;
    return [...c.pending];
  }

  /** The city has the part `partId` (stored now, or before). */
  acked(partId: string): void {
    for (const c of this.chunks.values()) {
      if (c.pending.delete(partId) && c.pending.size === 0) c.ready = true;
    }
  }

  /** The parts documents of the chunks whose parts are all across, taken for sending (give them back with `retake` if the request fails). */
  takeReady(): { _id: string; parts: string[] }[] {
    const docs: { _id: string; parts: string[] }[] = [];
    for (const [id, c] of this.chunks) if (c.ready) { c.ready = false; docs.push(partsDoc(id, c.parts)); }
    return docs;
  }

  hasReady(): boolean {
    for (const c of this.chunks.values()) if (c.ready) return true;
    return false;
  }

  /** A parts document the city did not take (the request failed): sent again with the next request. */
  retake(id: string): void {
    const c = this.chunks.get(id);
    if (c && c.pending.size === 0) c.ready = true;
  }

  /** The city holds the chunk (its document stored), or it goes whole after all: forgotten. */
  done(id: string): void { this.chunks.delete(id); }
}
