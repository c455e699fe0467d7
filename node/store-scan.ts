// Reads the docs store's LevelDB directly, in PouchDB's own layout
// (pouchdb-adapter-leveldb-core, PouchDB 9): the sublevel `document-store`
// holds each document's metadata (revision tree, winning revision, latest
// seq, deleted) under its id; `by-sequence` holds each revision's body under
// its seq (16 digits). PouchDB's allDocs walks the same two through levelup,
// sublevel codecs and object streams at ~8,700 records/s (with the view's
// folding); read here, 30,000–60,000 records/s on this project's 2-vCPU
// machine (docs/decisions/0012).
//
// Only reads, on the handle PouchDB has open (LevelDB allows one per
// directory), through that handle's gate (store-gate.ts): a reopen after a
// full disk waits for them. An iterator reads one LevelDB snapshot; a body
// whose revision was compacted away meanwhile is read through PouchDB.
import type { LevelDown } from 'leveldown';

const DOC_STORE = '\xffdocument-store\xff';
const BY_SEQ = '\xffby-sequence\xff';

/** A node of PouchDB's revision tree: [hash, { deleted? }, children]. */
type RevNode = [string, { deleted?: boolean; status?: string }, RevNode[]];
/** What PouchDB keeps of a document beside its bodies. */
export interface StoredMeta {
  id: string;
  /** The seq of the document's latest change. */
  seq: number;
  rev_tree: { pos: number; ids: RevNode }[];
  rev_map: Record<string, number>;
  winningRev?: string;
  deleted?: boolean;
}

/** The part of leveldown's (abstract-leveldown 7) interface read here; its typings lack options and getMany. */
interface Native {
  iterator(options: object): { next(cb: (err: Error | null, key: unknown, value: unknown) => void): void; end(cb: (err?: Error) => void): void };
  getMany(keys: string[], options: object, cb: (err: Error | null, values: (string | undefined)[]) => void): void;
}

/** A PouchDB database and the LevelDB handle under it. */
export interface StoreLevel { db: PouchDB.Database; handle: LevelDown }

const levels = new WeakMap<PouchDB.Database, StoreLevel>();

/** Called by the store for the docs database it opened on a (gated) handle. */
export function registerLevel(db: PouchDB.Database, handle: LevelDown): void { levels.set(db, { db, handle }); }

/** The LevelDB under `db`, when the store opened it (null for a PouchDB opened elsewhere: read through PouchDB then). */
export function levelOf(db: PouchDB.Database): StoreLevel | null { return levels.get(db) ?? null; }

/**
 * The handle, for one native call made right away. leveldown aborts the
 * process on an operation started on a closed handle; PouchDB marks itself
 * closed before closing it, so this check and the call, in one synchronous
 * step, never start one. (A reopen after a full disk is the gate's business.)
 */
function native(level: StoreLevel): Native {
  if ((level.db as unknown as { _closed?: boolean })._closed) throw new Error('database is closed');
  return level.handle as unknown as Native;
}

/** Metadata of the documents with ids in [from, to), in id order, deleted ones too. */
export async function* scanMeta(level: StoreLevel, from: string, to: string): AsyncGenerator<StoredMeta> {
  // 256 KB a step: LevelDB hands over many entries per crossing into JavaScript.
  const it = native(level).iterator({ gte: DOC_STORE + from, lt: DOC_STORE + to, keys: false, keyAsBuffer: false, valueAsBuffer: false, highWaterMark: 256 * 1024 });
  try {
    for (;;) {
      native(level); // the iterator itself is made on its first read
      const value = await new Promise<string | undefined>((ok, fail) => it.next((err: Error | null, _key: unknown, v: unknown) => (err ? fail(err) : ok(v as string | undefined))));
      if (value === undefined) return;
      yield JSON.parse(value) as StoredMeta;
    }
  } finally {
    await new Promise<void>((ok) => it.end(() => ok()));
  }
}

/**
 * The current bodies of the documents with ids in [from, to), in id order, as
 * PouchDB's allDocs({ include_docs: true }) gives them: the winning revision,
 * with `_id` and `_rev`; deleted documents left out.
 */
export async function* scanDocs(level: StoreLevel, from: string, to: string, batch = 512): AsyncGenerator<Record<string, unknown>> {
  // One batch is read from LevelDB (on libuv's threads) while the one before is folded: two cores, both busy.
  let ahead: Promise<Record<string, unknown>[]> | null = null;
  let metas: StoredMeta[] = [];
  try {
    for await (const meta of scanMeta(level, from, to)) {
      if (isDeleted(meta)) continue;
      metas.push(meta);
      if (metas.length < batch) continue;
      const next = bodiesOf(level, metas);
      metas = [];
      if (ahead) yield* await ahead;
      ahead = next;
    }
    if (metas.length > 0) { const last = bodiesOf(level, metas); if (ahead) yield* await ahead; ahead = last; }
    if (ahead) yield* await ahead;
  } finally {
    void ahead?.catch(() => undefined); // a reader that stopped early leaves no rejection unhandled
  }
}

