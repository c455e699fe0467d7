// Who may write what into a ward's database at the city, as one pure
// function. The same function is bundled into the city's validate_doc_update
// (validate-doc-update.ts), so the rules a ward node keeps and the rules the
// city enforces cannot drift apart. It must stay free of anything CouchDB's
// couchjs lacks (BigInt, Promise, Proxy, typed arrays, Intl) and of built-ins
// newer than ES2015: so no zod (record-shapes.ts checks the shapes by hand)
// and nothing that imports it (the names come from city-names.ts).
import type { DocumentRecord, EventRecord } from './schema.js';
import { CHUNK_ID, MAX_CHUNK_BYTES, MAX_CHUNK_PARTS, crlId, isCityWriter, wardUserName } from './city-names.js';
import { AuditShape, BlobShape, CrlShape, DocumentShape, EventShape, UserShape } from './record-shapes.js';
import { formatProblem, type Shape } from './shape-check.js';

export interface UserCtx { name?: string | null; roles?: readonly string[] | null }
export type WriteVerdict = { ok: true } | { ok: false; forbidden: string };
type Doc = Record<string, unknown> & { _id: string };

const OK: WriteVerdict = { ok: true };
const no = (forbidden: string): WriteVerdict => ({ ok: false, forbidden });

/** CouchDB bookkeeping the schemas do not describe; `_attachments` is checked on its own. */
const BOOKKEEPING = ['_revisions', '_attachments', '_deleted', '_conflicts', '_deleted_conflicts', '_local_seq', '_revs_info'];

/**
 * The record without CouchDB's bookkeeping. A copy onto a null prototype, key
 * by key: a `__proto__` key stays a key (as with native object spread, which
 * esbuild lowers for ES2015 to assignments that would set the prototype).
 */
function body(doc: Doc): Doc {
  const copy = Object.create(null) as Doc;
  const keys = Object.keys(doc);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    if (BOOKKEEPING.indexOf(key) < 0) copy[key] = doc[key];
  }
  return copy;
}

function shape(check: Shape, doc: Doc, kind: string): WriteVerdict {
  const found = check(body(doc));
  return found ? no(`${kind} ${doc._id} has the wrong shape: ${formatProblem(found)}`) : OK;
}

/**
 * May `userCtx` write `newDoc` (replacing `oldDoc`, null when new) into the
 * database of ward `wardOfDb`? Written as CouchDB's validate_doc_update sees
 * it: `newDoc._deleted` marks a deletion, `oldDoc` is the revision replaced.
 */
export function checkWrite(newDoc: Doc, oldDoc: Doc | null, userCtx: UserCtx, wardOfDb: string): WriteVerdict {
  const id = newDoc._id;
  const city = isCityWriter(userCtx);
  if (id.startsWith('_design/')) return (userCtx.roles ?? []).indexOf('_admin') >= 0 ? OK : no('only a city administrator may change design documents');
  if (!city && userCtx.name !== wardUserName(wardOfDb)) return no(`user ${String(userCtx.name)} does not write for ward ${wardOfDb}`);
  // Nothing replicated is ever deleted: documents are withdrawn by events, files and the audit chain are permanent.
  if (newDoc['_deleted'] === true) return no(`${id} cannot be deleted: replicated records are permanent`);
  const existing = oldDoc && oldDoc['_deleted'] !== true ? oldDoc : null;
  if (id.startsWith('ev:')) return checkEvent(newDoc, existing, city, wardOfDb);
  if (id.startsWith('doc:')) return checkDocument(newDoc, existing, city, wardOfDb);
  if (id.startsWith('blob:')) return checkBlob(newDoc, existing, city);
  if (id.startsWith('chunk:')) return checkChunk(newDoc, existing);
  if (id.startsWith('user:')) return city ? no('user profiles are written by the ward only') : plain(newDoc) ?? shape(UserShape, newDoc, 'user profile');
  if (id.startsWith('audit:')) {
    if (city) return no('the audit chain is written by the ward only');
    if (existing) return no(`audit entry ${id} is written once and never changed`);
    return plain(newDoc) ?? shape(AuditShape, newDoc, 'audit entry');
  }
  if (id.startsWith('crl:')) return checkCrl(newDoc, existing, city, wardOfDb);
  return no(`${id}: this kind of document does not belong in a ward database`);
}

