// The second pass of a push: the chunks of files, after every document,
// event, signature and blob record went up in the first (so a ward's records
// never wait behind a 50 MB scan). Chunks do not ride CouchDB replication
// batches, where a batch holding a big file is all-or-nothing: they go up in
// units sized to the link (sync/link-estimate.ts) — one `_bulk_docs` request
// carries as many stored chunks as the unit holds, base64 in JSON, which the
// wire gzip (sync/wire-gzip.ts) brings back to ~1.01× the raw bytes; a few
// units are in flight at once to hide the latency. A cut loses the units in
// flight and nothing else. Before a page of chunks goes up, one `_all_docs`
// with their ids asks the city which it already has, so a file stored twice,
// a chunk shared by two files, or a chunk that made it just before a cut is
// never sent again. The page's local sequence is the chunk checkpoint: a cut
// resumes from the last completed page, and inside it skips what the city
// already confirmed. The next page's question goes out while a page uploads.
import { CHUNK_BYTES, isChunkId } from './city-contract.js';
import { sha256Hex } from './chunks.js';
import { PartsLedger, splitChunk } from './chunk-parts.js';
import { toBase64 } from './wire-gzip.js';

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
  /** The link's current plan, read again for every unit (the link can change mid-pass); without it, one chunk a request. */
  plan?: () => { unitBytes: number; concurrency: number; pageChunks: number; paceBytesPerSecond?: number; partBytes?: number; rttMs?: number };
  /** How long to hold a unit of so many bytes that would not reach the city before the link's next scheduled cut (link-estimate.ts holdMs). */
  hold?: (bytes: number) => number;
  /** Called after each page: the records written meanwhile go up here, so a long file never holds them back by more than a page. */
  between?: () => Promise<void>;
  /**
   * Kept by the caller across runs: where a pass stopped (a cut) and which of
   * its page's chunks had not left yet or were in flight. The retry starts
   * uploading the first at once instead of asking the city about the whole
   * page again — a round trip, 1.6 s of a 5 s up-period on an 800 ms link —
   * and asks only about those in flight, alongside.
   */
  memory?: ChunkMemory;
}

/** What the replicator keeps between runs: where the last pass stopped, and the chunks going up in parts. */
export interface ChunkMemory {
  stopped: StoppedPage | null;
  parts?: PartsLedger;
  /** The city refused a parts document (rules older than version 6): chunks go whole from then on. */
  wholeOnly?: boolean;
  /**
   * The next page the city was already asked about when a cut ended the run
   * (its chunks not sent yet, so what the city lacked then it lacks now):
   * the retry starts on it instead of asking again, a round trip of 1.6 s of
   * a 5 s up-period on flap64.
   */
  asked?: { since: number; page: ChunkPage };
  /** Stored chunks read for upload and their bytes: pages hold more of them when they are small. */
  sizes?: { chunks: number; bytes: number };
}

/** A page cut short: the chunks not sent yet (the city lacks them) and those whose answer never came. */
export interface StoppedPage { since: number; last: number; more: boolean; unsent: string[]; inFlight: string[] }

/** Sends every chunk written after `since`; returns how many went up. Throws on a link failure (the caller backs off). */
export async function pushChunks(o: ChunkPushOptions): Promise<number> {
  const parts = o.memory ? (o.memory.parts ??= new PartsLedger()) : new PartsLedger();
  let since = o.since;
  let uploaded = 0;
  // A page is sized in stored chunks of CHUNK_BYTES; small files are one small chunk each (a 3 KB PDF), and
  // each page ends with its last answers' round trip on an idle link (1.6 s per 6 s of link on flap64 at
  // 1/64 scale): pages hold as many more chunks as the recent chunks are smaller.
  // Kept across runs: on flap64 every run is one up-period, too short to see eight chunks.
  const sizes = o.memory ? (o.memory.sizes ??= { chunks: 0, bytes: 0 }) : { chunks: 0, bytes: 0 };
  const pageSize = () => {
    const chunks = o.plan?.().pageChunks ?? o.page;
    if (sizes.chunks < 8) return chunks;
    // At most 4×, from the recent chunks only: the page after many small files may be a scan's full chunks,
    // and records written meanwhile wait for the page under way (fairness).
    return Math.round(chunks * Math.min(4, Math.max(1, CHUNK_BYTES / (sizes.bytes / sizes.chunks))));
  };
  let next = resumePage(o, since) ?? askPage(o, since, pageSize());
  for (;;) {
    const page = await next;
    // The city is asked about the next page while this one goes up: on a
    // 300 ms link the question left the link idle for a round trip per page.
    if (page.more) {
      next = askPage(o, page.last, pageSize());
      next.catch(() => undefined); // awaited in the next turn; a cut before then is rethrown by this page's uploads
    }
    // Those still in doubt count as in flight until the city said which it lacks.
    const track = { queue: [...page.missing], inFlight: new Set<string>(page.doubtfulIds ?? []), sizes };
    try {
      uploaded += await uploadAll(o, track, parts);
      // Those in flight at the last cut were asked about alongside: the ones still missing go last.
      if (page.doubtful) {
        const lacking = await page.doubtful;
        const missing = new Set(lacking);
        for (const id of page.doubtfulIds ?? []) {
          track.inFlight.delete(id);
          // Across before the cut: a part counts as acknowledged, a chunk's parts document as stored.
          if (!missing.has(id)) { parts.acked(id); parts.done(id); }
        }
        track.queue.push(...lacking);
        uploaded += await uploadAll(o, track, parts);
      }
    } catch (err) {
      if (o.memory) o.memory.stopped = { since, last: page.last, more: page.more, unsent: track.queue, inFlight: [...track.inFlight] };
      throw err;
    }
    if (o.memory) o.memory.stopped = null;
    if (page.last > since) { since = page.last; await o.onPage(since); }
    if (page.more) await o.between?.();
    if (!page.more) {
      // A pass that ran to its end keeps no answer: the next run's first page must be asked afresh
      // (kept, an empty last page hid every chunk written after it from the runs that followed).
      if (o.memory) o.memory.asked = undefined;
      return uploaded;
    }
  }
}

