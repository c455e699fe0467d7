// A ward's week of work for sync tests and benchmarks: outgoing documents with
// their events and a signed-PDF-sized file each, plus large scans, written
// into a plain PouchDB either as WardDesk stores files (chunked, as
// node/blobs.ts does) or as stock PouchDB would (one attachment per file).
// The bytes are random (incompressible, like compressed PDF streams and scans).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { vnIso } from '../../sync/vn-time.js';
import { chunkDocs, splitFile } from '../../sync/chunks.js';
import PouchDB from 'pouchdb';
import type { WardCredentials } from '../../sync/city-contract.js';
import { Replicator, type ReplicatorOptions } from '../../sync/replicator.js';
import type { SyncStatus } from '../../sync/status.js';
import { sampleDraft } from './ward.js';

export interface WardWork { records: Record<string, unknown>[]; files: { bytes: Buffer; contentType: 'application/pdf' | 'image/jpeg' }[] }

/** `pdfBytesMax`: when set, the documents' files spread evenly from pdfBytes to pdfBytesMax. */
export interface WorkShape { ward: string; documents: number; pdfBytes: number; pdfBytesMax?: number; scans: number; scanBytes: number }

function pdf(size: number): Buffer {
  const b = randomBytes(size);
  b.write('%PDF-1.7\n', 0, 'latin1');
  return b;
}

export function wardWork(shape: WorkShape): WardWork {
  const records: Record<string, unknown>[] = [];
  const files: WardWork['files'] = [];
  const base = Date.parse('2026-03-02T01:00:00Z');
  for (let i = 0; i < shape.documents + shape.scans; i += 1) {
    const scan = i >= shape.documents;
    const pdfSize = shape.pdfBytesMax === undefined || shape.documents < 2 ? shape.pdfBytes : Math.round(shape.pdfBytes + (shape.pdfBytesMax - shape.pdfBytes) * (i / (shape.documents - 1)));
    const file = { bytes: pdf(scan ? shape.scanBytes : pdfSize), contentType: 'application/pdf' as const };
    files.push(file);
    const id = `doc:out:${randomUUID()}`;
    const t = base + i * 60_000;
    const sha256 = sha256Of(file.bytes);
    records.push({ _id: id, type: 'document', ward: shape.ward, direction: 'outgoing', createdAt: vnIso(new Date(t)), createdBy: 'chuyenvien',
      content: sampleDraft({ subject: `Văn bản số ${i} về việc chuyển đổi số`, attachments: [{ name: scan ? `ban-quet-${i}.pdf` : `van-ban-${i}.pdf`, contentType: file.contentType, size: file.bytes.length, sha256 }] }) });
    ['create', 'submit', 'approve'].forEach((action, k) => {
      records.push({ _id: `ev:${id.slice(4)}:${String(t + k * 1000).padStart(15, '0')}`, type: 'event', ward: shape.ward, docId: id, action,
        at: vnIso(new Date(t + k * 1000)), actor: { user: k === 2 ? 'lanhdao' : 'chuyenvien', role: k === 2 ? 'leader' : 'specialist', device: 'test' }, data: {} });
    });
  }
  return { records, files };
}

function sha256Of(b: Buffer): string { return createHash('sha256').update(b).digest('hex'); }

/** What has to reach the city: every record's JSON and every file's bytes, once. */
export function payloadBytes(work: WardWork): number {
  const json = work.records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);
  const unique = new Map(work.files.map((f) => [sha256Of(f.bytes), f.bytes.length]));
  return json + [...unique.values()].reduce((n, s) => n + s, 0);
}

/** Writes the work as a WardDesk node stores it: chunk docs, then small blob records listing them. */
export async function writeChunked(db: PouchDB.Database, work: WardWork): Promise<void> {
  for (const f of work.files) {
    const split = await splitFile(f.bytes);
    const chunks = chunkDocs(split);
    const have = await db.allDocs({ keys: chunks.map((c) => c._id) });
    const fresh = chunks.filter((_c, i) => 'error' in have.rows[i]!);
    if (fresh.length > 0) await db.bulkDocs(fresh as unknown as Parameters<PouchDB.Database['bulkDocs']>[0]);
    await db.bulkDocs([{ _id: `blob:${split.sha256}`, type: 'blob', contentType: f.contentType, size: split.size, sha256: split.sha256, chunkSize: split.chunkSize, chunks: split.chunks.map((c) => c.sha256) }]).then(ignoreConflicts);
  }
  await db.bulkDocs(work.records as Parameters<PouchDB.Database['bulkDocs']>[0]);
}

/** Writes the work as plain PouchDB would: each file one document with one attachment. */
export async function writeStock(db: PouchDB.Database, work: WardWork): Promise<void> {
  for (const f of work.files) {
    const sha256 = sha256Of(f.bytes);
    await db.bulkDocs([{ _id: `blob:${sha256}`, type: 'blob', contentType: f.contentType, size: f.bytes.length, sha256, _attachments: { data: { content_type: f.contentType, data: f.bytes } } }] as unknown as Parameters<PouchDB.Database['bulkDocs']>[0]).then(ignoreConflicts);
  }
  await db.bulkDocs(work.records as Parameters<PouchDB.Database['bulkDocs']>[0]);
}

function ignoreConflicts(results: (PouchDB.Core.Response | PouchDB.Core.Error)[]): void {
  for (const r of results) if ('error' in r && r.error && (r as { status?: number }).status !== 409) throw new Error(`write failed: ${JSON.stringify(r)}`);
}

/** A ward-side replicator as the node wires it (node/city-sync.ts), on any local database, towards `url`. */
export function wardReplicator(local: PouchDB.Database, credentials: WardCredentials, url: string | null, over: Partial<ReplicatorOptions> = {}): Replicator {
  return new Replicator({
    local,
    openRemote: (u, options) => new PouchDB(u, options),
    baseFetch: (PouchDB as unknown as { fetch: ReplicatorOptions['baseFetch'] }).fetch,
    loadCredentials: async () => credentials,
    ...(url ? { cityUrl: url } : {}),
    intervalMs: 300, batchSize: 25, backoff: { baseMs: 200, capMs: 1000 }, requestTimeoutMs: 10_000,
    ...over,
  });
}

/** Polls until the city confirmed everything, or throws with the last status after `ms`. */
export async function untilUpToDate(replicator: Replicator, ms: number): Promise<SyncStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await replicator.status();
    if (status.upToDate && status.phase !== 'running') return status;
    if (Date.now() > deadline) throw new Error(`not up to date after ${ms} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
