// The document summaries as columns, as the snapshot stores them: typed
// arrays, a table of the short strings they share, and a few string lists.
// v8 reads 200,000 summaries back from this in a fraction of the time it takes
// to read as many objects, and every shared string comes back once; the
// in-memory table (node/summary-table.ts) is filled from it directly.
import type { DocSummary } from './projection.js';

export interface SummaryColumns {
  ids: string[];
  /** 0 outgoing, 1 incoming. */
  direction: Uint8Array<ArrayBuffer>;
  dateMs: Float64Array<ArrayBuffer>;
  activeMs: Float64Array<ArrayBuffer>;
  revGeneration: Uint32Array<ArrayBuffer>;
  /** NaN for none. */
  number: Float64Array<ArrayBuffer>;
  /** The shared strings, and for each column below an index into them (-1: null). */
  table: string[];
  shared: Record<SharedField, Int32Array<ArrayBuffer>>;
  numberEventId: (string | null)[];
  lastAt: (string | null)[];
  /** Each document's event keys: how many, then that many numbers, NaN for "the next string key". */
  eventCounts: Uint16Array<ArrayBuffer>;
  eventNumbers: Float64Array<ArrayBuffer>;
  eventStrings: string[];
}

export const SHARED = ['docType', 'createdBy', 'registerKey', 'numberText', 'symbol', 'state', 'author', 'handler', 'deadline', 'medium'] as const;
export type SharedField = typeof SHARED[number];

export function sharedValue(s: DocSummary, f: SharedField): string | null {
  switch (f) {
    case 'docType': case 'createdBy': case 'registerKey': case 'numberText': case 'symbol': return s[f];
    default: return s.derived[f];
  }
}
