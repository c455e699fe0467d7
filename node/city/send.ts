// City → ward documents (Decision 28/2018): the city writes an incoming
// document, its arrival event and its files into each addressed ward's
// database, marked origin "city" so it lands in the ward's inbox at the ward's
// next pull. Files travel as the ward's own do, as content-addressed chunks
// under a blob record (sync/chunks.ts), which the ward fetches one by one
// after the inbox pull (sync/chunk-pull.ts), so a large PDF resumes on a weak
// link. The ward's own steps (register or refuse, assign, start, done)
// replicate back; sentStatuses() reads them and folds them with the same
// workflow rules as the ward. HTTP API only, so a real CouchDB 3 works too.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { verifyPdf, type TrustOptions } from '../../certs/pdf-verify.js';
import { chunkDocs, splitFile, type SplitFile } from '../../sync/chunks.js';
import { DOCUMENT_TYPE_CODES } from '../../sync/doc-types.js';
import { wardDbName, WARD_CODE } from '../../sync/city-contract.js';
import { wardError } from '../../sync/errors.js';
import { AttachmentRef, type DocumentRecord, type EventRecord } from '../../sync/schema.js';
import { parseInput } from '../../sync/validation.js';
import { withHash } from '../../sync/record-hash.js';
import { vnIso } from '../../sync/vn-time.js';
import { deriveState, EXCHANGE_STATUS, type IncomingState } from '../../sync/workflow.js';
import { documentEvents, type CityJson } from './document-events.js';
import { tamperDetail, WardRecords } from './ward-records.js';
import { couchClient, type AdminCredentials } from './init.js';
import { refuseUnlessGenuine, sniff } from '../file-kind.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** The document's own PDF plus at most 49 attachments: the ward's record holds 50 files. */
const MAX_ATTACHMENTS = 49;

/** What the city says about the document it sends (the ward's "Sổ đăng ký văn bản đến" takes it from here). */
export const SendMeta = z.strictObject({
  docType: z.enum(DOCUMENT_TYPE_CODES),
  originalSymbol: z.string().trim().min(1).max(100),
  originalDate: z.iso.date(),
  subject: z.string().trim().min(1).max(1000),
  senderName: z.string().trim().min(1).max(300).default('UBND Thành phố'),
  senderAgencyId: z.string().regex(/^[0-9A-Z.]{13}$/).optional(),
  fileName: AttachmentRef.shape.name.default('van-ban.pdf'),
});
export type SendMeta = z.input<typeof SendMeta>;

/** A file sent along with the document (annex, map, scan): PDF, PNG or JPEG. */
export interface SendFile { name: string; bytes: Buffer }

export interface SendInput {
  url: string;
  admin: AdminCredentials;
  wards: string[] | 'all';
  pdf: Buffer;
  meta: SendMeta;
  attachments?: SendFile[];
  /**
   * Verify the PDF's signatures before sending (the city root; CRLs given
   * here and every revocation list the ward databases hold). A PDF that does
   * not verify as 'valid' is refused; the verdict is recorded on the arrival.
   */
  trust?: Pick<TrustOptions, 'roots' | 'crls'>;
  now?: Date;
}

/** What the city's check of the signatures found, as recorded on the arrival event. */
export interface SentSignature { status: 'valid'; checkedAt: string; signers: { role: string; signerName: string; signingTime: string | null }[] }

export interface SendResult { sendId: string; sha256: string; signature?: SentSignature; wards: { ward: string; docId: string; written: boolean }[] }

interface Prepared { ref: AttachmentRef; file: SplitFile }

/**
 * Sends one document to the wards. Everything is checked before anything is
 * written; ids derive from the document (sha-256 of the PDF, symbol and date),
 * so sending the same document again writes nothing new, and a send cut off
 * half-way completes when run again.
 */
