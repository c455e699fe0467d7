// The dashboard's figures as pure functions over the hub's records: what a
// document contributes to its ward, unit and week; rates per city, ward, unit
// and week; units at 100 %; sync health; invalid signatures; filtered lists.
// node/city/hub-aggregate.ts keeps the per-cell counts up to date as records
// change; these functions only read, so tests can feed them records built in code.
import { vnIsoWeek, type HubDocument, type HubVerdict, type HubWard } from '../../sync/hub-records.js';
import { addCounts, emptyCounts, rateOf, type HubCounts, type Rate } from '../../sync/hub-rate.js';
import { EXCHANGE_STATUS, type IncomingState } from '../../sync/workflow.js';

/** Filters every query accepts. Weeks are ISO weeks in Vietnam time ("2026-W05"), both ends included. */
export interface HubFilter {
  from?: string;
  to?: string;
  wards?: readonly string[];
  units?: readonly string[];
  verdicts?: readonly HubVerdict[];
  signing?: readonly HubDocument['signing'][];
  direction?: HubDocument['direction'];
}

/** One ward × unit × week with what its issued documents add up to. */
export interface Cell { ward: string; unit: string; week: string; counts: HubCounts }

/**
 * What an issued outgoing document adds to its week: one issued, and one of
 * digital (only when the hub verified it: a valid verdict), paper, invalid or
 * unverifiable. A document not issued yet (no week) counts nowhere.
 */
export function contribution(doc: HubDocument): HubCounts | null {
  if (doc.direction !== 'outgoing' || !doc.week) return null;
  const c = emptyCounts();
  c.issued = 1;
  // A tampered record counts with the invalid ones: never as signed.
  if (doc.verdict === 'invalid' || doc.verdict === 'tampered') c.invalid = 1;
  else if (doc.verdict === 'unverifiable') c.unverifiable = 1;
  else if (doc.signing === 'digital' && doc.verdict === 'valid') c.digital = 1;
  else if (doc.signing === 'paper' || doc.verdict === 'paper') c.paper = 1;
  return c;
}

export const cellKey = (ward: string, unit: string, week: string): string => `${ward}\u0000${unit}\u0000${week}`;

/** Adds (or with −1 removes) a document's contribution to the cells. */
export function applyToCells(cells: Map<string, Cell>, doc: HubDocument, sign: 1 | -1): void {
  const c = contribution(doc);
  if (!c) return;
  const key = cellKey(doc.ward, doc.unit, doc.week!);
  let cell = cells.get(key);
  if (!cell) { cell = { ward: doc.ward, unit: doc.unit, week: doc.week!, counts: emptyCounts() }; cells.set(key, cell); }
  addCounts(cell.counts, c, sign);
  if (cell.counts.issued === 0) cells.delete(key);
}

/** Every cell from scratch (the reference the incremental aggregate must equal). */
export function cellsOf(docs: Iterable<HubDocument>): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const d of docs) applyToCells(cells, d, 1);
  return cells;
}

export function weekInRange(week: string, f: HubFilter): boolean {
  return (!f.from || week >= f.from) && (!f.to || week <= f.to);
}

function cellMatches(cell: Cell, f: HubFilter): boolean {
  return weekInRange(cell.week, f) && (!f.wards || f.wards.includes(cell.ward)) && (!f.units || f.units.includes(cell.unit));
}

/** Sums matching cells by a key. */
function groupCells(cells: Iterable<Cell>, f: HubFilter, keyOf: (c: Cell) => string): Map<string, HubCounts> {
  const groups = new Map<string, HubCounts>();
  for (const cell of cells) {
    if (!cellMatches(cell, f)) continue;
    const key = keyOf(cell);
    const g = groups.get(key) ?? emptyCounts();
    addCounts(g, cell.counts);
    groups.set(key, g);
  }
  return groups;
}

