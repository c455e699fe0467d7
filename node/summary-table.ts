// Every document's summary held as columns (typed arrays and one table of the
// strings they share) rather than as objects: a summary object with its
// derived state and event keys took ~600 bytes of heap, a row here about a
// fifth of that (docs/decisions/0011). Listing and searching read the columns
// directly; `read` builds a DocSummary for the callers that want one, and a
// changed summary is written back whole with `write`.
import type { DocumentType } from '../sync/doc-types.js';
import type { DerivedState } from '../sync/workflow.js';
import { vnIso } from '../sync/vn-time.js';
import type { DocSummary } from './projection.js';
import { SHARED, sharedValue, type SharedField, type SummaryColumns } from './summary-columns.js';

/** derived.numberEventId: none, the usual `ev:num:<register>:<number, 6 digits>`, or another (kept aside). */
const NO_EVENT = 0, REGISTER_EVENT = 1, OTHER_EVENT = 2;
/** In the event-key pool: the numbering event named by the register and number; NaN: the row's next key kept aside. */
const NUMBERING_KEY = -1;

export class SummaryTable {
  private readonly rowById = new Map<string, number>();
  /** row → id; null for a row whose document was forgotten (rows are never reused). */
  private readonly ids: (string | null)[] = [];
  private live = 0;
  private capacity = 0;
  /** The strings summaries share (users, types, registers, numbers, symbols, states, deadlines), each once. */
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  direction = new Uint8Array(0);
  dateMs = new Float64Array(0);
  activeMs = new Float64Array(0);
  lastAtMs = new Float64Array(0);
  revGeneration = new Uint32Array(0);
  /** -1 for none. */
  number = new Int32Array(0);
  numberEvent = new Uint8Array(0);
  /** Per shared field, an index into `strings` (-1: null). */
  shared = {} as Record<SharedField, Int32Array>;
  private eventStart = new Uint32Array(0);
  private eventCount = new Uint16Array(0);
  /** Every row's event keys, each row's together; a row that grows past the end moves to the end. */
  private pool = new Float64Array(1024);
  private poolUsed = 0;
  private poolDead = 0;
  /** The rare values the columns cannot hold: string event keys other than numbering's, a lastAt not in the node's format, another numbering event id. */
  private readonly otherKeys = new Map<number, string[]>();
  private readonly otherLastAt = new Map<number, string>();
  private readonly otherNumberEvent = new Map<number, string>();

  constructor() { this.grow(1024); }

  get size(): number { return this.live; }
  /** Rows ever used (some may be forgotten: `idAt` gives null). */
  get rowCount(): number { return this.ids.length; }

  rowOf(id: string): number | undefined { return this.rowById.get(id); }
  idAt(row: number): string | null { return this.ids[row] ?? null; }

  /** The index of a shared string, -1 when no summary holds it (a filter on it matches nothing). */
  code(value: string): number { return this.stringIndex.get(value) ?? -1; }
  text(code: number): string | null { return code < 0 ? null : this.strings[code]!; }

  read(row: number): DocSummary {
    const id = this.ids[row];
    if (id === null || id === undefined) throw new Error(`no summary in row ${row}`);
    // No closures here: a replication feed or a register book reads every row.
    const sh = this.shared;
    const registerKey = this.text(sh.registerKey[row]!);
    const number = this.number[row]!;
    const eventKeys = this.eventKeysAt(row);
    const ne = this.numberEvent[row]!;
    const lastAtMs = this.lastAtMs[row]!;
    const lastAtAside = Number.isNaN(lastAtMs) ? this.otherLastAt.get(row) ?? null : null;
    const derived: DerivedState = {
      state: this.text(sh.state[row]!) as DerivedState['state'], author: this.text(sh.author[row]!), handler: this.text(sh.handler[row]!),
      deadline: this.text(sh.deadline[row]!), medium: (this.text(sh.medium[row]!) ?? 'electronic') as DerivedState['medium'],
      numberEventId: ne === NO_EVENT ? null : ne === REGISTER_EVENT ? numberingEventId(registerKey!, number) : this.otherNumberEvent.get(row)!,
      // Written out when asked for (the value as of this read): most summaries made never look at it.
      get lastAt() { return Number.isNaN(lastAtMs) ? lastAtAside : vnIso(new Date(lastAtMs)); },
    };
    return {
      id, direction: this.direction[row] === 1 ? 'incoming' : 'outgoing', derived, numberText: this.text(sh.numberText[row]!), symbol: this.text(sh.symbol[row]!),
      dateMs: this.dateMs[row]!, activeMs: this.activeMs[row]!, docType: (this.text(sh.docType[row]!) ?? 'CV') as DocumentType, createdBy: this.text(sh.createdBy[row]!) ?? '',
      revGeneration: this.revGeneration[row]!, registerKey, number: number < 0 ? null : number, eventKeys,
    };
  }

