// Listing and search over the projection: filter in one pass, keep only the
// page asked for (a bounded top-k instead of sorting 100,000 documents).
import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from '../sync/doc-types.js';
import { foldVietnamese } from '../sync/text.js';
import { vnDayStart } from '../sync/vn-time.js';
import type { DocSummary, Projection } from './projection.js';
import type { SharedField } from './summary-columns.js';
import type { SummaryTable } from './summary-table.js';
import { othersDraftFilter, type Reader } from './working-set.js';

const isoDay = z.iso.date();

export const DocumentQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  direction: z.enum(['outgoing', 'incoming']).optional(),
  state: z.enum(['draft', 'submitted', 'returned', 'approved', 'signed', 'numbered', 'issued', 'sent',
    'arrived', 'refused', 'registered', 'assigned', 'in_progress', 'done']).optional(),
  docType: z.enum(DOCUMENT_TYPE_CODES).optional(),
  number: z.string().trim().max(100).optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  handler: z.string().max(64).optional(),
  author: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type DocumentQuery = z.infer<typeof DocumentQuery>;

export interface QueryResult { total: number; items: DocSummary[] }

/** Matching documents, most recently active first; `q` narrows to those containing every word. Other officials' drafts are left out. */
export function queryDocuments(projection: Projection, query: DocumentQuery, reader: Reader): QueryResult {
  // Read from the columns: a summary object is made only for the page's documents.
  const t = projection.rows;
  const filter = buildFilter(query, t);
  const hidden = othersDraftFilter(t, reader);
  const active = t.activeMs;
  const top = new TopK(query.offset + query.limit);
  let total = 0;
  const offer = (row: number) => {
    if (!filter(row) || hidden(row)) return;
    total += 1;
    top.offer(active[row]!, row);
  };
  if (query.q) for (const row of projection.searchRows(query.q)) offer(row);
  else for (let row = 0; row < t.rowCount; row++) if (t.idAt(row) !== null) offer(row);
  return { total, items: top.sorted().slice(query.offset).map((row) => t.read(row)) };
}

function buildFilter(query: DocumentQuery, t: SummaryTable): (row: number) => boolean {
  const checks: ((row: number) => boolean)[] = [];
  // Shared strings compare by their index in the table; a value no document has matches none.
  const equals = (field: SharedField, value: string) => { const code = t.code(value), col = t.shared[field]; checks.push((r) => col[r] === code && code >= 0); };
  if (query.direction) { const d = query.direction === 'incoming' ? 1 : 0; checks.push((r) => t.direction[r] === d); }
  if (query.state) equals('state', query.state);
  if (query.docType) equals('docType', query.docType);
  if (query.handler) equals('handler', query.handler);
  if (query.author) equals('author', query.author);
  if (query.number) {
    const wanted = foldVietnamese(query.number).replace(/^0+(?=\d)/, '');
    checks.push((r) => {
      const numberText = t.text(t.shared.numberText[r]!);
      if (!numberText) return false;
      const n = numberText.replace(/^0+(?=\d)/, '');
      return n === wanted || foldVietnamese(`${n}/${t.text(t.shared.symbol[r]!) ?? ''}`) === wanted;
    });
  }
  if (query.from) {
    const from = vnDayStart(parseDay(query.from)).getTime();
    checks.push((r) => t.dateMs[r]! >= from);
  }
  if (query.to) {
    const day = parseDay(query.to);
    const end = vnDayStart(day).getTime() + 86_400_000;
    checks.push((r) => t.dateMs[r]! < end);
  }
  return (r) => checks.every((c) => c(r));
}

function parseDay(s: string) {
  const [year, month, day] = s.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** Keeps the k rows of largest key; O(n log k). */
class TopK {
  private readonly heap: { key: number; item: number }[] = [];
  constructor(private readonly k: number) {}

  offer(key: number, item: number): void {
    if (this.heap.length < this.k) { this.heap.push({ key, item }); this.up(this.heap.length - 1); return; }
    if (key <= this.heap[0]!.key) return;
    this.heap[0] = { key, item };
    this.down(0);
  }

  sorted(): number[] { return [...this.heap].sort((a, b) => b.key - a.key).map((e) => e.item); }
  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.heap[p]!.key <= this.heap[i]!.key) return;
      [this.heap[p], this.heap[i]] = [this.heap[i]!, this.heap[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.heap.length && this.heap[l]!.key < this.heap[m]!.key) m = l;
      if (r < this.heap.length && this.heap[r]!.key < this.heap[m]!.key) m = r;
      if (m === i) return;
      [this.heap[m], this.heap[i]] = [this.heap[i]!, this.heap[m]!];
      i = m;
    }
  }
}
