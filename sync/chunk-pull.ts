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
import { chunkCap, type Body } from './chunk-read.js';
import { readChunk, type CityGet } from './chunk-parts.js';
import { absent, pool, type ChunkPassOptions } from './chunk-push.js';

export interface ChunkPullOptions extends ChunkPassOptions {
  /** Called after each chunk stored. */
  onFetched?: () => void;
  /** A chunk the city does not hold (yet); asked for again next run. */
  onIncomplete?: (blobId: string, chunk: string, reason: string) => void;
  /** A chunk the city holds too large or not matching its hash: skipped, never stored, not asked for again. */
  onBad?: (blobId: string, chunk: string, reason: string) => void;
  /** Chunks already found bad (persisted by the caller): not fetched again. */
  bad?: ReadonlySet<string>;
}

interface CityBlob { _id: string; origin?: string; chunkSize?: number; chunks?: string[] }

const isCityBlob = (doc: { _id: string }): boolean => doc._id.startsWith('blob:') && (doc as CityBlob).origin === 'city' && Array.isArray((doc as CityBlob).chunks);

/**
 * Fetches every missing chunk of the city's files written locally after
 * `since`; returns how many came down. Throws on a link failure. A chunk the
 * city does not hold yet holds the checkpoint (asked again next run), but the
 * pages after it are still fetched; a bad chunk is skipped and reported once,
 * so one broken file neither stalls the files after it nor is fetched forever.
 */
export async function pullChunks(o: ChunkPullOptions): Promise<number> {
  let since = o.since;
  let fetched = 0;
  let held = false;
  const bad = new Set(o.bad);
  for (;;) {
    const page = await o.local.changes({ since, limit: o.page, include_docs: true, filter: isCityBlob });
    for (const change of page.results) {
      const blob = change.doc as CityBlob | undefined;
      if (!blob?.chunks) continue;
      const ids = [...new Set(blob.chunks)].map(chunkId);
      if (ids.some((id) => bad.has(id))) continue;
      let waiting = false;
      await pool(await absent(o.local, ids), o.concurrency, async (id) => {
        const got = await fetchChunk(o, id, chunkCap(blob.chunkSize));
        if (got === true) { fetched += 1; o.onFetched?.(); return; }
        if (got.bad) { bad.add(id); o.onBad?.(blob._id, id, got.reason); return; }
        waiting = true;
        o.onIncomplete?.(blob._id, id, got.reason);
      });
      // A file with a bad chunk can never be whole: it does not hold the checkpoint.
      if (waiting && !ids.some((id) => bad.has(id))) held = true;
    }
    const last = Number(page.last_seq);
    // The checkpoint stays before the first file still waiting for a chunk.
    if (Number.isFinite(last) && last > since) {
      since = last;
      if (!held) await o.onPage(since);
    }
    if (page.results.length < o.page) return fetched;
  }
}

type Fetched = true | { bad: boolean; reason: string; mismatch?: boolean };
type RemoteFetch = (path: string, init?: Record<string, unknown>) => Promise<{ ok: boolean; status: number; body: Body; text(): Promise<string> }>;

/**
 * One chunk down; bytes that do not match their hash are fetched again
 * (twice more) before the chunk is called bad: a link that damages bytes in
 * transit must not make a good file at the city look corrupt for ever.
 */
async function fetchChunk(o: ChunkPullOptions, id: string, cap: number): Promise<Fetched> {
  let got = await fetchOnce(o, id, cap);
  for (let again = 0; again < 2 && got !== true && got.bad && got.mismatch; again += 1) got = await fetchOnce(o, id, cap);
  return got;
}

/** One chunk down, streamed and capped (sync/chunk-read.ts); true when stored (or already there), else why not. */
async function fetchOnce(o: ChunkPullOptions, id: string, cap: number): Promise<Fetched> {
  // PouchDB's HTTP adapter: the database's URL, credentials and fetch (with its timeout), and the raw response.
  const get: CityGet = async (path) => {
    const res = await (o.remote as unknown as { fetch: RemoteFetch }).fetch(path.split('/').map(encodeURIComponent).join('/'), { method: 'GET' });
    if (res.status === 404) { await res.text().catch(() => ''); return null; }
    if (!res.ok) throw Object.assign(new Error(`GET ${path}: HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`), { status: res.status });
    return { body: res.body, json: async () => JSON.parse(await res.text()) as unknown };
  };
  // Whole, or in parts when a ward's own upload over a short-lived link left it so (sync/chunk-parts.ts).
  const piece = await readChunk(get, id.slice('chunk:'.length), cap);
  if (!piece) return { bad: false, reason: 'the city does not hold this chunk (yet)' };
  if (!piece.ok) return { bad: true, mismatch: piece.reason === 'hash-mismatch', reason: `the chunk the city holds is ${piece.reason === 'too-large' ? 'too large' : 'not what its sha-256 names'}: ${piece.detail}` };
  try {
    await o.local.put({ _id: id, _attachments: { data: { content_type: 'application/octet-stream', data: piece.bytes } } } as unknown as Parameters<PouchDB.Database['put']>[0]);
  } catch (err) {
    // Stored meanwhile (the same bytes: the id is their hash).
    if ((err as { status?: number }).status !== 409) throw err;
  }
  return true;
}