export interface UnitRef { ward: string; unit: string }
export interface Summary {
  range: { from: string | null; to: string | null; weeks: number };
  total: HubCounts & { rate: Rate };
  /** Units (a ward's issuing units; a ward without units is one) that issued in the range, and those that signed all of it. */
  units: { total: number; at100: number; list: UnitRef[] };
  wards: number;
}

export function summary(cells: Iterable<Cell>, f: HubFilter, knownWards: number): Summary {
  const list = [...cells];
  const total = emptyCounts();
  const weeks = new Set<string>();
  for (const c of list) if (cellMatches(c, f)) { addCounts(total, c.counts); weeks.add(c.week); }
  const units = unitRows(list, f);
  const at100 = units.filter((u) => u.at100).map(({ ward, unit }) => ({ ward, unit }));
  return {
    range: { from: f.from ?? null, to: f.to ?? null, weeks: weeks.size },
    total: { ...total, rate: rateOf(total) },
    units: { total: units.length, at100: at100.length, list: at100 },
    wards: knownWards,
  };
}

export interface WeekRow extends HubCounts { week: string; rate: Rate }

/** The trend: one row per week that has issued documents, oldest first. */
export function weekRows(cells: Iterable<Cell>, f: HubFilter): WeekRow[] {
  return [...groupCells(cells, f, (c) => c.week)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, c]) => ({ week, ...c, rate: rateOf(c) }));
}

export interface WardRow extends HubCounts { ward: string; rate: Rate; units: number; unitsAt100: number }

/** One row per ward; every followed ward appears, a silent one with 0/0. Lowest rate first: those need a call. */
export function wardRows(cells: Iterable<Cell>, f: HubFilter, wards: Iterable<string>): WardRow[] {
  const list = [...cells];
  const byWard = groupCells(list, f, (c) => c.ward);
  for (const w of wards) if (!byWard.has(w) && (!f.wards || f.wards.includes(w))) byWard.set(w, emptyCounts());
  const units = unitRows(list, f);
  return [...byWard].map(([ward, c]) => {
    const own = units.filter((u) => u.ward === ward);
    return { ward, ...c, rate: rateOf(c), units: own.length, unitsAt100: own.filter((u) => u.at100).length };
  }).sort(byRateThenName((r) => r.ward));
}

export interface UnitRow extends HubCounts { ward: string; unit: string; rate: Rate; at100: boolean }

export function unitRows(cells: Iterable<Cell>, f: HubFilter): UnitRow[] {
  return [...groupCells(cells, f, (c) => cellKey(c.ward, c.unit, ''))].map(([key, c]) => {
    const [ward, unit] = key.split('\u0000') as [string, string];
    return { ward, unit, ...c, rate: rateOf(c), at100: c.issued > 0 && c.digital === c.issued };
  }).sort(byRateThenName((r) => `${r.ward}/${r.unit}`));
}

/** phuong-2 before phuong-10. */
const NAMES = new Intl.Collator('vi', { numeric: true });
const byName = (a: string, b: string): number => NAMES.compare(a, b);

function byRateThenName<T extends { rate: Rate }>(name: (r: T) => string) {
  return (a: T, b: T): number => (a.rate.percent ?? -1) - (b.rate.percent ?? -1) || byName(name(a), name(b));
}

export type Health = 'good' | 'tolerable' | 'poor' | 'never';
export interface SyncRow {
  ward: string;
  lastSeenAt: string | null;
  /** Seconds since the hub last received anything from the ward. */
  silentSeconds: number | null;
  pendingFiles: number;
  lagP50Seconds: number | null;
  lagMaxSeconds: number | null;
  documents: number;
  health: Health;
  /** The ward's audit chain as the hub walked it: entries checked, and where it broke (null: intact so far). */
  chainEntries: number;
  chainBrokenAt: number | null;
  chainBrokenReason: string | null;
}

/**
 * The CHT scale on the median lag (event written at the ward → arrived at the
 * city): under 3 min good, 3–6 tolerable, over 6 poor; 'never' before the first
 * arrival. Worst first.
 */