/** A ward publishes only its own CA's lists; the city distributes the others; each list is written once. */
function checkCrl(doc: Doc, old: Doc | null, city: boolean, ward: string): WriteVerdict {
  if (old) return no(`revocation list ${doc._id} is written once and never changed`);
  const problem = plain(doc) ?? checkOrigin(doc, city) ?? shape(CrlShape, doc, 'revocation list');
  if (!problem.ok) return problem;
  const issuer = String(doc['issuer']);
  if (doc._id !== crlId(issuer, Number(doc['crlNumber']))) return no(`${doc._id}: the id must name its issuer and number`);
  if (!city && issuer !== ward) return no(`${doc._id}: a ward publishes only its own revocation list`);
  if (city && issuer === ward) return no(`${doc._id}: the ward's own list is written by the ward`);
  return OK;
}

/** Only blobs and chunks carry attachments. */
function plain(doc: Doc): WriteVerdict | null {
  return doc['_attachments'] ? no(`${doc._id} may not carry attachments`) : null;
}

function checkOrigin(doc: Doc, city: boolean): WriteVerdict | null {
  if (doc['origin'] === 'city' && !city) return no(`${doc._id}: only the city writes documents marked as coming from the city`);
  if (city && doc['origin'] !== 'city') return no(`${doc._id}: what the city writes must be marked origin "city"`);
  return null;
}

function checkEvent(doc: Doc, old: Doc | null, city: boolean, ward: string): WriteVerdict {
  if (old) return no(`event ${doc._id} is written once and never changed`);
  const problem = plain(doc) ?? shape(EventShape, doc, 'event');
  if (!problem.ok) return problem;
  const ev = doc as unknown as EventRecord;
  if (ev.ward !== ward) return no(`event ${doc._id} belongs to ward ${ev.ward}, not ${ward}`);
  const origin = checkOrigin(doc, city);
  if (origin) return origin;
  if ((ev.actor.role === 'city') !== city) return no(`event ${doc._id}: only the city acts as "city"`);
  const num = /^ev:num:(out:\d{4}:[a-z0-9-]{1,20}|in:\d{4}):(\d{6})$/.exec(doc._id);
  if (doc._id.startsWith('ev:num:')) {
    if (!num || (ev.action !== 'number' && ev.action !== 'register')) return no(`numbering event ${doc._id} is malformed`);
    // The shape check defaults a missing `data` in its parsed copy only; the raw document may have none (a TypeError here is a 500 at CouchDB).
    const data: Record<string, unknown> = ev.data ?? {};
    if (data['number'] !== Number(num[2]) || data['registerKey'] !== num[1]) return no(`numbering event ${doc._id} carries another number than its id`);
    return OK;
  }
  if (!doc._id.startsWith(`ev:${ev.docId.slice(4)}:`)) return no(`event ${doc._id} does not belong to ${ev.docId}`);
  return OK;
}

function checkDocument(doc: Doc, old: Doc | null, city: boolean, ward: string): WriteVerdict {
  const problem = plain(doc) ?? shape(DocumentShape, doc, 'document');
  if (!problem.ok) return problem;
  const rec = doc as unknown as DocumentRecord;
  if (rec.ward !== ward) return no(`document ${doc._id} belongs to ward ${rec.ward}, not ${ward}`);
  const origin = checkOrigin(doc, city);
  if (origin) return origin;
  if ((rec.direction === 'outgoing') !== doc._id.startsWith('doc:out:')) return no(`document ${doc._id}: direction does not match the id`);
  if (!old) return OK;
  if (old['sealed'] === true) return no(`document ${doc._id} is signed or issued and can no longer be changed`);
  for (const key of ['ward', 'direction', 'createdAt', 'createdBy', 'origin'] as const) {
    if (JSON.stringify(old[key]) !== JSON.stringify(doc[key])) return no(`document ${doc._id}: ${key} cannot be changed`);
  }
  return OK;
}