  /** How many event keys the row holds (its summary's `eventKeys.length`), without reading them. */
  eventCountAt(row: number): number { return this.eventCount[row]!; }

  /** The row's event keys, as its summary's `eventKeys`, without the rest of the summary. */
  eventKeysAt(row: number): (number | string)[] {
    const count = this.eventCount[row]!, at = this.eventStart[row]!;
    const keys: (number | string)[] = new Array(count);
    const aside = this.otherKeys.get(row);
    let numberingId: string | null = null;
    for (let k = 0, s = 0; k < count; k++) {
      const v = this.pool[at + k]!;
      keys[k] = v === NUMBERING_KEY ? (numberingId ??= numberingEventId(this.text(this.shared.registerKey[row]!)!, this.number[row]!)) : Number.isNaN(v) ? aside![s++]! : v;
    }
    return keys;
  }

  /**
   * The rows of numbered documents (with a numbering event and a register)
   * whose register passes `wanted`, asked once per register: a register book
   * reads these, not every row.
   */
  numberedRows(wanted: (registerKey: string) => boolean): number[] {
    const verdict = new Map<number, boolean>();
    const keys = this.shared.registerKey;
    const out: number[] = [];
    for (let row = 0; row < this.ids.length; row++) {
      const code = keys[row]!;
      if (code < 0 || this.numberEvent[row] === NO_EVENT || this.ids[row] === null) continue;
      let ok = verdict.get(code);
      if (ok === undefined) { ok = wanted(this.strings[code]!); verdict.set(code, ok); }
      if (ok) out.push(row);
    }
    return out;
  }

  /** Stores the summary in its document's row (a new row for a new document); returns the row. */
  write(s: DocSummary): number {
    let row = this.rowById.get(s.id);
    if (row === undefined) {
      row = this.ids.length;
      // A quarter more, not double: at 200,000 documents doubling would add 25 MB of columns for the next one.
      if (row >= this.capacity) this.grow(Math.ceil(this.capacity * 1.25));
      this.ids.push(s.id);
      this.rowById.set(s.id, row);
      this.live += 1;
      this.eventStart[row] = this.poolUsed;
      this.eventCount[row] = 0;
    }
    this.direction[row] = s.direction === 'incoming' ? 1 : 0;
    this.dateMs[row] = s.dateMs;
    this.activeMs[row] = s.activeMs;
    this.revGeneration[row] = s.revGeneration;
    this.number[row] = s.number ?? -1;
    for (const f of SHARED) this.shared[f][row] = this.intern(sharedValue(s, f));
    const numberingId = s.registerKey !== null && s.number !== null ? numberingEventId(s.registerKey, s.number) : null;
    const ne = s.derived.numberEventId;
    this.otherNumberEvent.delete(row);
    if (ne === null) this.numberEvent[row] = NO_EVENT;
    else if (ne === numberingId) this.numberEvent[row] = REGISTER_EVENT;
    else { this.numberEvent[row] = OTHER_EVENT; this.otherNumberEvent.set(row, ne); }
    this.setLastAt(row, s.derived.lastAt);
    this.setEventKeys(row, s.eventKeys, numberingId);
    return row;
  }

  /** Forgets the document; its row stays empty. */
  remove(id: string): void {
    const row = this.rowById.get(id);
    if (row === undefined) return;
    this.rowById.delete(id);
    this.ids[row] = null;
    this.live -= 1;
    this.poolDead += this.eventCount[row]!;
    this.eventCount[row] = 0;
    this.otherKeys.delete(row); this.otherLastAt.delete(row); this.otherNumberEvent.delete(row);
  }