export async function sendToWards(input: SendInput): Promise<SendResult> {
  const meta = parseInput(SendMeta, input.meta);
  if (!meta.ok) throw meta.error;
  if (!looksLikePdf(input.pdf)) throw wardError('not_a_pdf');
  const files = [{ name: meta.value.fileName, bytes: input.pdf }, ...checkAttachments(input.attachments ?? [])];
  // Beyond the first bytes: the PDF opens, each image decodes (node/file-kind.ts).
  for (const f of files) await refuseUnlessGenuine(f.bytes, sniff(f.bytes)!, f.name);
  const couch = couchClient(input.url, input.admin);
  const known = await wardCodes(couch);
  const wards = input.wards === 'all' ? known : [...new Set(input.wards)];
  const unknown = wards.filter((w) => !WARD_CODE.test(w) || !known.includes(w));
  if (wards.length === 0 || unknown.length > 0) {
    throw wardError('unknown_ward', unknown.map((w) => ({ path: 'wards', vi: `Không có phường "${w}".`, en: `No ward "${w}".` })));
  }
  const at = vnIso(input.now ?? new Date());
  const signature = input.trust ? await checkSignature(input.pdf, input.trust, known, couch, at) : undefined;
  const prepared: Prepared[] = [];
  for (const f of files) {
    const file = await splitFile(f.bytes);
    prepared.push({ file, ref: { name: f.name, contentType: sniff(f.bytes)!, size: f.bytes.length, sha256: file.sha256 } });
  }
  const sha256 = prepared[0]!.file.sha256;
  // UUID-shaped, as every document id the ward's API accepts; the same in every ward it goes to.
  const h = createHash('sha256').update(`${sha256}\u0000${meta.value.originalSymbol}\u0000${meta.value.originalDate}`).digest('hex');
  const sendId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  const docId = `doc:in:${sendId}`;
  const record: Omit<DocumentRecord, 'ward'> = {
    _id: docId, type: 'document', direction: 'incoming', createdAt: at, createdBy: 'city', origin: 'city',
    content: {
      senderName: meta.value.senderName, ...(meta.value.senderAgencyId ? { senderAgencyId: meta.value.senderAgencyId } : {}),
      originalSymbol: meta.value.originalSymbol, originalDate: meta.value.originalDate, docType: meta.value.docType, subject: meta.value.subject,
      attachments: prepared.map((p) => p.ref), medium: 'electronic',
    },
  };
  const arrival: Omit<EventRecord, 'ward'> = {
    _id: `ev:in:${sendId}:city-arrive`, type: 'event', docId, action: 'arrive', at,
    actor: { user: 'city', role: 'city', device: 'warddesk city send' }, data: { sendId, ...(signature ? { signature } : {}) }, origin: 'city',
  };
  const results: SendResult['wards'] = [];
  for (const ward of wards) {
    const db = `/${wardDbName(ward)}`;
    // Chunks, then the files' records, then the document, then its arrival: a
    // ward never holds an arrival whose record is missing, nor a file record
    // whose bytes the city cannot give it.
    let written = await putChunks(input.url, input.admin, db, prepared);
    const blobs = prepared.map((p) => ({
      _id: `blob:${p.file.sha256}`, type: 'blob', contentType: p.ref.contentType, size: p.file.size, sha256: p.file.sha256,
      chunkSize: p.file.chunkSize, chunks: p.file.chunks.map((c) => c.sha256), origin: 'city',
    }));
    // Hashed as the ward's own write-once records are, so every reader can check them (sync/record-hash.ts).
    for (const doc of await Promise.all([...blobs, { ...record, ward }, { ...arrival, ward }].map((d) => withHash(d)))) {
      const path = `${db}/${encodeURIComponent(doc._id)}`;
      // Already there (a file another send or the ward brought, or this send run again): written once, never changed.
      if ((await couch('GET', path, undefined, [404])).status === 200) continue;
      const r = await couch('PUT', path, doc, [409]);
      written ||= r.status !== 409;
    }
    results.push({ ward, docId, written });
  }
  return { sendId, sha256, ...(signature ? { signature } : {}), wards: results };
}

/** The ward databases at the city (needs a server administrator: CouchDB 3 lists databases to admins only). */
async function wardCodes(couch: ReturnType<typeof couchClient>): Promise<string[]> {
  return (await couch<string[]>('GET', '/_all_dbs')).body.filter((d) => d.startsWith('ward_')).map((d) => d.slice('ward_'.length));
}

function checkAttachments(files: readonly SendFile[]): SendFile[] {
  const problems = files.flatMap((f, i) => {
    const path = `attachments.${i}`;
    const name = AttachmentRef.shape.name.safeParse(f.name);
    if (!name.success) return [{ path, vi: `Tên tệp "${f.name}" không hợp lệ.`, en: `File name "${f.name}" is not valid.` }];
    if (f.bytes.length === 0 || f.bytes.length > MAX_FILE_BYTES) return [{ path, vi: `Tệp "${f.name}" rỗng hoặc lớn hơn 50 MB.`, en: `File "${f.name}" is empty or larger than 50 MB.` }];
    if (!sniff(f.bytes)) return [{ path, vi: `Tệp "${f.name}" không phải PDF, PNG hay JPEG.`, en: `File "${f.name}" is not a PDF, PNG or JPEG.` }];
    return [];
  });
  if (files.length > MAX_ATTACHMENTS) problems.push({ path: 'attachments', vi: `Tối đa ${MAX_ATTACHMENTS} tệp đính kèm.`, en: `At most ${MAX_ATTACHMENTS} attachments.` });
  if (problems.length > 0) throw wardError('bad_attachment', problems);
  return [...files];
}

