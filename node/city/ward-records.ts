// Reading a ward's database at the city without trusting a winning revision.
// Every read asks for conflicts; a record with branches is judged over all its
// leaves, with the ward's audit chain as witness (sync/genuine.ts). The hub,
// `city send`/`city sent` and the dashboard read through here; the ward's own
// pulls judge the same way in sync/ (sync/genuine-pull.ts), `restore
// --from-city` with this chain witness.
import { wardDbName } from '../../sync/city-contract.js';
import { judgeLeaves, needsChain, type Integrity, type Leaf } from '../../sync/genuine.js';
import { entryHash, type AuditEntry } from '../audit.js';

/** GETs `path` (or POSTs `body` to it) at the city and returns the JSON; throws on an HTTP error. Each caller brings its own client. */
export type CityJson = <T>(path: string, body?: unknown) => Promise<T>;

/** A record as read, with its judgement: `doc` is the genuine revision, or null when there is none (or no record). */
export interface ReadRecord { id: string; doc: Leaf | null; integrity: Integrity }

type Stored = Leaf & { _conflicts?: string[] };
type AllDocs = { rows: { id?: string; key?: string; doc?: Stored | null; error?: string }[] };

export class WardRecords {
  private readonly db: string;

  constructor(private readonly json: CityJson, readonly ward: string) {
    this.db = `/${wardDbName(ward)}`;
  }

  /** Judges a record read with `conflicts=true` (a changes row or an `_all_docs` row). */
  async judge(doc: Stored): Promise<Integrity> {
    if (!doc._conflicts?.length) return judgeLeaves([doc]);
    const leaves = await this.leaves(doc);
    return judgeLeaves(leaves, needsChain(leaves) ? await this.vouched(doc._id) : null);
  }

  async byKeys(ids: readonly string[]): Promise<ReadRecord[]> {
    if (ids.length === 0) return [];
    return this.read(await this.json<AllDocs>(`${this.db}/_all_docs?include_docs=true&conflicts=true`, { keys: ids }));
  }

  async byPrefix(prefix: string): Promise<ReadRecord[]> {
    const range = `startkey=${encodeURIComponent(JSON.stringify(prefix))}&endkey=${encodeURIComponent(JSON.stringify(`${prefix}\uffff`))}`;
    return this.read(await this.json<AllDocs>(`${this.db}/_all_docs?${range}&include_docs=true&conflicts=true`));
  }

  private async read(page: AllDocs): Promise<ReadRecord[]> {
    const out: ReadRecord[] = [];
    for (const row of page.rows) {
      if (!row.doc) continue;
      out.push({ id: row.doc._id, ...await this.judged(row.doc) });
    }
    return out;
  }

  private async judged(doc: Stored): Promise<{ doc: Leaf | null; integrity: Integrity }> {
    const integrity = await this.judge(doc);
    return { doc: integrity.doc, integrity };
  }

  /** Every leaf of a record, the winner first. */
  private async leaves(winner: Stored): Promise<Leaf[]> {
    const revs = await this.json<{ ok?: Leaf }[]>(`${this.db}/${encodeURIComponent(winner._id)}?open_revs=all`);
    const { _conflicts: _c, ...first } = winner;
    return [first, ...revs.flatMap((r) => (r.ok && r.ok._rev !== winner._rev ? [r.ok] : []))];
  }

  /**
   * The digests the ward's chain recorded for `id`, oldest first, from audit
   * entries whose own hash holds and that have no second branch themselves.
   * Only asked when a write-once record has branches: a full scan at the city
   * (no index), rare by design.
   */
  async vouched(id: string): Promise<string[]> {
    const found = await this.json<{ docs?: AuditEntry[] }>(`${this.db}/_find`, { selector: { type: 'audit', [`writes.${id}`]: { $exists: true } }, limit: 10_000 });
    const ids = (found.docs ?? []).map((d) => d._id);
    if (ids.length === 0) return [];
    const page = await this.json<AllDocs>(`${this.db}/_all_docs?include_docs=true&conflicts=true`, { keys: ids });
    const entries = page.rows.flatMap((r) => (r.doc && !r.doc._conflicts?.length ? [r.doc as unknown as AuditEntry] : []))
      .filter((e) => entryHash(e) === e.hash && typeof e.writes?.[id] === 'string')
      .sort((a, b) => a.seq - b.seq);
    return entries.map((e) => e.writes[id]!);
  }
}

/** A CityJson over fetch with Basic auth (one credential: the city admin, or a ward's own user). */
export function basicCityJson(baseUrl: string, auth: { name: string; password: string }): CityJson {
  const base = baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${auth.name}:${auth.password}`).toString('base64')}`;
  return async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  };
}

/** CouchDB fields the schemas do not describe. */
export function withoutCouchFields(doc: Record<string, unknown>): Record<string, unknown> {
  const { _rev: _r, _revisions: _v, _attachments: _a, _conflicts: _c, _deleted_conflicts: _d, ...rest } = doc;
  return rest;
}

/** How a tampered record is told on the dashboard and in the CSV. */
export function tamperDetail(id: string, integrity: Integrity): string {
  if (integrity.state === 'ok') return id;
  return integrity.reason === 'branches'
    ? `${id}: ${integrity.branches} branches${integrity.doc ? '' : ', none proven genuine'}`
    : `${id}: content does not match its hash`;
}
