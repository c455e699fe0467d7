// The replicated records' shapes as the city's validate_doc_update checks
// them: a hand-written mirror of the zod schemas DocumentRecord and
// EventRecord (schema.ts) and BlobRecord, UserRecord, AuditRecord and
// CrlRecord (city-contract.ts). Why by hand: couchjs (CouchDB's QuickJS or
// SpiderMonkey) lacks BigInt and Promise, which zod needs, so one small
// checker the city can run replaces zod in the rules bundle. The zod schemas
// stay the node's and the PWA's; test/sync/record-shapes.test.ts gives both
// the same generated records and expects the same accept/reject, so a change
// to one without the other fails there.
//
// Imports nothing that imports zod (see shape-check.ts for the ES2015 rule).
import { array, boolean, literal, nullable, number, oneOf, optional, record, strictObject, string, union, type Shape } from './shape-check.js';
import { CRL_ID, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, WARD_CODE } from './city-names.js';
import { DOCUMENT_TYPE_CODES, SIGNER_AUTHORITIES } from './doc-types.js';
import { INCOMING_ACTIONS, OUTGOING_ACTIONS } from './actions.js';

const SHA256 = /^[0-9a-f]{64}$/;
const sha256 = string({ pattern: SHA256, patternMessage: 'expected 64 lowercase hex digits' });
const text = (max: number) => string({ trim: true, min: 1, max });
const optionalText = (max: number) => string({ trim: true, max });
const rev = optional(string());
const origin = optional(literal('city'));
const CONTENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'];
const MAX_FILE_BYTES = 50 * 1024 * 1024;

// zod 4's z.iso.date() and z.iso.datetime({ offset: true }), copied from its regexes: leap days, no
// seconds-less times, "Z" or a ±hh:mm offset.
const DATE = '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))';
const isoDate = string({ pattern: new RegExp(`^${DATE}$`), patternMessage: 'expected a date YYYY-MM-DD' });
const isoDateTime = string({
  pattern: new RegExp(`^${DATE}T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$`),
  patternMessage: 'expected an ISO 8601 date and time with seconds and an offset',
});

const AttachmentRef = strictObject({
  name: string({ trim: true, min: 1, max: 200, pattern: /^[^/\\\u0000-\u001f]+$/, patternMessage: 'no path separators or control characters' }),
  contentType: oneOf(CONTENT_TYPES),
  size: number({ int: true, positive: true, max: MAX_FILE_BYTES }),
  sha256,
});

const Recipient = strictObject({
  name: text(300),
  agencyId: optional(string({ pattern: /^[0-9A-Z.]{13}$/ })),
});

const OutgoingDraft = strictObject({
  docType: oneOf(DOCUMENT_TYPE_CODES),
  subject: text(1000),
  body: optionalText(200_000),
  unitCode: optional(string({ trim: true, pattern: /^[A-ZĐ0-9]{1,10}$/ })),
  signerAuthority: optional(oneOf(SIGNER_AUTHORITIES)),
  signerTitle: optional(optionalText(200)),
  signerName: optional(optionalText(200)),
  recipients: optional(array(Recipient, 200)),
  attachments: optional(array(AttachmentRef, 50)),
});

const IncomingArrival = strictObject({
  senderName: text(300),
  senderAgencyId: optional(string({ pattern: /^[0-9A-Z.]{13}$/ })),
  originalSymbol: text(100),
  originalDate: isoDate,
  docType: oneOf(DOCUMENT_TYPE_CODES),
  subject: text(1000),
  attachments: optional(array(AttachmentRef, 50)),
  medium: optional(oneOf(['electronic', 'paper'])),
});

const Actor = strictObject({
  user: string({ min: 1, max: 64 }),
  role: oneOf(['specialist', 'leader', 'clerk', 'admin', 'city']),
  device: optional(string({ max: 300 })),
});

/** Content is a draft or an arrival; a problem is told against the arrival when the content names a sender. */
const isArrival = (value: unknown) => (typeof value === 'object' && value !== null && 'senderName' in value ? 1 : 0);

export const DocumentShape: Shape = strictObject({
  _id: string({ pattern: /^doc:(out|in):[0-9a-z-]{10,64}$/ }),
  _rev: rev,
  type: literal('document'),
  ward: string({ min: 1, max: 64 }),
  direction: oneOf(['outgoing', 'incoming']),
  createdAt: isoDateTime,
  createdBy: string({ min: 1, max: 64 }),
  content: union([OutgoingDraft, IncomingArrival], isArrival),
  origin,
  sealed: optional(literal(true)),
  hash: optional(sha256),
});

export const EventShape: Shape = strictObject({
  _id: string({ pattern: /^ev:/ }),
  _rev: rev,
  type: literal('event'),
  ward: string({ min: 1, max: 64 }),
  docId: string({ pattern: /^doc:(out|in):/ }),
  action: oneOf((OUTGOING_ACTIONS as readonly string[]).concat(INCOMING_ACTIONS)),
  at: isoDateTime,
  actor: Actor,
  comment: optional(optionalText(5000)),
  data: optional(record(null)),
  origin,
  hash: optional(sha256),
});

export const CrlShape: Shape = strictObject({
  _id: string({ pattern: CRL_ID }),
  _rev: rev,
  type: literal('crl'),
  issuer: string({ pattern: WARD_CODE }),
  crlNumber: number({ int: true, min: 0, max: 999_999 }),
  thisUpdate: string({ min: 10, max: 40 }),
  der: string({ min: 16, max: 2_000_000, pattern: /^[A-Za-z0-9+/]+=*$/, patternMessage: 'expected base64' }),
  origin,
  hash: optional(sha256),
});

export const BlobShape: Shape = strictObject({
  _id: string({ pattern: /^blob:[0-9a-f]{64}$/ }),
  _rev: rev,
  type: literal('blob'),
  contentType: oneOf(CONTENT_TYPES),
  size: number({ int: true, positive: true, max: MAX_FILE_BYTES }),
  sha256,
  chunkSize: optional(number({ int: true, min: MIN_CHUNK_BYTES, max: MAX_CHUNK_BYTES })),
  chunks: optional(array(sha256, MAX_FILE_BYTES / MIN_CHUNK_BYTES)),
  origin,
  hash: optional(sha256),
});

const USERNAME = /^[a-z][a-z0-9._-]{1,31}$/;

export const UserShape: Shape = strictObject({
  _id: string({ pattern: /^user:[a-z][a-z0-9._-]{1,31}$/ }),
  _rev: rev,
  type: literal('user'),
  username: string({ pattern: USERNAME }),
  fullName: string({ min: 1, max: 200 }),
  title: string({ max: 200 }),
  role: oneOf(['specialist', 'leader', 'clerk', 'admin']),
  active: boolean,
  updatedAt: isoDateTime,
});

export const AuditShape: Shape = strictObject({
  _id: string({ pattern: /^audit:\d{12}$/ }),
  _rev: rev,
  type: literal('audit'),
  seq: number({ int: true, positive: true }),
  at: isoDateTime,
  actor: strictObject({ user: string({ max: 64 }), role: string({ max: 32 }), device: string({ max: 600 }) }),
  action: string({ min: 1, max: 64 }),
  target: nullable(string({ max: 200 })),
  writes: record(sha256),
  prev: sha256,
  hash: sha256,
});