/**
 * The current bodies of these documents, in two native reads (one getMany of
 * their metadata, one of their bodies) where PouchDB's get takes two reads a
 * document through its task queue, streams and codecs: the cold read of a
 * document about to change (node/projection.ts), ~a fifth of a numbering's
 * CPU that way. Deleted and missing ones are left out; what is read stays in
 * LevelDB's block cache.
 */
export async function readCurrent(level: StoreLevel, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  const metas = (await readMeta(level, ids, true)).filter((m): m is StoredMeta => m !== null && !isDeleted(m));
  return bodiesOf(level, metas, true);
}

/** The winning bodies of these documents, in their order. */
async function bodiesOf(level: StoreLevel, metas: readonly StoredMeta[], fillCache = false): Promise<Record<string, unknown>[]> {
  const winners = metas.map(winnerOf);
  const values = await getMany(level, metas.map((m, i) => BY_SEQ + formatSeq(m.rev_map[winners[i]!]!)), fillCache);
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < metas.length; i++) {
    const value = values[i];
    if (value === undefined) {
      // Compacted since the metadata was read: PouchDB reads the revision that wins now.
      const doc = await level.db.get(metas[i]!.id).catch(() => null) as Record<string, unknown> | null;
      if (doc) docs.push(doc);
      continue;
    }
    const doc = JSON.parse(value) as Record<string, unknown>;
    doc['_rev'] = winners[i];
    docs.push(doc);
  }
  return docs;
}

/** The metadata of these ids (null where the store has none), in one read. */
export async function readMeta(level: StoreLevel, ids: readonly string[], fillCache = false): Promise<(StoredMeta | null)[]> {
  const values = await getMany(level, ids.map((id) => DOC_STORE + id), fillCache);
  return values.map((v) => (v === undefined ? null : JSON.parse(v) as StoredMeta));
}

/** The document's current revision deleted? */
export function isDeleted(meta: StoredMeta): boolean {
  return meta.deleted ?? isDeletedRev(meta, winnerOf(meta));
}

/**
 * Every leaf revision, as PouchDB's changes({ style: 'all_docs' }) lists them
 * (pouchdb-merge collectLeaves: the tree walked from its last root, depth
 * first, then by position, highest first).
 */
export function leavesOf(meta: StoredMeta): string[] {
  const leaves: { rev: string; pos: number }[] = [];
  walk(meta, (pos, node) => { if (node[2].length === 0) leaves.push({ rev: `${pos}-${node[0]}`, pos }); });
  return leaves.sort((a, b) => a.pos - b.pos).reverse().map((l) => l.rev);
}

/** The winning revision: cached on the metadata since PouchDB 6; else CouchDB's rule (not deleted, longest, highest hash). */
export function winnerOf(meta: StoredMeta): string {
  if (meta.winningRev) return meta.winningRev;
  let best: { hash: string; pos: number; deleted: boolean } | null = null;
  walk(meta, (pos, node) => {
    if (node[2].length > 0) return;
    const deleted = node[1].deleted === true;
    if (!best || (best.deleted !== deleted ? best.deleted : best.pos !== pos ? best.pos < pos : best.hash < node[0])) best = { hash: node[0], pos, deleted };
  });
  const b = best as { hash: string; pos: number } | null;
  return b ? `${b.pos}-${b.hash}` : '';
}

function isDeletedRev(meta: StoredMeta, rev: string): boolean {
  let deleted = false;
  walk(meta, (pos, node) => { if (`${pos}-${node[0]}` === rev) deleted = node[1].deleted === true; });
  return deleted;
}

/** PouchDB's traverseRevTree order: a stack, roots from the last. */
function walk(meta: StoredMeta, visit: (pos: number, node: RevNode) => void): void {
  const stack: { pos: number; node: RevNode }[] = meta.rev_tree.map((t) => ({ pos: t.pos, node: t.ids }));
  for (let top = stack.pop(); top; top = stack.pop()) {
    visit(top.pos, top.node);
    for (const child of top.node[2]) stack.push({ pos: top.pos + 1, node: child });
  }
}

function formatSeq(n: number): string { return String(n).padStart(16, '0'); }

/** `fillCache`: false for scans (they would push out what is hot), true for a document about to be used. */
function getMany(level: StoreLevel, keys: string[], fillCache: boolean): Promise<(string | undefined)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return new Promise((ok, fail) => native(level).getMany(keys, { asBuffer: false, fillCache }, (err, values) => (err ? fail(err) : ok(values))));
}
