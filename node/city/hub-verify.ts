// The hub's judgement of one document: the signed PDF as the city holds it
// (assembled from its chunks, every hash checked), verified with certs/
// against the city root and every revocation list the city has seen, and
// compared with what the events claim. Never 'valid' by default: a missing
// file is 'unverifiable' until it arrives, a claim the PDF does not bear out
// is 'invalid'.
import { assembleFile } from '../../sync/chunks.js';
import { chunkCap, readPiece } from '../../sync/chunk-read.js';
import { readChunk } from '../../sync/chunk-parts.js';
import type { Folded } from '../../sync/hub-fold.js';
import type { HubDocument, HubReason } from '../../sync/hub-records.js';
import { verifyPdf, type TrustOptions } from '../../certs/pdf-verify.js';
import { signedTitle } from '../../certs/pdf-metadata.js';

const REASONS = {
  file_pending: { vi: 'Tệp PDF đã ký chưa về đủ thành phố: sẽ kiểm tra khi nhận đủ.', en: 'The signed PDF has not fully reached the city yet: it will be checked when it has.' },
  file_corrupt: { vi: 'Tệp PDF tại thành phố không khớp mã băm SHA-256 của nó.', en: 'The PDF held by the city does not match its SHA-256.' },
  pdf_missing: { vi: 'Văn bản ghi là đã ký số nhưng không có tệp PDF đã ký.', en: 'The document is recorded as digitally signed but names no signed PDF.' },
  signature_missing: { vi: 'Tệp PDF không mang đủ các chữ ký mà quy trình ghi nhận.', en: 'The PDF does not carry the signatures the workflow records.' },
  record_differs: { vi: 'Trích yếu trong hồ sơ khác với trích yếu trong tệp PDF đã ký.', en: 'The subject in the record differs from the subject in the signed PDF.' },
} as const;

function hubReason(code: keyof typeof REASONS, detail?: string): HubReason {
  const r = REASONS[code];
  return detail ? { code, vi: `${r.vi} (${detail})`, en: `${r.en} (${detail})` } : { code, ...r };
}

export type CityFile =
  | { state: 'ok'; bytes: Buffer }
  | { state: 'incomplete'; size: number }
  | { state: 'corrupt'; size: number; reason?: string };

/** The largest file a blob record may declare (BlobRecord.size in sync/city-contract.ts). */
const MAX_FILE_BYTES = 50 * 1024 * 1024;

export type Judgement = Pick<HubDocument, 'verdict' | 'reasons' | 'signatures' | 'pdf'>;

/**
 * Reads a file from a ward database at the city; `get` answers a path under
 * the database, null on 404. Every piece is streamed with a cap and checked
 * against its hash (sync/chunk-read.ts): a real CouchDB stores an oversized
 * chunk, and the hub must not hold more than one chunk's worth of it.
 */
export async function readCityFile(get: (path: string) => Promise<Response | null>, sha256: string): Promise<CityFile> {
  const meta = await get(`blob:${sha256}`);
  if (!meta) return { state: 'incomplete', size: 0 };
  const blob = await meta.json() as { size: number; chunkSize?: number; chunks?: string[] };
  const size = Math.min(blob.size, MAX_FILE_BYTES);
  if (!blob.chunks) {
    // A small file stored whole, as an attachment of its blob record: capped at its declared size.
    const r = await get(`blob:${sha256}/data`);
    if (!r) return { state: 'incomplete', size: blob.size };
    const piece = await readPiece(r.body, sha256, size);
    if (!piece.ok || piece.bytes.length !== blob.size) return { state: 'corrupt', size: blob.size, reason: piece.ok ? `${piece.bytes.length} bytes, not ${blob.size}` : piece.detail };
    return { state: 'ok', bytes: Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength) };
  }
  const cap = chunkCap(blob.chunkSize);
  const file = await assembleFile({ sha256, size, chunks: blob.chunks }, async (sha) => {
    // Whole, or in parts on a link too short-lived for a whole chunk (sync/chunk-parts.ts).
    const piece = await readChunk(get, sha, cap);
    if (!piece) return null;
    return piece.ok ? piece.bytes : { bad: piece.detail };
  });
  if (file.ok) return { state: 'ok', bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength) };
  if (file.reason === 'chunk-missing') return { state: 'incomplete', size: blob.size };
  return { state: 'corrupt', size: blob.size, reason: file.chunk ? `chunk ${file.chunk.slice(0, 12)}…: ${file.detail ?? 'does not match its sha-256'}` : 'the assembled file does not match its sha-256' };
}

/**
 * `ltvCopy`: the city's own LTV copy of the document (hub-store.ts), when it made one. It is the
 * ward's exact bytes followed by the city's DSS and document timestamp, so it is verified instead
 * of the ward's file: the timestamp proves the signatures existed at its time, and a revocation
 * or expiry after that no longer makes them unproven.
 */
export async function judge(folded: Pick<Folded, 'signing' | 'pdfSha' | 'expectedRoles' | 'subject'>, read: (sha256: string) => Promise<CityFile>, trust: TrustOptions, ltvCopy: Buffer | null = null): Promise<Judgement> {
  if (folded.signing === 'none') return { verdict: 'unsigned', reasons: [], signatures: [] };
  if (folded.signing === 'paper') return { verdict: 'paper', reasons: [], signatures: [] };
  if (!folded.pdfSha) return { verdict: 'invalid', reasons: [hubReason('pdf_missing')], signatures: [] };
  const sha256 = folded.pdfSha;
  const file = await read(sha256);
  if (file.state === 'incomplete') return { verdict: 'unverifiable', reasons: [hubReason('file_pending')], signatures: [], pdf: { sha256, size: file.size, complete: false } };
  if (file.state === 'corrupt') return { verdict: 'invalid', reasons: [hubReason('file_corrupt')], signatures: [], pdf: { sha256, size: file.size, complete: true } };
  const extendsFile = ltvCopy !== null && ltvCopy.length > file.bytes.length && ltvCopy.subarray(0, file.bytes.length).equals(file.bytes);
  const v = await verifyPdf(extendsFile ? ltvCopy : file.bytes, trust);
  const signatures = v.signatures.map((s) => ({ role: s.role, signerName: s.signerName.slice(0, 300), signingTime: s.signingTime, status: s.status }));
  const reasons: HubReason[] = dedupe([...v.reasons, ...v.signatures.flatMap((s) => s.reasons)]);
  const roles = v.signatures.map((s) => s.role).join('+');
  const expected = folded.expectedRoles.join('+');
  const pdf = { sha256, size: file.bytes.length, complete: true };
  if (v.status === 'invalid') return { verdict: 'invalid', reasons, signatures, pdf };
  // The record must say what the signer signed: a subject rewritten after signing is caught here.
  const title = signedTitle(file.bytes);
  if (title !== null && squash(title) !== squash(folded.subject)) {
    return { verdict: 'invalid', reasons: [hubReason('record_differs', `“${folded.subject.slice(0, 200)}” ≠ “${title.slice(0, 200)}”`), ...reasons], signatures, pdf };
  }
  if (roles !== expected) return { verdict: 'invalid', reasons: [hubReason('signature_missing', `${roles || '—'} ≠ ${expected}`), ...reasons], signatures, pdf };
  if (v.status === 'unknown') return { verdict: 'unverifiable', reasons, signatures, pdf };
  return { verdict: 'valid', reasons: [], signatures, pdf };
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function dedupe(reasons: readonly HubReason[]): HubReason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => (seen.has(r.vi) ? false : (seen.add(r.vi), true))).slice(0, 50);
}
