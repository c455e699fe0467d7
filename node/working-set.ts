// Which documents an official's device may hold, and the replication feed
// filtered to them (CHT's authorising proxy, read-only). A document is in the
// user's working set when they drafted it, must act on it (sync/workflow.ts
// availableActions), handle it, or when it was active in the last 90 days —
// except other people's drafts, which stay private to their author. Each
// document travels with its events; nothing else does (no user profiles,
// blobs, audit entries; secrets live in another database altogether).
import { availableActions, type DerivedState, type Direction, type Role } from '../sync/workflow.js';
import type { DocSummary, Projection } from './projection.js';
import type { SummaryTable } from './summary-table.js';

export const WINDOW_DAYS = 90;
const WINDOW_MS = WINDOW_DAYS * 86_400_000;

export interface Reader { user: string; role: Role }

interface Facts { direction: Direction; derived: DerivedState; createdBy: string; activeMs: number }

/**
 * Another official's outgoing draft (never submitted, or returned to its
 * author): private to the author until submitted, on devices and through the
 * REST API alike, as a draft on paper stays on its author's desk.
 */
export function isOthersDraft(doc: Pick<Facts, 'direction' | 'derived' | 'createdBy'>, reader: Reader): boolean {
  const d = doc.derived;
  if ((d.author ?? doc.createdBy) === reader.user) return false;
  return doc.direction === 'outgoing' && (d.state === null || d.state === 'draft' || d.state === 'returned');
}

export function viewIsOthersDraft(view: DocSummary, reader: Reader): boolean {
  return isOthersDraft(view, reader);
}

/** `isOthersDraft` over the summary table's columns, for listing every row without a summary object each. */
export function othersDraftFilter(t: SummaryTable, reader: Reader): (row: number) => boolean {
  const user = t.code(reader.user);
  // -1 (no state yet) or a code no document has: never equal to a row's state but for the first.
  const draft = t.code('draft'), returned = t.code('returned');
  const { author, createdBy, state } = t.shared;
  return (row) => {
    if (t.direction[row] !== 0) return false;
    const s = state[row]!;
    if (s !== -1 && (s !== draft || draft < 0) && (s !== returned || returned < 0)) return false;
    const a = author[row]!;
    return user < 0 || (a >= 0 ? a : createdBy[row]) !== user;
  };
}

export function inWorkingSet(doc: Facts, reader: Reader, nowMs: number): boolean {
  const d = doc.derived;
  if ((d.author ?? doc.createdBy) === reader.user) return true;
  if (isOthersDraft(doc, reader)) return false;
  if (d.handler === reader.user) return true;
  if (reader.role !== 'admin' && availableActions(doc.direction, d, { user: reader.user, role: reader.role }).length > 0) return true;
  return doc.activeMs >= nowMs - WINDOW_MS;
}

export function viewInSet(view: DocSummary, reader: Reader, nowMs: number): boolean {
  return inWorkingSet(view, reader, nowMs);
}

/**
 * `inWorkingSet` over the summary table's columns: a device's feed asks it of
 * every document (the set's size after every batch of a pull), and making a
 * summary object each cost ~170 ms and ~100 MB of passing heap at 200,000
 * documents. Past the author and handler tests, whether the reader has a step
 * to take depends only on the direction and the state (neither author nor
 * handler is the reader then), so `availableActions` is asked once per pair.
 */
export function setFilter(t: SummaryTable, reader: Reader, nowMs: number): (row: number) => boolean {
  const user = t.code(reader.user);
  const othersDraft = othersDraftFilter(t, reader);
  const { author, createdBy, handler, state } = t.shared;
  const since = nowMs - WINDOW_MS;
  const acts = new Map<number, boolean>();
  const canAct = (row: number): boolean => {
    if (reader.role === 'admin') return false;
    const key = state[row]! * 2 + t.direction[row]!;
    let verdict = acts.get(key);
    if (verdict === undefined) {
      const derived: DerivedState = { state: t.text(state[row]!) as DerivedState['state'], author: null, handler: null, deadline: null, medium: 'electronic', numberEventId: null, lastAt: null };
      verdict = availableActions(t.direction[row] === 1 ? 'incoming' : 'outgoing', derived, reader).length > 0;
      acts.set(key, verdict);
    }
    return verdict;
  };
  return (row) => {
    if (t.idAt(row) === null) return false;
    const a = author[row]!;
    if (user >= 0 && (a >= 0 ? a : createdBy[row]) === user) return true;
    if (othersDraft(row)) return false;
    if (user >= 0 && handler[row] === user) return true;
    return canAct(row) || t.activeMs[row]! >= since;
  };
}

/** Finds the document of a replicated id (`doc:…` or `ev:…`); undefined for anything else. */
export class DocLocator {
  private events = new Map<string, string>();

  constructor(private readonly projection: Projection) {}

  /** The row of the document (in `projection.rows`), with no summary made. */
  row(id: string): number | undefined {
    const t = this.projection.rows;
    if (id.startsWith('doc:')) return t.rowOf(id);
    if (!id.startsWith('ev:')) return undefined;
    // ev:out:<uuid>:<time> belongs to doc:out:<uuid>; numbering events (ev:num:…) need the index.
    const m = /^ev:((?:out|in):[0-9a-f-]{36}):\d+$/.exec(id);
    const direct = m ? t.rowOf(`doc:${m[1]}`) : undefined;
    if (direct !== undefined) return direct;
    let docId = this.events.get(id);
    if (!docId) { this.rebuild(); docId = this.events.get(id); }
    return docId ? t.rowOf(docId) : undefined;
  }

  /** Has this event been folded into the document in `row`? */
  eventAt(row: number, id: string): boolean {
    return this.projection.hasEventAt(row, id);
  }

  /** Rebuilt when a numbering event is not known yet: they are few (one per numbered document), so this is cheap. */
  private rebuild(): void {
    this.events = new Map();
    const t = this.projection.rows;
    for (let row = 0; row < t.rowCount; row++) {
      const id = t.idAt(row);
      if (id === null || t.eventCountAt(row) === 0) continue;
      for (const k of t.eventKeysAt(row)) if (typeof k === 'string' && k.startsWith('ev:num:')) this.events.set(k, id);
    }
  }
}
