// The shape of every replicated document, validated with zod by the node and
// the PWA. The city's validate_doc_update cannot run zod (couchjs lacks BigInt
// and Promise): record-shapes.ts mirrors these schemas by hand, and
// test/sync/record-shapes.test.ts holds the two to the same verdicts.
import { z } from 'zod';
import { DOCUMENT_TYPE_CODES, SIGNER_AUTHORITIES } from './doc-types.js';
import { INCOMING_ACTIONS, OUTGOING_ACTIONS } from './actions.js';
import { plainTextCheck } from './plain-text.js';

/** A record's own content hash (write-once records; sync/record-hash.ts). */
export const RecordHash = z.string().regex(/^[0-9a-f]{64}$/);

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max);

/** An attachment as referenced from a document: content-addressed by sha-256. */
export const AttachmentRef = z.strictObject({
  name: z.string().trim().min(1).max(200).regex(/^[^/\\\u0000-\u001f]+$/, 'no path separators or control characters'),
  contentType: z.enum(['application/pdf', 'image/png', 'image/jpeg']),
  size: z.number().int().positive().max(50 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

/** A recipient line of "Nơi nhận"; agencyId when it is an agency on the exchange axis. */
export const Recipient = z.strictObject({
  name: text(300),
  agencyId: z.string().regex(/^[0-9A-Z.]{13}$/).optional(),
});

/** What an author writes; everything the workflow adds (number, date, signatures) lives in events. */
export const OutgoingDraft = z.strictObject({
  docType: z.enum(DOCUMENT_TYPE_CODES),
  subject: text(1000),
  body: optionalText(200_000),
  unitCode: z.string().trim().regex(/^[A-ZĐ0-9]{1,10}$/).optional(),
  signerAuthority: z.enum(SIGNER_AUTHORITIES).default(''),
  signerTitle: optionalText(200).default(''),
  signerName: optionalText(200).default(''),
  recipients: z.array(Recipient).max(200).default([]),
  attachments: z.array(AttachmentRef).max(50).default([]),
});
export type OutgoingDraft = z.infer<typeof OutgoingDraft>;
/** A draft as a person sends it: plain text only (sync/plain-text.ts); the body may have line breaks. */
export const OutgoingDraftInput = OutgoingDraft.superRefine(plainTextCheck(['body']));

/** An incoming document as recorded on arrival (from the city, or on paper). */
export const IncomingArrival = z.strictObject({
  senderName: text(300),
  senderAgencyId: z.string().regex(/^[0-9A-Z.]{13}$/).optional(),
  originalSymbol: text(100),
  originalDate: z.iso.date(),
  docType: z.enum(DOCUMENT_TYPE_CODES),
  subject: text(1000),
  attachments: z.array(AttachmentRef).max(50).default([]),
  medium: z.enum(['electronic', 'paper']).default('electronic'),
});
export type IncomingArrival = z.infer<typeof IncomingArrival>;
/** An arrival as the clerk records it: plain text only (sync/plain-text.ts). */
export const IncomingArrivalInput = IncomingArrival.superRefine(plainTextCheck());

export const Actor = z.strictObject({
  user: z.string().min(1).max(64),
  role: z.enum(['specialist', 'leader', 'clerk', 'admin', 'city']),
  device: z.string().max(300).default(''),
});
export type Actor = z.infer<typeof Actor>;

/** Stored form of a document's content: `doc:<direction>:<id>`. */
export const DocumentRecord = z.strictObject({
  _id: z.string().regex(/^doc:(out|in):[0-9a-z-]{10,64}$/),
  _rev: z.string().optional(),
  type: z.literal('document'),
  ward: z.string().min(1).max(64),
  direction: z.enum(['outgoing', 'incoming']),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1).max(64),
  content: z.union([OutgoingDraft, IncomingArrival]),
  /** Written by the city (a document routed into the ward's inbox); only the city may set it. */
  origin: z.literal('city').optional(),
  /** Set once the document is signed or issued: from then on nobody may change or delete the record. */
  sealed: z.literal(true).optional(),
  /** SHA-256 of the record's canonical content (sync/record-hash.ts), stamped when it is sealed: readers at the city check it. */
  hash: RecordHash.optional(),
});
export type DocumentRecord = z.infer<typeof DocumentRecord>;

export { OUTGOING_ACTIONS, INCOMING_ACTIONS, type OutgoingAction, type IncomingAction, type Action } from './actions.js';

/** One step of the workflow. Events are only ever created, never edited. */
export const EventRecord = z.strictObject({
  _id: z.string().regex(/^ev:/),
  _rev: z.string().optional(),
  type: z.literal('event'),
  ward: z.string().min(1).max(64),
  docId: z.string().regex(/^doc:(out|in):/),
  action: z.enum([...OUTGOING_ACTIONS, ...INCOMING_ACTIONS]),
  at: z.iso.datetime({ offset: true }),
  actor: Actor,
  comment: optionalText(5000).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  /** Written by the city (arrival of an inbox document, recipient statuses); only the city may set it. */
  origin: z.literal('city').optional(),
  /** SHA-256 of the event's canonical content (sync/record-hash.ts): every reader at the city checks it. */
  hash: RecordHash.optional(),
});
export type EventRecord = z.infer<typeof EventRecord>;
