// The register books Decree 30/2020 (Appendix IV) has the văn thư keep: the
// sổ đăng ký văn bản đi, one per register and year, and the sổ đăng ký văn
// bản đến, one per year. They are not kept separately: a book is read off the
// numbering events already in the ledger, so it can never disagree with the
// numbers that were given.
import { DOCUMENT_TYPES, type DocumentType } from '../sync/doc-types.js';
import type { IncomingArrival, OutgoingDraft } from '../sync/schema.js';
import { vnDdMmYyyy } from '../sync/vn-time.js';
import type { DocSummary, Projection } from './projection.js';

export type BookDirection = 'out' | 'in';
export interface BookRef { direction: BookDirection; register: string | null; year: number }
/** Where a numbered document sits: its book and its number in it. */
type Entry = BookRef & { number: number };

export interface OutgoingRow {
  number: number; numberAndSymbol: string; date: string; typeAndSubject: string; signer: string; recipients: string; medium: 'electronic' | 'paper'; id: string;
}
export interface IncomingRow {
  number: number; arrivalDate: string; sender: string; originalSymbol: string; originalDate: string; typeAndSubject: string; handler: string; medium: 'electronic' | 'paper'; id: string;
}

/** The books that have at least one number in them, newest year first. */
export function listBooks(projection: Projection): BookRef[] {
  const seen = new Map<string, BookRef>();
  // Each register once, without a summary per numbered document.
  projection.numbered((key) => {
    const ref = bookOf(key);
    if (ref) seen.set(`${ref.direction}:${ref.year}:${ref.register ?? ''}`, ref);
    return false;
  });
  return [...seen.values()].sort((a, b) => b.year - a.year || a.direction.localeCompare(b.direction) || (a.register ?? '').localeCompare(b.register ?? ''));
}

/** The book's entries, and their records read from the store (a book is read now and then; its contents are not kept in memory). */
async function entries(projection: Projection, wanted: (ref: Entry) => boolean) {
  const found: { view: DocSummary; ref: Entry }[] = [];
  for (const view of projection.numbered((key) => { const book = bookOf(key); return book !== null && wanted({ ...book, number: 0 }); })) {
    const ref = entryOf(view);
    if (ref && wanted(ref)) found.push({ view, ref });
  }
  const records = await projection.records(found.map((f) => f.view.id));
  return found.flatMap((f) => { const record = records.get(f.view.id); return record ? [{ ...f, content: record.content }] : []; });
}

export async function outgoingBook(projection: Projection, register: string, year: number): Promise<OutgoingRow[]> {
  const rows: OutgoingRow[] = [];
  for (const { view, ref, content } of await entries(projection, (r) => r.direction === 'out' && r.register === register && r.year === year)) {
    const c = content as OutgoingDraft;
    rows.push({
      number: ref.number, numberAndSymbol: view.symbol ? `${view.numberText}/${view.symbol}` : view.numberText ?? '',
      date: vnDdMmYyyy(new Date(view.dateMs)), typeAndSubject: typeAndSubject(c.docType, c.subject),
      signer: [c.signerTitle, c.signerName].filter(Boolean).join(' '), recipients: c.recipients.map((r) => r.name).join('; '),
      medium: view.derived.medium, id: view.id,
    });
  }
  return rows.sort((a, b) => a.number - b.number);
}

export async function incomingBook(projection: Projection, year: number): Promise<IncomingRow[]> {
  const rows: IncomingRow[] = [];
  for (const { view, ref, content } of await entries(projection, (r) => r.direction === 'in' && r.year === year)) {
    const c = content as IncomingArrival;
    rows.push({
      number: ref.number, arrivalDate: vnDdMmYyyy(new Date(view.dateMs)), sender: c.senderName, originalSymbol: c.originalSymbol,
      originalDate: c.originalDate.split('-').reverse().join('/'), typeAndSubject: typeAndSubject(c.docType, c.subject),
      handler: view.derived.handler ?? '', medium: c.medium === 'paper' ? 'paper' : 'electronic', id: view.id,
    });
  }
  return rows.sort((a, b) => a.number - b.number);
}

/** "out:2026:chung" / "in:2026" and the number, from the document's numbering event. */
function entryOf(view: DocSummary): Entry | null {
  if (!view.derived.numberEventId || view.registerKey === null) return null;
  const book = bookOf(view.registerKey);
  return book && { ...book, number: view.number ?? 0 };
}

/** The book a register key names: "out:2026:chung", "in:2026". */
function bookOf(registerKey: string): BookRef | null {
  const m = /^(out|in):(\d{4})(?::(.+))?$/.exec(registerKey);
  return m ? { direction: m[1] as BookDirection, year: Number(m[2]), register: m[3] ?? null } : null;
}

function typeAndSubject(docType: DocumentType, subject: string): string {
  return `${DOCUMENT_TYPES[docType]}: ${subject}`;
}