export function syncRows(wards: Iterable<HubWard>, documentsPerWard: ReadonlyMap<string, number>, now: Date, f: HubFilter = {}): SyncRow[] {
  const order: Record<Health, number> = { never: 0, poor: 1, tolerable: 2, good: 3 };
  const rows: SyncRow[] = [];
  for (const w of wards) {
    if (f.wards && !f.wards.includes(w.ward)) continue;
    const lag = w.lagP50Seconds;
    const health: Health = w.lastSeenAt === null ? 'never' : lag === null || lag < 180 ? 'good' : lag <= 360 ? 'tolerable' : 'poor';
    rows.push({
      ward: w.ward,
      lastSeenAt: w.lastSeenAt,
      silentSeconds: w.lastSeenAt === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(w.lastSeenAt)) / 1000)),
      pendingFiles: w.pendingFiles,
      lagP50Seconds: lag,
      lagMaxSeconds: w.lagMaxSeconds,
      documents: documentsPerWard.get(w.ward) ?? 0,
      chainEntries: w.chain?.seq ?? 0,
      chainBrokenAt: w.chain?.broken?.at ?? null,
      chainBrokenReason: w.chain?.broken?.reason ?? null,
      health,
    });
  }
  return rows.sort((a, b) => order[a.health] - order[b.health] || b.pendingFiles - a.pendingFiles || byName(a.ward, b.ward));
}

/** The week a document belongs to in lists: its issue week, else the week of its latest event. */
export function documentWeek(doc: HubDocument): string {
  return doc.week ?? vnIsoWeek(new Date(doc.lastEventAt));
}

export function documentMatches(doc: HubDocument, week: string, f: HubFilter): boolean {
  return weekInRange(week, f)
    && (!f.wards || f.wards.includes(doc.ward))
    && (!f.units || f.units.includes(doc.unit))
    && (!f.verdicts || f.verdicts.includes(doc.verdict))
    && (!f.signing || f.signing.includes(doc.signing))
    && (!f.direction || f.direction === doc.direction);
}

export interface TimelineEntry { at: string; what: 'created' | 'issued' | 'last-event' | 'arrived' | 'verified'; state?: string }

/**
 * What the hub knows of a document's life, in time order: first event at the
 * ward, issue, latest event (with the state it left), arrival at the city,
 * verification. The ward's full event history stays in the ward's database.
 */
export function timelineOf(doc: HubDocument): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: doc.firstEventAt, what: 'created' }];
  if (doc.issuedAt) entries.push({ at: doc.issuedAt, what: 'issued' });
  if (doc.lastEventAt !== doc.firstEventAt && doc.lastEventAt !== doc.issuedAt) entries.push({ at: doc.lastEventAt, what: 'last-event', state: doc.state });
  entries.push({ at: doc.seenAt, what: 'arrived' });
  if (doc.verifiedAt) entries.push({ at: doc.verifiedAt, what: 'verified' });
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** A document the city sent, as one ward handles it (Decision 28/2018). */
export interface SentRow { ward: string; docId: string; subject: string; state: string; code: string; lastEventAt: string }

/** Documents the city sent, per ward, with the exchange status the ward's events give; latest first. */
export function sentRows(docs: Iterable<HubDocument>, f: HubFilter = {}): SentRow[] {
  const rows: SentRow[] = [];
  for (const d of docs) {
    if (d.origin !== 'city' || d.direction !== 'incoming' || (f.wards && !f.wards.includes(d.ward))) continue;
    rows.push({ ward: d.ward, docId: d.docId, subject: d.subject, state: d.state, code: EXCHANGE_STATUS[d.state as IncomingState] ?? '', lastEventAt: d.lastEventAt });
  }
  return rows.sort((a, b) => b.lastEventAt.localeCompare(a.lastEventAt) || byName(a.ward, b.ward));
}
