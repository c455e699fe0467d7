// What each workflow step carries, beside the workflow table (workflow.ts):
// what a person may send with a step (ACTION_INPUT, parsed at the node's door
// and by the PWA), and what the step's event stores (EVENT_DATA, checked by the
// node before anything is written). Both are strict: an unknown field is
// refused, never stored, so a PIN or password sent by mistake (or on purpose)
// cannot ride an event to the city. EventRecord's own `data` stays an open
// record: the city's validate_doc_update checks its hand-written mirror
// (record-shapes.ts), and per-action data is the node's to check, at input.
import { z } from 'zod';
import type { Action } from './actions.js';
import { parseInput, type Parsed } from './validation.js';

/** A signing key's PIN: opens the key on the ward node, never written anywhere. */
export const Pin = z.string().min(1).max(64);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Username = z.string().min(1).max(64);
/** Hạn xử lý: the day the handler must finish by, a Vietnam calendar day. */
const Deadline = z.iso.date();

export type Medium = 'electronic' | 'paper';

/** What a person sends with each step (besides the comment); steps not listed take nothing. */
const INPUT: Partial<Record<Action, z.ZodType<Record<string, unknown>>>> = {
  assign: z.strictObject({ handler: Username, deadline: Deadline.optional() }),
  sign: z.strictObject({ pin: Pin }),
  'recipient-status': z.strictObject({ agencyId: z.string().regex(/^[0-9A-Z.]{13}$/), status: z.string().regex(/^\d{2}$/) }),
};
/** Issue: the agency seal's PIN on an electronic document; the scan of the signed paper on a paper one. */
const ISSUE_INPUT: Record<Medium, z.ZodType<Record<string, unknown>>> = {
  electronic: z.strictObject({ pin: Pin }),
  // Optional here so a missing scan gets its own message (scan_required) from the workflow.
  paper: z.strictObject({ scan: Sha256.optional() }),
};
const NOTHING = z.strictObject({});

/** The schema for the data a person sends with `action` on a document of `medium`. */
export function actionInput(action: Action, medium: Medium): z.ZodType<Record<string, unknown>> {
  if (action === 'issue') return ISSUE_INPUT[medium];
  return INPUT[action] ?? NOTHING;
}

/** Parses the data sent with a step; problems are named under `data.` (e.g. "data.pin"), in both languages. */
export function parseActionData(action: Action, medium: Medium, data: unknown): Parsed<Record<string, unknown>> {
  const parsed = parseInput(wrapped(actionInput(action, medium)), { data: data ?? {} });
  return parsed.ok ? { ok: true, value: parsed.value.data } : parsed;
}

/** Made once per step's schema: zod builds and compiles a schema on first use, which cost more than the parse on every step. */
const WRAPPED = new Map<z.ZodType<Record<string, unknown>>, z.ZodType<{ data: Record<string, unknown> }>>();
function wrapped(input: z.ZodType<Record<string, unknown>>): z.ZodType<{ data: Record<string, unknown> }> {
  let schema = WRAPPED.get(input);
  if (!schema) { schema = z.strictObject({ data: input }); WRAPPED.set(input, schema); }
  return schema;
}

/** A slot of the rendered page; `size`: the font size of the line a slot sits in (certs/pdf-boxes.ts). */
const Box = z.strictObject({ page: z.number().int().min(0), x: z.number(), y: z.number(), width: z.number(), height: z.number(), size: z.number().positive().max(72).optional() });
/** Where later steps stamp onto the leader-signed PDF (certs/pdf-boxes.ts RenderLayout). */
const Layout = z.strictObject({ pageCount: z.number().int().positive(), signature: Box, number: Box, day: Box, month: Box, year: Box, attachmentStamp: Box });
const Numbered = z.strictObject({
  registerKey: z.string().min(1).max(100), number: z.number().int().positive(), numberText: z.string().min(1).max(20),
  symbol: z.string().max(100).nullable(), year: z.number().int(), date: z.iso.datetime({ offset: true }),
});
const CertSerial = z.string().regex(/^[0-9a-f]{1,64}$/);

/** What each step's event stores in `data`: the node checks an event against it before writing. */
const STORED: Partial<Record<Action, z.ZodType<Record<string, unknown>>>> = {
  assign: z.strictObject({ handler: Username, deadline: Deadline.optional() }),
  sign: z.strictObject({ pdf: Sha256, layout: Layout, certSerial: CertSerial, signer: z.string().max(1000) }),
  issue: z.union([z.strictObject({ pdf: Sha256, certSerial: CertSerial }), z.strictObject({ scan: Sha256 })]),
  number: Numbered,
  register: Numbered,
  'recipient-status': z.strictObject({ agencyId: z.string().regex(/^[0-9A-Z.]{13}$/), status: z.string().regex(/^\d{2}$/) }),
};

/** The schema for what `action`'s event stores in `data`. */
export function eventData(action: Action): z.ZodType<Record<string, unknown>> {
  return STORED[action] ?? NOTHING;
}