type ChunkPage = { missing: string[]; last: number; more: boolean; doubtful?: Promise<string[]>; doubtfulIds?: string[] };

/** The page a cut stopped, from memory: its unsent chunks go at once; those in flight are asked about first. */
function resumePage(o: ChunkPushOptions, since: number): Promise<ChunkPage> | null {
  const stopped = o.memory?.stopped;
  if (!stopped || stopped.since !== since) return null;
  const doubtful = stopped.inFlight.length > 0 ? absent(o.remote, stopped.inFlight) : Promise.resolve([]);
  doubtful.catch(() => undefined); // awaited after the unsent ones; a cut before then is rethrown by their uploads
  return Promise.resolve({ missing: stopped.unsent, last: stopped.last, more: stopped.more, doubtful, doubtfulIds: stopped.inFlight });
}

/** One page of chunk ids after `since`, and which of them the city lacks (from memory when a cut came after the answer). */
async function askPage(o: ChunkPushOptions, since: number, limit: number): Promise<ChunkPage> {
  const kept = o.memory?.asked;
  // Kept until the pass moves past it: a retry cut again before that page started still needs it.
  if (kept && kept.since === since) return kept.page;
  const answer = await askCity(o, since, limit);
  if (o.memory) o.memory.asked = { since, page: answer };
  return answer;
}

async function askCity(o: ChunkPushOptions, since: number, limit: number): Promise<ChunkPage> {
  const page = await o.local.changes({ since, limit, filter: (doc: { _id: string }) => isChunkId(doc._id) });
  const ids = [...new Set(page.results.filter((r) => !r.deleted).map((r) => r.id))];
  const last = Number(page.last_seq);
  return { missing: ids.length > 0 ? await absent(o.remote, ids) : [], last: Number.isFinite(last) ? last : since, more: page.results.length >= limit };
}

/** Which of `ids` the database does not hold (also used by chunk-pull.ts on the ward's side). */
export async function absent(remote: PouchDB.Database, ids: string[]): Promise<string[]> {
  const have = await remote.allDocs({ keys: ids });
  return have.rows.filter((r) => 'error' in r || (r as { value?: { deleted?: boolean } }).value?.deleted).map((r) => r.key);
}

/**
 * Sends `ids` in units: each worker takes chunks off the queue until the
 * plan's unit is full, checks each against its hash, and sends them in one
 * request. Returns how many the city stored.
 */