  /** The rows in `order` as the snapshot's columns (position i: row order[i]). */
  toColumns(order: readonly number[]): SummaryColumns {
    const n = order.length;
    const pick = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(col: T, make: new (n: number) => T): T => { const out = new make(n); order.forEach((r, i) => { out[i] = col[r]!; }); return out; };
    const shared = Object.fromEntries(SHARED.map((f) => [f, pick(this.shared[f], Int32Array)])) as SummaryColumns['shared'];
    // Column by column, with no summary object per row: a node saving 200,000 of them at once ran out of its 256 MB heap.
    const numberingId = (r: number) => numberingEventId(this.text(this.shared.registerKey[r]!)!, this.number[r]!);
    const eventCounts = new Uint16Array(n);
    let total = 0;
    order.forEach((r, i) => { eventCounts[i] = this.eventCount[r]!; total += this.eventCount[r]!; });
    const eventNumbers = new Float64Array(total);
    const eventStrings: string[] = [];
    let e = 0;
    for (const r of order) {
      const aside = this.otherKeys.get(r);
      for (let k = 0, s = 0, at = this.eventStart[r]!; k < this.eventCount[r]!; k++) {
        const v = this.pool[at + k]!;
        if (v === NUMBERING_KEY) { eventNumbers[e++] = Number.NaN; eventStrings.push(numberingId(r)); }
        else if (Number.isNaN(v)) { eventNumbers[e++] = Number.NaN; eventStrings.push(aside![s++]!); }
        else eventNumbers[e++] = v;
      }
    }
    const numberEventId = (r: number) => { const ne = this.numberEvent[r]!; return ne === NO_EVENT ? null : ne === REGISTER_EVENT ? numberingId(r) : this.otherNumberEvent.get(r)!; };
    const lastAt = (r: number) => { const ms = this.lastAtMs[r]!; return Number.isNaN(ms) ? this.otherLastAt.get(r) ?? null : vnIso(new Date(ms)); };
    return {
      ids: order.map((r) => this.ids[r]!), direction: pick(this.direction, Uint8Array), dateMs: pick(this.dateMs, Float64Array), activeMs: pick(this.activeMs, Float64Array),
      revGeneration: pick(this.revGeneration, Uint32Array), number: Float64Array.from(order, (r) => (this.number[r]! < 0 ? Number.NaN : this.number[r]!)),
      table: [...this.strings], shared, numberEventId: order.map(numberEventId), lastAt: order.map(lastAt),
      eventCounts, eventNumbers, eventStrings,
    };
  }

  /** A table whose row i is the snapshot's document i; no summary object is made on the way. */
  static fromColumns(c: SummaryColumns): SummaryTable {
    const t = new SummaryTable();
    const n = c.ids.length;
    t.grow(Math.max(1024, n));
    t.pool = new Float64Array(Math.max(1024, Math.ceil(c.eventNumbers.length * 1.25)));
    // The snapshot's string table becomes this one; its indexes are kept as they are.
    for (const s of c.table) { t.stringIndex.set(s, t.strings.length); t.strings.push(s); }
    t.direction.set(c.direction); t.dateMs.set(c.dateMs); t.activeMs.set(c.activeMs); t.revGeneration.set(c.revGeneration);
    for (const f of SHARED) t.shared[f].set(c.shared[f]);
    let e = 0, s = 0;
    for (let row = 0; row < n; row++) {
      const id = c.ids[row]!;
      t.ids.push(id);
      t.rowById.set(id, row);
      const number = c.number[row]!;
      t.number[row] = Number.isNaN(number) ? -1 : number;
      const registerKey = t.text(t.shared.registerKey[row]!);
      const numberingId = registerKey !== null && !Number.isNaN(number) ? numberingEventId(registerKey, number) : null;
      const ne = c.numberEventId[row] ?? null;
      if (ne === null) t.numberEvent[row] = NO_EVENT;
      else if (ne === numberingId) t.numberEvent[row] = REGISTER_EVENT;
      else { t.numberEvent[row] = OTHER_EVENT; t.otherNumberEvent.set(row, ne); }
      t.setLastAt(row, c.lastAt[row] ?? null);
      // Straight from the snapshot's numbers into the pool, with no array of keys per row.
      const count = c.eventCounts[row]!, at = t.poolUsed;
      let aside: string[] | null = null;
      for (let k = 0; k < count; k++, e++) {
        const v = c.eventNumbers[e]!;
        if (!Number.isNaN(v)) { t.pool[at + k] = v; continue; }
        const key = c.eventStrings[s++]!;
        if (key === numberingId) t.pool[at + k] = NUMBERING_KEY;
        else { t.pool[at + k] = Number.NaN; (aside ??= []).push(key); }
      }
      if (aside) t.otherKeys.set(row, aside);
      t.eventStart[row] = at;
      t.eventCount[row] = count;
      t.poolUsed = at + count;
    }
    t.live = n;
    return t;
  }

  private intern(s: string | null): number {
    if (s === null) return -1;
    let i = this.stringIndex.get(s);
    if (i === undefined) { i = this.strings.length; this.strings.push(s); this.stringIndex.set(s, i); }
    return i;
  }

