// The second pass of a push: the chunks of files, after every document,
// event, signature and blob record went up in the first (so a ward's records
// never wait behind a 50 MB scan). Chunks do not ride CouchDB replication
// batches, where a batch holding a big file is all-or-nothing and base64
// (+33 %): each goes up alone as the binary body of an attachment PUT
// (`PUT /db/chunk:<sha>/data`, plain CouchDB API), a few at a time to hide the
// latency. Before a page of chunks goes up, one `_all_docs` with their ids asks
// the city which it already has, so a file stored twice, a chunk shared by two
// files, or a chunk that made it just before a cut is never sent again. The
// page's local sequence is the chunk checkpoint: a cut resumes from the last
// completed page, and inside it skips what the city already confirmed. The
// next page's question goes out while a page uploads.
import { isChunkId } from './city-contract.js';
import { sha256Hex } from './chunks.js';

/** What a pass over chunks (up here, down in chunk-pull.ts) needs: both databases and a checkpoint. */
export interface ChunkPassOptions {
  local: PouchDB.Database;
  remote: PouchDB.Database;
  /** Local sequence up to which the pass is done (every chunk confirmed at the city, or every city file whole here). */
  since: number;
  page: number;
  concurrency: number;
  /** Called after each completed page with the new checkpoint. */
  onPage: (seq: number) => Promise<void>;
}

export interface ChunkPushOptions extends ChunkPassOptions {
  /** Called after each chunk the city stored. */
  onSent?: () => void;
  /** A chunk the city refused (validate_doc_update) or that is corrupt on the ward's disk. */
  onRefused: (id: string, reason: string) => void;
}

/** Sends every chunk written after `since`; returns how many went up. Throws on a link failure (the caller backs off). */
export async function pushChunks(o: ChunkPushOptions): Promise<number> {
  let since = o.since;
  let uploaded = 0;
  let next = askPage(o, since);
  for (;;) {
    const page = await next;
    // The city is asked about the next page while this one goes up: on a
    // 300 ms link the question left the link idle for a round trip per page.
    if (page.more) {
      next = askPage(o, page.last);
      next.catch(() => undefined); // awaited in the next turn; a cut before then is rethrown by this page's uploads
    }
    await pool(page.missing, o.concurrency, async (id) => { if (await upload(o, id)) { uploaded += 1; o.onSent?.(); } });
    if (page.last > since) { since = page.last; await o.onPage(since); }
    if (!page.more) return uploaded;
  }
}

/** One page of chunk ids after `since`, and which of them the city lacks. */
async function askPage(o: ChunkPushOptions, since: number): Promise<{ missing: string[]; last: number; more: boolean }> {
  const page = await o.local.changes({ since, limit: o.page, filter: (doc: { _id: string }) => isChunkId(doc._id) });
  const ids = [...new Set(page.results.filter((r) => !r.deleted).map((r) => r.id))];
  const last = Number(page.last_seq);
  return { missing: ids.length > 0 ? await absent(o.remote, ids) : [], last: Number.isFinite(last) ? last : since, more: page.results.length >= o.page };
}

/** Which of `ids` the database does not hold (also used by chunk-pull.ts on the ward's side). */
export async function absent(remote: PouchDB.Database, ids: string[]): Promise<string[]> {
  const have = await remote.allDocs({ keys: ids });
  return have.rows.filter((r) => 'error' in r || (r as { value?: { deleted?: boolean } }).value?.deleted).map((r) => r.key);
}

/** One chunk up; true when it was sent (false: refused, corrupt, or the city had it already). */
async function upload(o: ChunkPushOptions, id: string): Promise<boolean> {
  const data = await o.local.getAttachment(id, 'data');
  const bytes = await toBytes(data);
  if ((await sha256Hex(bytes)) !== id.slice('chunk:'.length)) {
    o.onRefused(id, 'the chunk on the ward\'s disk does not match its sha-256; not sent');
    return false;
  }
  try {
    await o.remote.putAttachment(id, 'data', undefined, data, 'application/octet-stream');
    return true;
  } catch (err) {
    const status = (err as { status?: number }).status;
    // Already there: CouchDB answers 409, the embedded server's rules 403 ("immutable").
    if (status === 409 || status === 403) {
      if ((await absent(o.remote, [id])).length === 0) return false;
      if (status === 403) { o.onRefused(id, String((err as { message?: string }).message ?? 'forbidden')); return false; }
    }
    throw err;
  }
}

/** Node gives a Buffer, browsers a Blob. */
export async function toBytes(data: unknown): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  const blob = data as { arrayBuffer?: () => Promise<ArrayBuffer> };
  if (typeof blob.arrayBuffer === 'function') return new Uint8Array(await blob.arrayBuffer());
  throw new Error('unexpected attachment data');
}

/** Runs `fn` over `items`, `n` at a time; after a failure starts nothing new and rethrows it once the others settle. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try { await fn(item); } catch (err) { failure ??= { err }; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
}
