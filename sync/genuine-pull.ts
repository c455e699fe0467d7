// Pulling records from the city without taking a forged branch home. PouchDB's
// replication copies every leaf of every document, and the winner is whatever
// revision number the forger chose; so the ward's inbox pull and
// `restore --from-city` read the changes themselves, fetch all leaves of each
// record with their histories, keep the genuine one (sync/genuine.ts) and
// write only it, history included, as replication would (`new_edits:false`).
// A tampered record is counted and reported; a record with no genuine leaf is
// skipped; nothing stops the pull.
import { judgeLeaves, needsChain, type Integrity, type Leaf } from './genuine.js';

export interface GenuinePullOptions {
  remote: PouchDB.Database;
  local: PouchDB.Database;
  since: number | string;
  /** Only documents the city's winning revision matches (the inbox: origin "city"). */
  selector?: Record<string, unknown>;
  /** Only these ids (the restore leaves chunks to their own, hash-checked pass). */
  takeId?: (id: string) => boolean;
  /** The ward's chain's digests for an id with branches (ward-records.ts at the city); without it such a record is skipped. */
  vouched?: (id: string) => Promise<string[]>;
  batch?: number;
  /**
   * Writes a page of genuine records to `local` (`new_edits:false`, histories included). The
   * ward node passes its own, which writes them under its ledger and updates its view in the
   * same step; by default a plain `bulkDocs`.
   */
  write?: (docs: Leaf[]) => Promise<void>;
  /** After each page is written: persist the checkpoint. */
  onPage?: (lastSeq: number | string) => Promise<void>;
  onTampered?: (id: string, integrity: Integrity) => void;
}

export interface GenuinePullResult { written: number; tampered: number; lastSeq: number | string }

type ChangesRow = { id: string; changes: { rev: string }[]; deleted?: boolean };

export async function pullGenuine(o: GenuinePullOptions): Promise<GenuinePullResult> {
  const batch = o.batch ?? 100;
  const result: GenuinePullResult = { written: 0, tampered: 0, lastSeq: o.since };
  for (;;) {
    const page = await o.remote.changes({ since: result.lastSeq, limit: batch, style: 'all_docs', ...(o.selector ? { selector: o.selector } : {}) }) as unknown as { results: ChangesRow[]; last_seq: number | string };
    const rows = page.results.filter((r) => !r.deleted && (!o.takeId || o.takeId(r.id)));
    const genuine: Leaf[] = [];
    for (const [id, leaves] of await leavesOf(o.remote, rows)) {
      const integrity = await judgeLeaves(leaves, needsChain(leaves) && o.vouched ? await o.vouched(id) : null);
      if (integrity.state === 'tampered') { result.tampered += 1; o.onTampered?.(id, integrity); }
      if (integrity.doc) genuine.push(integrity.doc);
    }
    if (genuine.length > 0) {
      await (o.write ?? ((docs) => writeLeaves(o.local, docs)))(genuine);
      result.written += genuine.length;
    }
    result.lastSeq = page.last_seq;
    await o.onPage?.(result.lastSeq);
    if (page.results.length < batch) return result;
  }
}

/** Every leaf of each changed record, with its revision history and attachments, the winner first. */
async function leavesOf(remote: PouchDB.Database, rows: readonly ChangesRow[]): Promise<Map<string, Leaf[]>> {
  const out = new Map<string, Leaf[]>();
  if (rows.length === 0) return out;
  const got = await remote.bulkGet({ docs: rows.flatMap((r) => r.changes.map((c) => ({ id: r.id, rev: c.rev }))), revs: true, attachments: true });
  for (const r of got.results) {
    for (const d of r.docs) {
      if (!('ok' in d) || !d.ok) continue;
      out.set(r.id, [...(out.get(r.id) ?? []), d.ok as unknown as Leaf]);
    }
  }
  for (const leaves of out.values()) leaves.sort(byWinner);
  return out;
}

/** CouchDB's winner: a live leaf before a deleted one, then the longer history, then the greater revision hash. */
function byWinner(a: Leaf, b: Leaf): number {
  const dead = Number(a._deleted === true) - Number(b._deleted === true);
  if (dead !== 0) return dead;
  const [pa, ha] = splitRev(a._rev);
  const [pb, hb] = splitRev(b._rev);
  return pb - pa || (hb > ha ? 1 : hb < ha ? -1 : 0);
}

function splitRev(rev: string | undefined): [number, string] {
  const s = rev ?? '0-';
  return [Number.parseInt(s, 10) || 0, s.slice(s.indexOf('-') + 1)];
}

/** Writes pulled records as replication does: their own revisions and histories (`new_edits:false`). */
export async function writeLeaves(local: PouchDB.Database, docs: readonly Leaf[]): Promise<void> {
  await local.bulkDocs(docs as Parameters<PouchDB.Database['bulkDocs']>[0], { new_edits: false });
}