async function uploadAll(o: ChunkPushOptions, track: { queue: string[]; inFlight: Set<string>; sizes: { chunks: number; bytes: number } }, parts: PartsLedger): Promise<number> {
  const { queue, inFlight } = track;
  const total = queue.length;
  let sent = 0;
  const plan = () => o.plan?.() ?? { unitBytes: 1, concurrency: o.concurrency, pageChunks: o.page };
  let failed = false;
  /** Halved when the city (or a proxy) answers 413 to a unit: bodies that large do not get through. */
  let cap = Infinity;
  // Paced (link-estimate.ts, PACE_MARGIN): a unit leaves once the bytes sent before it should be across at the
  // plan's rate, read again while waiting, so units queued under a first guess go as soon as the link is measured.
  const pace = { start: 0, bytes: 0 };
  const paced = async (bytes: number) => {
    for (;;) {
      const rate = plan().paceBytesPerSecond;
      if (!rate || failed) break;
      const now = globalThis.performance.now(); // monotonic: a wall clock set back a day must not hold the upload a day
      if (pace.bytes === 0) pace.start = now;
      const due = pace.start + (pace.bytes * 1000) / rate;
      // No credit for idle time: a link idle for a while does not get a burst.
      if (due <= now) { pace.start = now - (pace.bytes * 1000) / rate; break; }
      await new Promise((r) => setTimeout(r, Math.min(250, due - now)));
    }
    pace.bytes += bytes;
  };
  const worker = async (): Promise<void> => {
    // After a failure (a cut) no worker starts another unit: the run is over.
    // Parts documents whose parts all came across ride the next request (or one of their own at the end).
    while ((queue.length > 0 || parts.hasReady()) && !failed) {
      const unit: { id: string; bytes: Uint8Array }[] = [];
      let size = 0;
      const limit = Math.min(cap, plan().unitBytes);
      while (queue.length > 0 && (unit.length === 0 || size < limit)) {
        const id = queue.shift()!;
        const bytes = await unitBytes(o, id, parts, queue, plan().partBytes, track.sizes);
        if (!bytes) continue;
        if (unit.length > 0 && size + bytes.byteLength > limit) { queue.unshift(id); break; }
        unit.push({ id, bytes });
        size += bytes.byteLength;
      }
      const docs = parts.takeReady();
      if (unit.length === 0 && docs.length === 0) continue;
      await paced(size);
      for (let wait = o.hold?.(size) ?? 0; wait > 0 && !failed; wait = o.hold?.(size) ?? 0) await new Promise((r) => setTimeout(r, Math.min(250, wait)));
      if (failed) { queue.unshift(...unit.map((c) => c.id)); for (const d of docs) parts.retake(d._id); break; }
      for (const c of [...unit, ...docs.map((d) => ({ id: d._id }))]) inFlight.add(c.id);
      const leftAt = globalThis.performance.now();
      try {
        if (unit.length === 1 && docs.length === 0) sent += (await uploadOne(o, unit[0]!.id, unit[0]!.bytes)) ? 1 : 0;
        else sent += await uploadUnit(o, unit, docs, parts, queue);
        for (const c of [...unit, ...docs.map((d) => ({ id: d._id }))]) inFlight.delete(c.id);
        for (const c of unit) parts.acked(c.id);
      } catch (err) {
        if ((err as { status?: number }).status === 413 && unit.length + docs.length > 1) {
          cap = Math.max(1, Math.floor(unit.reduce((n, c) => n + c.bytes.byteLength, 0) / 2));
          queue.unshift(...unit.map((c) => c.id));
          for (const d of docs) parts.retake(d._id);
          for (const c of [...unit, ...docs.map((d) => ({ id: d._id }))]) inFlight.delete(c.id);
          continue;
        }
        failed = true;
        // Failed sooner than a one-way trip: it never reached the city (a try while the link is still down).
        // Not in doubt, so the retry sends it at once rather than asking about it first (a round trip).
        if (globalThis.performance.now() - leftAt < (plan().rttMs ?? 0) / 2) {
          for (const c of [...unit, ...docs.map((d) => ({ id: d._id }))]) inFlight.delete(c.id);
          queue.unshift(...unit.map((c) => c.id));
          for (const d of docs) parts.retake(d._id);
        }
        throw err;
      }
    }
  };
  // As many workers as the plan allows, not fewer for a short queue: a chunk split into parts lengthens it,
  // and a resumed page with two chunks left had held the whole up-period to two requests at a time.
  // Small files make units smaller than the plan's (one 3 KB chunk where 4 KiB were planned): more of them
  // then keep the same bytes in flight, as the bandwidth-delay product wants.
  const unit = plan().unitBytes;
  const average = track.sizes.chunks > 0 ? track.sizes.bytes / track.sizes.chunks : unit;
  const count = Math.min(2 * plan().concurrency, Math.ceil(plan().concurrency * Math.max(1, unit / average)));
  const workers = Array.from({ length: total > 0 || parts.hasReady() ? count : 0 }, () => worker);
  await pool(workers, workers.length, (run) => run());
  return sent;
}

/**
 * The bytes to send for `id`, checked against its hash; null when there is
 * nothing to send for it (corrupt on disk, reported; or split into parts,
 * which now lead the queue). A stored chunk larger than the plan's part goes
 * in parts (sync/chunk-parts.ts), unless the city refused parts before.
 */