function checkBlob(doc: Doc, old: Doc | null, city: boolean): WriteVerdict {
  if (old) return no(`file ${doc._id} is immutable`);
  const problem = shape(BlobShape, doc, 'file');
  if (!problem.ok) return problem;
  const origin = checkOrigin(doc, city);
  if (origin) return origin;
  if (doc._id !== `blob:${String(doc['sha256'])}`) return no(`file ${doc._id}: id and sha-256 differ`);
  if (doc['chunks'] !== undefined || doc['chunkSize'] !== undefined) {
    const attached = plain(doc);
    if (attached) return attached;
    const chunks = doc['chunks'] as string[] | undefined;
    const chunkSize = doc['chunkSize'] as number | undefined;
    if (!chunks || !chunkSize) return no(`file ${doc._id}: a chunked file needs both chunkSize and chunks`);
    if (chunks.length !== Math.ceil(Number(doc['size']) / chunkSize)) return no(`file ${doc._id}: ${chunks.length} chunks do not make ${String(doc['size'])} bytes in chunks of ${chunkSize}`);
    return OK;
  }
  const atts = doc['_attachments'] as Record<string, { content_type?: string; length?: number }> | undefined;
  const names = atts ? Object.keys(atts) : [];
  if (names.length !== 1 || names[0] !== 'data') return no(`file ${doc._id} must carry exactly one attachment named "data"`);
  const att = atts!['data']!;
  if (att.content_type !== doc['contentType']) return no(`file ${doc._id}: attachment type differs from the declared type`);
  if (typeof att.length === 'number' && att.length !== doc['size']) return no(`file ${doc._id}: attachment size differs from the declared size`);
  return OK;
}

/**
 * `chunk:<sha256>`: one attachment `data` and nothing else, written once. The
 * city cannot hash attachments here (CouchDB hands validate_doc_update only
 * stubs), so the id is checked where the bytes are read: assembleFile() in
 * sync/chunks.ts checks each chunk and the whole file against their hashes.
 */
function checkChunk(doc: Doc, old: Doc | null): WriteVerdict {
  if (old) return no(`chunk ${doc._id} is immutable`);
  if (!CHUNK_ID.test(doc._id)) return no(`chunk ${doc._id}: the id must be chunk:<sha-256>`);
  if (doc['parts'] !== undefined) return checkChunkParts(doc);
  const extra = Object.keys(body(doc)).filter((k) => k !== '_id' && k !== '_rev');
  if (extra.length > 0) return no(`chunk ${doc._id} carries only its attachment, not ${extra.join(', ')}`);
  const atts = doc['_attachments'] as Record<string, { length?: number; data?: unknown }> | undefined;
  const names = atts ? Object.keys(atts) : [];
  if (names.length !== 1 || names[0] !== 'data') return no(`chunk ${doc._id} must carry exactly one attachment named "data"`);
  const att = atts!['data']!;
  const length = typeof att.length === 'number' ? att.length : attachedLength(att.data);
  if (length !== null && (length < 1 || length > MAX_CHUNK_BYTES)) return no(`chunk ${doc._id}: ${length} bytes is not a chunk size (1 to ${MAX_CHUNK_BYTES})`);
  return OK;
}

/**
 * A chunk sent in parts (city-names.ts, MAX_CHUNK_PARTS): the list of its
 * parts' hashes and nothing else. Whether the parts are there and add up to
 * the chunk's hash is checked where the bytes are read (sync/chunk-parts.ts),
 * as for any chunk.
 */
function checkChunkParts(doc: Doc): WriteVerdict {
  const extra = Object.keys(body(doc)).filter((k) => k !== '_id' && k !== '_rev' && k !== 'parts');
  if (extra.length > 0) return no(`chunk ${doc._id} sent in parts carries only the list of its parts, not ${extra.join(', ')}`);
  if (doc['_attachments']) return no(`chunk ${doc._id} sent in parts carries no attachment`);
  const parts = doc['parts'];
  if (!Array.isArray(parts) || parts.length < 2 || parts.length > MAX_CHUNK_PARTS) return no(`chunk ${doc._id}: parts must list 2 to ${MAX_CHUNK_PARTS} hashes`);
  for (const part of parts) {
    if (typeof part !== 'string' || !/^[0-9a-f]{64}$/.test(part)) return no(`chunk ${doc._id}: each part must be a sha-256 in hex`);
    if (`chunk:${part}` === doc._id) return no(`chunk ${doc._id} cannot be a part of itself`);
  }
  return OK;
}

/** Inline data: base64 (CouchDB JSON) or bytes (the embedded server hands the body of an attachment PUT). */
function attachedLength(data: unknown): number | null {
  if (typeof data === 'string') {
    const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
    return Math.floor((data.length * 3) / 4) - pad;
  }
  const d = data as { byteLength?: unknown; size?: unknown } | null;
  if (d && typeof d.byteLength === 'number') return d.byteLength;
  if (d && typeof d.size === 'number') return d.size;
  return null;
}