/** Verifies the PDF against the city root and every revocation list the city holds; anything but 'valid' is refused. */
async function checkSignature(pdf: Buffer, trust: NonNullable<SendInput['trust']>, wards: readonly string[], couch: ReturnType<typeof couchClient>, at: string): Promise<SentSignature> {
  const crls = [...(trust.crls ?? [])];
  const json: CityJson = async <T>(path: string, body?: unknown) => (await couch<T>(body === undefined ? 'GET' : 'POST', path, body)).body;
  for (const ward of wards) {
    for (const r of await new WardRecords(json, ward).byPrefix('crl:')) {
      const der = r.doc?.['der'];
      if (typeof der === 'string') crls.push(Buffer.from(der, 'base64'));
    }
  }
  const v = await verifyPdf(pdf, { roots: trust.roots, crls });
  if (v.status !== 'valid') {
    const reasons = [...v.reasons, ...v.signatures.flatMap((s) => s.reasons)].slice(0, 20);
    throw wardError('signature_invalid', reasons.map((r) => ({ path: 'pdf', vi: r.vi, en: r.en })));
  }
  return { status: 'valid', checkedAt: at, signers: v.signatures.map((s) => ({ role: s.role, signerName: s.signerName.slice(0, 300), signingTime: s.signingTime })) };
}

/** The chunks a ward database lacks, each as the binary body of one attachment PUT (no base64, no batch). */
async function putChunks(url: string, admin: AdminCredentials, db: string, files: readonly Prepared[]): Promise<boolean> {
  const couch = couchClient(url, admin);
  const chunks = files.flatMap((f) => chunkDocs(f.file));
  const ids = [...new Set(chunks.map((c) => c._id))];
  const have = await couch<{ rows: { key: string; error?: string; value?: { deleted?: boolean } }[] }>('POST', `${db}/_all_docs`, { keys: ids });
  const missing = new Set(have.body.rows.filter((r) => r.error || r.value?.deleted).map((r) => r.key));
  const authorization = `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`;
  let written = false;
  for (const c of chunks) {
    if (!missing.delete(c._id)) continue;
    const res = await fetch(`${url.replace(/\/+$/, '')}${db}/${encodeURIComponent(c._id)}/data`, {
      method: 'PUT', headers: { authorization, 'content-type': 'application/octet-stream' }, body: c._attachments.data.data,
    });
    const text = await res.text();
    // 409 (CouchDB) or 403 "immutable" (the embedded rules) when it was stored meanwhile (the same bytes); anything else is a failure.
    const there = res.ok || ((res.status === 409 || res.status === 403) && (await couch('GET', `${db}/${encodeURIComponent(c._id)}`, undefined, [404])).status === 200);
    if (!there) throw new Error(`PUT ${db}/${c._id}: ${res.status} ${text}`);
    written ||= res.ok;
  }
  return written;
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
  /** When the city sent it (Vietnam time). */
  sentAt: string;
  /** The city's check of the PDF's signatures when it sent it (absent: not checked). */
  signature?: SentSignature;
  /** Records of this document the ward rewrote at the city (a second branch, a hash that does not hold): its steps are read from the genuine ones only. */
  tampered?: string[];
  /** When the ward took each step (Vietnam time), and the ward's comment on a refusal. */
  steps: { action: string; at: string; user: string; comment?: string }[];
}

/** What became of the documents the city sent, per ward, as the wards' replicated events tell. */
export async function sentStatuses(o: { url: string; admin: AdminCredentials; sendId?: string }): Promise<SentStatus[]> {
  const couch = couchClient(o.url, o.admin);
  const json: CityJson = async <T>(path: string, body?: unknown) => (await couch<T>(body === undefined ? 'GET' : 'POST', path, body)).body;
  const wards = await wardCodes(couch);
  const out: SentStatus[] = [];
  const prefix = o.sendId ? `doc:in:${o.sendId}` : 'doc:in:';
  for (const ward of wards) {
    for (const read of await new WardRecords(json, ward).byPrefix(prefix)) {
      // Only what the city itself wrote: a ward's branch of the record (it cannot mark it origin "city") is never shown as sent.
      const doc = read.doc as DocumentRecord | null;
      if (!doc || doc.origin !== 'city') continue;
      // Registering takes a number, and numbering events live under their register's key.
      const { events, tampered } = await documentEvents(json, ward, doc._id, { find: true });
      if (read.integrity.state === 'tampered') tampered.unshift(tamperDetail(read.id, read.integrity));
      const state = (deriveState('incoming', events).state ?? 'arrived') as IncomingState;
      const content = doc.content as { subject: string; originalSymbol: string };
      const signature = events.find((e) => e.action === 'arrive' && e.origin === 'city')?.data['signature'] as SentSignature | undefined;
      out.push({
        sendId: doc._id.slice('doc:in:'.length), ward, docId: doc._id, subject: content.subject, originalSymbol: content.originalSymbol,
        state, code: EXCHANGE_STATUS[state], sentAt: doc.createdAt, ...(signature ? { signature } : {}), ...(tampered.length ? { tampered } : {}),
        steps: [...events].sort((a, b) => a.at.localeCompare(b.at)).map((e) => ({ action: e.action, at: e.at, user: e.actor.user, ...(e.comment ? { comment: e.comment } : {}) })),
      });
    }
  }
  return out;
}

function looksLikePdf(b: Buffer): boolean {
  if (b.length < 16 || b.length > MAX_FILE_BYTES) return false;
  if (b.subarray(0, 5).toString('latin1') !== '%PDF-') return false;
  return b.subarray(Math.max(0, b.length - 1024)).toString('latin1').includes('%%EOF');
}

