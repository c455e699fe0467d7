// What the city hub knows about each ward document and each ward, after
// reading the ward databases and verifying every signature itself. The hub's
// ingest writes these records; its dashboard, CSV export and benchmarks only
// read them. Pure TypeScript, shared by node/city and the dashboard page.
import { z } from 'zod';
import { WARD_CODE } from './city-contract.js';

const OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * ISO 8601 week of an instant in Vietnam time, e.g. "2026-W05": the city
 * counts signing rates per week, Monday to Sunday, as the officials do.
 */
export function vnIsoWeek(at: Date): string {
  const d = new Date(at.getTime() + OFFSET_MS);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the week's Thursday decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export const HubReason = z.strictObject({ code: z.string().max(80), vi: z.string().max(2000), en: z.string().max(2000) });
export type HubReason = z.infer<typeof HubReason>;

/**
 * The hub's verdict on a document, worst first:
 * - tampered: a record of the document at the city has a second branch or
 *   content that does not match its hash (a ward rewriting what it sent);
 *   never counted as signed, whatever its PDF says;
 * - invalid: a signature is forged, altered, out of its chain, revoked, or the
 *   events claim an electronic signature the PDF does not carry;
 * - unverifiable: the PDF (or a CRL needed to judge it) has not fully arrived,
 *   or the verifier could not decide ('unknown'); re-checked when it arrives;
 * - valid: every signature verified against the city's root and CRLs;
 * - paper: signed by hand and registered as such (counts as not digital);
 * - unsigned: not yet signed (drafts, incoming documents).
 */
export const HUB_VERDICTS = ['tampered', 'invalid', 'unverifiable', 'valid', 'paper', 'unsigned'] as const;
export type HubVerdict = (typeof HUB_VERDICTS)[number];

export const HubSignature = z.strictObject({
  role: z.enum(['leader', 'agency', 'unknown']),
  signerName: z.string().max(300),
  signingTime: z.string().max(40).nullable(),
  status: z.enum(['valid', 'invalid', 'unknown']),
});

/** `hubdoc:<ward>:<docId>`: one per document of a ward's database. */
export const HubDocument = z.strictObject({
  _id: z.string().regex(/^hubdoc:[a-z0-9-]{2,40}:doc:(out|in):[0-9a-z-]{10,64}$/),
  _rev: z.string().optional(),
  type: z.literal('hub-document'),
  ward: z.string().regex(WARD_CODE),
  docId: z.string().regex(/^doc:(out|in):/),
  direction: z.enum(['outgoing', 'incoming']),
  docType: z.string().max(10),
  /** The issuing unit inside the ward (the document's unitCode), else the ward itself. */
  unit: z.string().max(64),
  subject: z.string().max(1000),
  /** Folded from the events with sync/workflow.ts. */
  state: z.string().max(20),
  /** "12/QĐ-UBND" once numbered. */
  symbol: z.string().max(120).optional(),
  /** The numbering event's id (`ev:num:…`, outside the document's own event range), to fold it again later. */
  numberEventId: z.string().max(200).optional(),
  /** Issue time and its Vietnam-time ISO week: the dashboard counts issued documents by this week. */
  issuedAt: z.iso.datetime({ offset: true }).optional(),
  week: z.string().regex(/^\d{4}-W\d{2}$/).optional(),
  /** How it was signed: electronic ('digital'), by hand ('paper'), or not yet. */
  signing: z.enum(['digital', 'paper', 'none']),
  verdict: z.enum(HUB_VERDICTS),
  reasons: z.array(HubReason).max(50),
  signatures: z.array(HubSignature).max(10),
  /** The signed PDF as the events name it; complete once every chunk is at the city. */
  pdf: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative(), complete: z.boolean() }).optional(),
  /** For a document the city sent: Decision 28/2018 state in that ward. */
  origin: z.literal('city').optional(),
  /** The ward's first event's time, and when the hub first saw the document (its lag is the difference). */
  firstEventAt: z.iso.datetime({ offset: true }),
  lastEventAt: z.iso.datetime({ offset: true }),
  seenAt: z.iso.datetime({ offset: true }),
  verifiedAt: z.iso.datetime({ offset: true }).optional(),
});
export type HubDocument = z.infer<typeof HubDocument>;

/** `hubward:<ward>`: how far the hub has read a ward's database, and its sync health as the city sees it. */
export const HubWard = z.strictObject({
  _id: z.string().regex(/^hubward:[a-z0-9-]{2,40}$/),
  _rev: z.string().optional(),
  type: z.literal('hub-ward'),
  ward: z.string().regex(WARD_CODE),
  /** The ward database's changes-feed checkpoint: ingest resumes after it. */
  since: z.string().max(200),
  /** When the hub last received anything from the ward (the ward's last successful push as the city sees it). */
  lastSeenAt: z.iso.datetime({ offset: true }).nullable(),
  /** Documents whose signed PDF has not fully arrived. */
  pendingFiles: z.number().int().nonnegative(),
  /** Event time → arrival at the hub, over the last 100 events: median and worst, in seconds. */
  lagP50Seconds: z.number().nonnegative().nullable(),
  lagMaxSeconds: z.number().nonnegative().nullable(),
  /** How far the hub walked the ward's audit chain (node/city/hub-chain.ts), and where it broke; a break is kept for good. */
  chain: z.strictObject({
    seq: z.number().int().nonnegative(),
    head: z.string().regex(/^[0-9a-f]{64}$/),
    broken: z.strictObject({ at: z.number().int().positive(), reason: z.string().max(300) }).nullable(),
  }).optional(),
});
export type HubWard = z.infer<typeof HubWard>;

export function hubDocId(ward: string, docId: string): string { return `hubdoc:${ward}:${docId}`; }
export function hubWardId(ward: string): string { return `hubward:${ward}`; }