  private setLastAt(row: number, lastAt: string | null): void {
    this.otherLastAt.delete(row);
    const ms = lastAt === null ? Number.NaN : nodeTimeMs(lastAt);
    // Times the node writes come back as written from their number; any other spelling is kept as it came.
    if (!Number.isNaN(ms)) { this.lastAtMs[row] = ms; return; }
    this.lastAtMs[row] = Number.NaN;
    if (lastAt !== null) this.otherLastAt.set(row, lastAt);
  }

  private setEventKeys(row: number, keys: readonly (number | string)[], numberingId: string | null): void {
    const count = this.eventCount[row]!;
    if (keys.length > count && this.poolUsed + keys.length > this.pool.length) this.makeRoom(keys.length);
    let at = this.eventStart[row]!;
    // Events are only ever added: a row at the end of the pool grows in place, another moves to the end.
    if (keys.length > count && at + count !== this.poolUsed) { this.poolDead += count; at = this.poolUsed; }
    else if (keys.length < count) this.poolDead += count - keys.length;
    const aside: string[] = [];
    keys.forEach((k, i) => {
      if (typeof k === 'number') this.pool[at + i] = k;
      else if (k === numberingId) this.pool[at + i] = NUMBERING_KEY;
      else { this.pool[at + i] = Number.NaN; aside.push(k); }
    });
    if (aside.length > 0) this.otherKeys.set(row, aside); else this.otherKeys.delete(row);
    this.eventStart[row] = at;
    this.eventCount[row] = keys.length;
    this.poolUsed = Math.max(this.poolUsed, at + keys.length);
  }

  /** Room for `extra` keys at the end of the pool. */
  private makeRoom(extra: number): void {
    const liveKeys = this.poolUsed - this.poolDead;
    // Mostly moved rows' old keys: pack the live ones, in a pool twice their size.
    const next = new Float64Array(Math.max(1024, this.poolDead > liveKeys ? 2 * liveKeys : Math.ceil(this.pool.length * 1.5), liveKeys + 2 * extra));
    if (this.poolDead > liveKeys) {
      let used = 0;
      for (let row = 0; row < this.ids.length; row++) {
        const n = this.eventCount[row]!;
        next.set(this.pool.subarray(this.eventStart[row]!, this.eventStart[row]! + n), used);
        this.eventStart[row] = used;
        used += n;
      }
      this.poolUsed = used; this.poolDead = 0;
    } else {
      next.set(this.pool.subarray(0, this.poolUsed));
    }
    this.pool = next;
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array>(col: T, make: new (n: number) => T): T => { const out = new make(capacity); out.set(col); return out; };
    this.direction = widen(this.direction, Uint8Array);
    this.dateMs = widen(this.dateMs, Float64Array);
    this.activeMs = widen(this.activeMs, Float64Array);
    this.lastAtMs = widen(this.lastAtMs, Float64Array);
    this.revGeneration = widen(this.revGeneration, Uint32Array);
    this.number = widen(this.number, Int32Array);
    this.numberEvent = widen(this.numberEvent, Uint8Array);
    this.eventStart = widen(this.eventStart, Uint32Array);
    this.eventCount = widen(this.eventCount, Uint16Array);
    for (const f of SHARED) this.shared[f] = widen(this.shared[f] ?? new Int32Array(0), Int32Array);
    this.capacity = capacity;
  }
}

/** The id the ledger gives a numbering event (node/numbering.ts). */
function numberingEventId(registerKey: string, number: number): string {
  return `ev:num:${registerKey}:${String(number).padStart(6, '0')}`;
}

const VN_OFFSET_MS = 7 * 3_600_000;

/**
 * The time of `s` when it is exactly as `vnIso` writes it
 * (`2026-03-05T09:00:00.000+07:00`), so that `vnIso` gives it back; NaN for
 * any other spelling or an impossible date. Read by hand: checking with
 * Date.parse and vnIso took half a second for 200,000 documents at boot.
 */
function nodeTimeMs(s: string): number {
  if (s.length !== 29 || !s.endsWith('+07:00')) return Number.NaN;
  const digits = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) { const d = s.charCodeAt(i) - 48; if (d < 0 || d > 9) return Number.NaN; n = n * 10 + d; }
    return n;
  };
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.') return Number.NaN;
  const y = digits(0, 4), mo = digits(5, 7), d = digits(8, 10), h = digits(11, 13), mi = digits(14, 16), sec = digits(17, 19), msec = digits(20, 23);
  // NaN fails every comparison below; years under 100 Date.UTC would read as 19xx.
  if (!(y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && sec <= 59 && msec >= 0)) return Number.NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec, msec);
  // 30 February would roll over into March.
  if (d > 28 && new Date(ms).getUTCDate() !== d) return Number.NaN;
  return ms - VN_OFFSET_MS;
}
