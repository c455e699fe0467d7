// What the city hub reads from a ward document and its events, before it
// verifies anything: the same fold as the ward node (sync/workflow.ts), so the
// city's state of a document can never disagree with the ward's.
import { vnIsoWeek } from './hub-records.js';
import type { DocumentRecord, EventRecord, IncomingArrival, OutgoingDraft } from './schema.js';
import { compareEvents, deriveState } from './workflow.js';

export interface Folded {
  direction: 'outgoing' | 'incoming';
  docType: string;
  unit: string;
  subject: string;
  state: string;
  symbol?: string;
  numberEventId?: string;
  issuedAt?: string;
  week?: string;
  signing: 'digital' | 'paper' | 'none';
  /** The PDF whose signatures decide the verdict: the sealed one once issued, else the leader's. */
  pdfSha?: string;
  /** Signatures the events claim the PDF carries, in order. */
  expectedRoles: ('leader' | 'agency')[];
  origin?: 'city';
  firstEventAt: string;
  lastEventAt: string;
}

export function foldHubDocument(ward: string, record: DocumentRecord, events: readonly EventRecord[]): Folded {
  const sorted = [...events].filter((e) => e.docId === record._id).sort(compareEvents);
  const derived = deriveState(record.direction, sorted);
  const content = record.content as Partial<OutgoingDraft & IncomingArrival>;
  const has = (action: string) => sorted.some((e) => e.action === action);
  const signing = has('sign') ? 'digital' : has('sign-paper') || has('register-paper') ? 'paper' : 'none';
  const numberEvent = sorted.filter((e) => e.action === 'number' || e.action === 'register').at(-1);
  const issue = sorted.filter((e) => e.action === 'issue').at(-1);
  const withPdf = sorted.filter((e) => (e.action === 'issue' || e.action === 'sign') && typeof e.data['pdf'] === 'string').at(-1);
  const expectedRoles: Folded['expectedRoles'] = signing !== 'digital' ? [] : issue ? ['leader', 'agency'] : ['leader'];
  const folded: Folded = {
    direction: record.direction,
    docType: String(content.docType ?? ''),
    unit: content.unitCode ?? ward,
    subject: String(content.subject ?? '').slice(0, 1000),
    state: derived.state ?? 'unknown',
    signing,
    expectedRoles,
    firstEventAt: sorted[0]?.at ?? record.createdAt,
    lastEventAt: sorted.at(-1)?.at ?? record.createdAt,
  };
  if (numberEvent) {
    const text = String(numberEvent.data['numberText'] ?? numberEvent.data['number'] ?? '');
    const symbol = numberEvent.data['symbol'];
    folded.symbol = typeof symbol === 'string' && symbol ? `${text}/${symbol}` : text;
    folded.numberEventId = numberEvent._id;
  }
  if (issue) { folded.issuedAt = issue.at; folded.week = vnIsoWeek(new Date(issue.at)); }
  if (withPdf) folded.pdfSha = String(withPdf.data['pdf']);
  if (record.origin) folded.origin = record.origin;
  return folded;
}
