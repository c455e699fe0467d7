// City → ward documents (Decision 28/2018): the city writes an incoming
// document, its arrival event and its PDF into each addressed ward's
// database, marked origin "city" so it lands in the ward's inbox at the ward's
// next pull. The ward's own steps (register or refuse, assign, start, done)
// replicate back; sentStatuses() reads them and folds them with the same
// workflow rules as the ward. HTTP API only, so a real CouchDB 3 works too.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from '../../sync/doc-types.js';
import { wardDbName, WARD_CODE } from '../../sync/city-contract.js';
import { wardError } from '../../sync/errors.js';
import type { DocumentRecord, EventRecord } from '../../sync/schema.js';
import { parseInput } from '../../sync/validation.js';
import { vnIso } from '../../sync/vn-time.js';
import { deriveState, EXCHANGE_STATUS, type IncomingState } from '../../sync/workflow.js';
import { couchClient, type AdminCredentials } from './init.js';

const MAX_PDF_BYTES = 50 * 1024 * 1024;

/** What the city says about the document it sends (the ward's "Sổ đăng ký văn bản đến" takes it from here). */
export const SendMeta = z.strictObject({
  docType: z.enum(DOCUMENT_TYPE_CODES),
  originalSymbol: z.string().trim().min(1).max(100),
  originalDate: z.iso.date(),
  subject: z.string().trim().min(1).max(1000),
  senderName: z.string().trim().min(1).max(300).default('UBND Thành phố'),
  senderAgencyId: z.string().regex(/^[0-9A-Z.]{13}$/).optional(),
  fileName: z.string().trim().min(1).max(200).regex(/^[^/\\\u0000-\u001f]+$/).default('van-ban.pdf'),
});
export type SendMeta = z.input<typeof SendMeta>;

export interface SendInput { url: string; admin: AdminCredentials; wards: string[] | 'all'; pdf: Buffer; meta: SendMeta; now?: Date }
export interface SendResult { sendId: string; sha256: string; wards: { ward: string; docId: string; written: boolean }[] }

/**
 * Sends one document to the wards. Everything is checked before anything is
 * written; ids derive from the document (sha-256 of the PDF, symbol and date),
 * so sending the same document again writes nothing new.
 */
export async function sendToWards(input: SendInput): Promise<SendResult> {
  const meta = parseInput(SendMeta, input.meta);
  if (!meta.ok) throw meta.error;
  if (!looksLikePdf(input.pdf)) throw wardError('not_a_pdf');
  const couch = couchClient(input.url, input.admin);
  const known = (await couch<string[]>('GET', '/_all_dbs')).body.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
  const wards = input.wards === 'all' ? known : [...new Set(input.wards)];
  const unknown = wards.filter((w) => !WARD_CODE.test(w) || !known.includes(w));
  if (wards.length === 0 || unknown.length > 0) {
    throw wardError('unknown_ward', unknown.map((w) => ({ path: 'wards', vi: `Không có phường "${w}".`, en: `No ward "${w}".` })));
  }
  const sha256 = createHash('sha256').update(input.pdf).digest('hex');
  // UUID-shaped, as every document id the ward's API accepts; the same in every ward it goes to.
  const h = createHash('sha256').update(`${sha256}\u0000${meta.value.originalSymbol}\u0000${meta.value.originalDate}`).digest('hex');
  const sendId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  const at = vnIso(input.now ?? new Date());
  const results: SendResult['wards'] = [];
  for (const ward of wards) {
    const db = `/${wardDbName(ward)}`;
    const docId = `doc:in:${sendId}`;
    // The file first, then the record, then the arrival: a ward never sees an arrival whose file is not there.
    const blob = {
      _id: `blob:${sha256}`, type: 'blob', contentType: 'application/pdf', size: input.pdf.length, sha256, origin: 'city',
      _attachments: { data: { content_type: 'application/pdf', data: input.pdf.toString('base64') } },
    };
    const record: DocumentRecord = {
      _id: docId, type: 'document', ward, direction: 'incoming', createdAt: at, createdBy: 'city', origin: 'city',
      content: {
        senderName: meta.value.senderName, ...(meta.value.senderAgencyId ? { senderAgencyId: meta.value.senderAgencyId } : {}),
        originalSymbol: meta.value.originalSymbol, originalDate: meta.value.originalDate, docType: meta.value.docType, subject: meta.value.subject,
        attachments: [{ name: meta.value.fileName, contentType: 'application/pdf', size: input.pdf.length, sha256 }], medium: 'electronic',
      },
    };
    const arrival: EventRecord = {
      _id: `ev:${docId.slice(4)}:city-arrive`, type: 'event', ward, docId, action: 'arrive', at,
      actor: { user: 'city', role: 'city', device: 'warddesk city send' }, data: { sendId }, origin: 'city',
    };
    let written = false;
    for (const doc of [blob, record, arrival]) {
      const path = `${db}/${encodeURIComponent(doc._id)}`;
      // Already there (a file another send brought, or this send run again): written once, never changed.
      if ((await couch('GET', path, undefined, [404])).status === 200) continue;
      const r = await couch('PUT', path, doc, [409]);
      written ||= r.status !== 409;
    }
    results.push({ ward, docId, written });
  }
  return { sendId, sha256, wards: results };
}

