// Listing and search over the projection: filter in one pass, keep only the
// page asked for (a bounded top-k instead of sorting 100,000 documents).
import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from '../sync/doc-types.js';
import { foldVietnamese } from '../sync/text.js';
import { vnDayStart } from '../sync/vn-time.js';
import type { DocSummary, Projection } from './projection.js';
import { viewIsOthersDraft, type Reader } from './working-set.js';

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
  const filter = buildFilter(query);
  const matches = (v: DocSummary) => filter(v) && !viewIsOthersDraft(v, reader);
  const candidates: Iterable<DocSummary | undefined> = query.q
    ? projection.search(query.q).map((id) => projection.get(id))
    : projection.all();
  const top = new TopK<DocSummary>(query.offset + query.limit, (v) => v.activeMs);
  let total = 0;
  for (const view of candidates) {
    if (!view || !matches(view)) continue;
    total += 1;
    top.offer(view);
  }
  return { total, items: top.sorted().slice(query.offset) };
}

function buildFilter(query: DocumentQuery): (v: DocSummary) => boolean {
  const checks: ((v: DocSummary) => boolean)[] = [];
  if (query.direction) checks.push((v) => v.direction === query.direction);
  if (query.state) checks.push((v) => v.derived.state === query.state);
  if (query.docType) checks.push((v) => v.docType === query.docType);
  if (query.handler) checks.push((v) => v.derived.handler === query.handler);
  if (query.author) checks.push((v) => v.derived.author === query.author);
  if (query.number) {
    const wanted = foldVietnamese(query.number).replace(/^0+(?=\d)/, '');
    checks.push((v) => {
      if (!v.numberText) return false;
      const n = v.numberText.replace(/^0+(?=\d)/, '');
      return n === wanted || foldVietnamese(`${n}/${v.symbol ?? ''}`) === wanted;
    });
  }
  if (query.from) {
    const from = vnDayStart(parseDay(query.from)).getTime();
    checks.push((v) => v.dateMs >= from);
  }
  if (query.to) {
    const day = parseDay(query.to);
    const end = vnDayStart(day).getTime() + 86_400_000;
    checks.push((v) => v.dateMs < end);
  }
  return (v) => checks.every((c) => c(v));
}

function parseDay(s: string) {
  const [year, month, day] = s.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** Keeps the k largest by key; O(n log k). */
class TopK<T> {
  private readonly heap: { key: number; item: T }[] = [];
  constructor(private readonly k: number, private readonly keyOf: (item: T) => number) {}

  offer(item: T): void {
    const key = this.keyOf(item);
    if (this.heap.length < this.k) { this.heap.push({ key, item }); this.up(this.heap.length - 1); return; }
    if (key <= this.heap[0]!.key) return;
    this.heap[0] = { key, item };
    this.down(0);
  }

  sorted(): T[] { return [...this.heap].sort((a, b) => b.key - a.key).map((e) => e.item); }

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
