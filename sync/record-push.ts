// The first pass of a push: the ward's records (doc:, ev:, user:, blob:,
// audit:) up to the city, by our own loop instead of PouchDB's replicate()
// (issue 19). PouchDB's replication spends five round trips before its first
// checkpoint (server info, checkpoint read at the city, `_revs_diff`,
// `_bulk_docs`, checkpoint write at the city); on a dongle at 800 ms each way
// that is up 5 s at a time, those do not fit in an up-period, so no batch was
// ever confirmed and the records never converged. Here a batch is two round
// trips — `_revs_diff`, then `_bulk_docs` with `new_edits: false`, exactly
// the requests CouchDB's replicator makes, so real CouchDB 3.4 takes them
// and the city's validate_doc_update judges every revision as before — and
// the checkpoint is kept at the ward, written after each batch the city
// acknowledged. The city's answer is the truth: a batch whose answer was lost
// to a cut is asked about again (`_revs_diff`) and only what is missing is
// re-sent; storing a revision the city already has is a no-op for CouchDB.
// The next two batches' `_revs_diff` go out while a batch uploads, and two
// batches are on the way at once, so on a link that stays up the round trips
// hide behind the bytes.
import { isReplicatedId } from './city-contract.js';

export interface RecordPushOptions {
  local: PouchDB.Database;
  remote: PouchDB.Database;
  /** Local sequence up to which the city confirmed every record. */
  since: number;
  /** How many changes to take into one batch (from the byte budget and the records' average size). */
  batchDocs: () => number;
  /** After each acknowledged batch: persist the new checkpoint. */
  onBatch: (seq: number, written: number) => Promise<void>;
  /** A revision the city refused (validate_doc_update: 403/401 for that document). */
  onRefused: (id: string, reason: string) => void;
}

type RevsDiff = { revsDiff(revs: Record<string, string[]>): Promise<Record<string, { missing?: string[] }>> };
type Change = { id: string; seq: number; changes: { rev: string }[] };
interface Page { changes: Change[]; missing: Record<string, string[]>; last: number; more: boolean }

/**
 * Sends every record written after `since`; returns how many revisions the
 * city stored. Throws on a link failure or a 413. Two batches are on the way
 * at once, and the city is asked about the two next ones together: at 800 ms
 * each way a batch of 7 KB is 0.9 s of bytes and 1.6 s of waiting, and one
 * question and one batch at a time left the link idle most of each 5 s
 * up-period (flap64: one or two batches acknowledged per up-period). The
 * checkpoint still moves only past batches acknowledged in order.
 */
export async function pushRecords(o: RecordPushOptions): Promise<number> {
  let written = 0;
  let since = o.since;
  let exhausted = false;
  const ahead: Promise<Page>[] = [];
  // The next pages are read here in order (local, quick); their questions to the city go out together.
  const refill = async () => {
    while (!exhausted && ahead.length < AHEAD) {
      const page = await changesAfter(o, since, o.batchDocs());
      since = page.last;
      if (!page.more) exhausted = true;
      if (page.changes.length === 0) break;
      const asked = ask(o, page);
      asked.catch(() => undefined); // awaited in turn; a cut before then is rethrown by an upload
      ahead.push(asked);
    }
  };
  let previous: Promise<void> = Promise.resolve();
  for (;;) {
    await refill();
    const next = ahead.shift();
    if (!next) { await previous; return written; }
    const page = await next;
    const upload = send(o, page);
    upload.catch(() => undefined); // awaited in order below
    const before = previous;
    previous = (async () => {
      await before;
      written += await upload;
      await o.onBatch(page.last, written);
    })();
    previous.catch(() => undefined); // awaited next turn or at the end
    await before;
  }
}

/** Batches asked about ahead of the one uploading. */
const AHEAD = 2;

/** The next changes after `since` (local). */
async function changesAfter(o: RecordPushOptions, since: number, limit: number): Promise<Omit<Page, 'missing'>> {
  const page = await o.local.changes({ since, limit, style: 'all_docs', filter: (doc: { _id: string }) => isReplicatedId(doc._id) });
  const changes = page.results.map((r) => ({ id: r.id, seq: Number(r.seq), changes: r.changes }));
  const last = Number(page.last_seq);
  return { changes, last: Number.isFinite(last) ? last : since, more: page.results.length >= limit };
}

/** Which of a page's revisions the city lacks. */
async function ask(o: RecordPushOptions, page: Omit<Page, 'missing'>): Promise<Page> {
  const asked: Record<string, string[]> = {};
  for (const c of page.changes) asked[c.id] = [...new Set([...(asked[c.id] ?? []), ...c.changes.map((x) => x.rev)])];
  const missing: Record<string, string[]> = {};
  // Not in @types/pouchdb, though every adapter has it (the replicator calls it).
  const diff = await (o.remote as unknown as RevsDiff).revsDiff(asked);
  for (const [id, d] of Object.entries(diff)) if (d.missing?.length) missing[id] = d.missing;
  return { ...page, missing };
}

/** Reads the missing revisions with their histories and attachments and stores them at the city as they are. */
async function send(o: RecordPushOptions, page: Page): Promise<number> {
  const wanted = Object.entries(page.missing).flatMap(([id, revs]) => revs.map((rev) => ({ id, rev })));
  if (wanted.length === 0) return 0;
  const got = await o.local.bulkGet({ docs: wanted, revs: true, attachments: true });
  const docs = got.results.flatMap((r) => r.docs.flatMap((d) => ('ok' in d && d.ok ? [d.ok] : [])));
  if (docs.length === 0) return 0;
  const answer = await o.remote.bulkDocs(docs as Parameters<PouchDB.Database['bulkDocs']>[0], { new_edits: false });
  let refused = 0;
  for (const r of answer as { id?: string; error?: string | boolean; name?: string; reason?: string; message?: string }[]) {
    if (!r.error) continue;
    refused += 1;
    o.onRefused(r.id ?? '(unknown)', String(r.reason ?? r.message ?? r.name ?? r.error));
  }
  return docs.length - refused;
}