export interface SentStatus {
  sendId: string;
  ward: string;
  docId: string;
  subject: string;
  originalSymbol: string;
  state: IncomingState;
  /** Decision 28/2018 exchange status code: 01 received … 06 done. */
  code: string;
  /** When the ward took each step (Vietnam time), and the ward's comment on a refusal. */
  steps: { action: string; at: string; user: string; comment?: string }[];
}

/** What became of the documents the city sent, per ward, as the wards' replicated events tell. */
export async function sentStatuses(o: { url: string; admin: AdminCredentials; sendId?: string }): Promise<SentStatus[]> {
  const couch = couchClient(o.url, o.admin);
  const wards = (await couch<string[]>('GET', '/_all_dbs')).body.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
  const out: SentStatus[] = [];
  const prefix = o.sendId ? `doc:in:${o.sendId}` : 'doc:in:';
  for (const ward of wards) {
    const range = (p: string) => `startkey=${encodeURIComponent(JSON.stringify(p))}&endkey=${encodeURIComponent(JSON.stringify(`${p}\uffff`))}&include_docs=true`;
    const docs = (await couch<{ rows: { doc?: DocumentRecord }[] }>('GET', `/${wardDbName(ward)}/_all_docs?${range(prefix)}`)).body.rows;
    for (const { doc } of docs) {
      if (!doc || doc.origin !== 'city') continue;
      const evRows = (await couch<{ rows: { doc?: EventRecord }[] }>('GET', `/${wardDbName(ward)}/_all_docs?${range(`ev:${doc._id.slice(4)}:`)}`)).body.rows;
      // Registering takes a number, and numbering events live under their register's key.
      const numbered = await couch<{ rows: { doc?: EventRecord }[] }>('POST', `/${wardDbName(ward)}/_find`, { selector: { type: 'event', docId: doc._id, action: 'register' }, limit: 5 }, [400, 404]).catch(() => null);
      const events = [...evRows.flatMap((r) => (r.doc ? [r.doc] : [])), ...((numbered?.body as { docs?: EventRecord[] } | undefined)?.docs ?? [])];
      const state = (deriveState('incoming', events).state ?? 'arrived') as IncomingState;
      const content = doc.content as { subject: string; originalSymbol: string };
      out.push({
        sendId: doc._id.slice('doc:in:'.length), ward, docId: doc._id, subject: content.subject, originalSymbol: content.originalSymbol,
        state, code: EXCHANGE_STATUS[state],
        steps: [...events].sort((a, b) => a.at.localeCompare(b.at)).map((e) => ({ action: e.action, at: e.at, user: e.actor.user, ...(e.comment ? { comment: e.comment } : {}) })),
      });
    }
  }
  return out;
}

function looksLikePdf(b: Buffer): boolean {
  if (b.length < 16 || b.length > MAX_PDF_BYTES) return false;
  if (b.subarray(0, 5).toString('latin1') !== '%PDF-') return false;
  return b.subarray(Math.max(0, b.length - 1024)).toString('latin1').includes('%%EOF');
}

