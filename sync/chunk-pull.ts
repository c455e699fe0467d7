// The files the city sends a ward (`warddesk city send`) come down the way the
// ward's own files go up (chunk-push.ts): the blob record, marked origin
// "city", arrives with the inbox pull; its chunks carry nothing but bytes (no
// origin, so the inbox selector never matches them), and a 50 MB PDF in one
// replication batch would be all-or-nothing on a weak link. So after the
// inbox pull, each city blob's missing chunks are fetched one binary GET each
// (`GET /db/chunk:<sha>/data`), checked against their hash and stored. A cut
// loses at most the chunks in flight: the next run skips what is stored. The
// checkpoint (a local sequence) passes a page of blobs only once every chunk
// of them is stored, so a file still incomplete at the city is asked for
// again at every run until it is whole.
import { chunkId } from './city-contract.js';
import { sha256Hex } from './chunks.js';
import { absent, pool, toBytes, type ChunkPassOptions } from './chunk-push.js';

export interface ChunkPullOptions extends ChunkPassOptions {
  /** Called after each chunk stored. */
  onFetched?: () => void;
  /** A chunk the city does not hold (yet) or holds corrupt; asked for again next run. */
  onIncomplete?: (blobId: string, chunk: string, reason: string) => void;
}

interface CityBlob { _id: string; origin?: string; chunks?: string[] }

const isCityBlob = (doc: { _id: string }): boolean => doc._id.startsWith('blob:') && (doc as CityBlob).origin === 'city' && Array.isArray((doc as CityBlob).chunks);

/** Fetches every missing chunk of the city's files written locally after `since`; returns how many came down. Throws on a link failure. */
export async function pullChunks(o: ChunkPullOptions): Promise<number> {
  let since = o.since;
  let fetched = 0;
  for (;;) {
    const page = await o.local.changes({ since, limit: o.page, include_docs: true, filter: isCityBlob });
    let whole = true;
    for (const change of page.results) {
      const blob = change.doc as CityBlob | undefined;
      if (!blob?.chunks) continue;
      const missing = await absent(o.local, [...new Set(blob.chunks)].map(chunkId));
      await pool(missing, o.concurrency, async (id) => {
        const got = await fetchChunk(o, id);
        if (got === true) { fetched += 1; o.onFetched?.(); return; }
        whole = false;
        o.onIncomplete?.(blob._id, id, got);
      });
    }
    const last = Number(page.last_seq);
    // An incomplete file holds the checkpoint where it is: the next run asks again.
    if (!whole) return fetched;
    if (Number.isFinite(last) && last > since) { since = last; await o.onPage(since); }
    if (page.results.length < o.page) return fetched;
  }
}

/** One chunk down; true when stored (or already there), else why not. */
async function fetchChunk(o: ChunkPullOptions, id: string): Promise<true | string> {
  let data: unknown;
  try {
    data = await o.remote.getAttachment(id, 'data');
  } catch (err) {
    if ((err as { status?: number }).status === 404) return 'the city does not hold this chunk (yet)';
    throw err;
  }
  const bytes = await toBytes(data);
  if ((await sha256Hex(bytes)) !== id.slice('chunk:'.length)) return 'the chunk the city holds does not match its sha-256';
  try {
    await o.local.put({ _id: id, _attachments: { data: { content_type: 'application/octet-stream', data: bytes } } } as unknown as Parameters<PouchDB.Database['put']>[0]);
  } catch (err) {
    // Stored meanwhile (the same bytes: the id is their hash).
    if ((err as { status?: number }).status !== 409) throw err;
  }
  return true;
}