async function unitBytes(o: ChunkPushOptions, id: string, parts: PartsLedger, queue: string[], partBytes: number | undefined, sizes: { chunks: number; bytes: number }): Promise<Uint8Array | null> {
  const part = parts.part(id);
  if (part) return part;
  if (parts.has(id)) { queue.unshift(...parts.pending(id)); return null; }
  if (parts.isPart(id)) return null; // a part already across, queued again by a second chunk that shares it
  const bytes = await toBytes(await o.local.getAttachment(id, 'data'));
  if ((await sha256Hex(bytes)) !== id.slice('chunk:'.length)) { o.onRefused(id, 'the chunk on the ward\'s disk does not match its sha-256; not sent'); return null; }
  sizes.chunks += 1;
  sizes.bytes += bytes.byteLength;
  if (sizes.chunks >= 64) { sizes.chunks /= 2; sizes.bytes /= 2; } // the recent chunks weigh most
  if (!o.memory?.wholeOnly && partBytes !== undefined && partBytes < bytes.byteLength) {
    queue.unshift(...parts.split(id, await splitChunk(bytes, partBytes)));
    return null;
  }
  return bytes;
}

/** One chunk alone goes as the binary body of an attachment PUT: no base64, nothing to compress. True when it was stored. */
async function uploadOne(o: ChunkPushOptions, id: string, bytes: Uint8Array): Promise<boolean> {
  try {
    await o.remote.putAttachment(id, 'data', undefined as unknown as string, bytes as unknown as Blob, 'application/octet-stream');
    o.onSent?.();
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

type RemoteFetch = (path: string, init?: Record<string, unknown>) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> }>;
type BulkRow = { id?: string; ok?: boolean; error?: string; reason?: string };

/**
 * One unit up as `_bulk_docs` (plain CouchDB API): each chunk a new document
 * with its bytes inline. A chunk already at the city comes back as a
 * conflict (CouchDB) or "immutable" (the embedded city's rules); another
 * refusal is reported. Throws on a link failure or an HTTP error.
 */
async function uploadUnit(o: ChunkPushOptions, unit: readonly { id: string; bytes: Uint8Array }[], partsDocs: readonly { _id: string; parts: string[] }[] = [], ledger?: PartsLedger, queue?: string[]): Promise<number> {
  const docs = [...unit.map((c) => ({ _id: c.id, _attachments: { data: { content_type: 'application/octet-stream', data: toBase64(c.bytes) } } })), ...partsDocs];
  // PouchDB's HTTP adapter: the database's URL, credentials and fetch (counting, timing, gzip), and the raw response.
  const res = await (o.remote as unknown as { fetch: RemoteFetch }).fetch('_bulk_docs', {
    method: 'POST', headers: new Headers({ 'Content-Type': 'application/json', Accept: 'application/json' }), body: JSON.stringify({ docs }),
  });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw Object.assign(new Error(`POST _bulk_docs (${unit.length} chunks): HTTP ${res.status} ${text.slice(0, 200)}`), { status: res.status });
  }
  const rows = await res.json() as BulkRow[];
  if (!Array.isArray(rows) || rows.length !== docs.length) throw new Error('POST _bulk_docs: the city answered something else than one row per chunk');
  let stored = 0;
  const doubtful: { id: string; reason: string }[] = [];
  const isPartsDoc = (id: string) => partsDocs.some((p) => p._id === id);
  for (const [i, row] of rows.entries()) {
    // By the row's id: CouchDB answers in the request's order, the embedded city's validation puts refusals first.
    const id = row.id ?? docs[i]!._id;
    if (row.ok || !row.error) { stored += 1; o.onSent?.(); }
    // Already there: CouchDB answers conflict; the embedded server's rules forbid ("immutable").
    else if (row.error !== 'conflict') { doubtful.push({ id, reason: String(row.reason ?? row.error) }); continue; }
    if (isPartsDoc(id)) ledger?.done(id);
  }
  if (doubtful.length > 0) {
    const missing = new Set(await absent(o.remote, doubtful.map((d) => d.id)));
    for (const d of doubtful) {
      if (!missing.has(d.id)) { if (isPartsDoc(d.id)) ledger?.done(d.id); continue; }
      if (isPartsDoc(d.id) && o.memory) {
        // A city whose rules predate chunks in parts: this chunk, and every one after it, goes whole.
        o.memory.wholeOnly = true;
        ledger?.done(d.id);
        queue?.push(d.id);
        continue;
      }
      o.onRefused(d.id, d.reason);
    }
  }
  return stored;
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
