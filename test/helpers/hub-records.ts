// City hub records built in code, for the dashboard's tests and benchmark: a
// HubView held in memory (the same contract the ingest's store fulfils:
// records replaced by new objects on each write, listeners told after a batch),
// and builders for documents and wards that pass the records' schema.
import { createHash } from 'node:crypto';
import { HubDocument, HubWard, hubDocId, hubWardId, vnIsoWeek, type HubVerdict } from '../../sync/hub-records.js';
import type { HubView } from '../../node/city/hub-view.js';

/** The reason the ingest gives for a PDF changed after signing. */
export const ALTERED = { code: 'digest-mismatch', vi: 'Nội dung đã bị sửa sau khi ký', en: 'Content changed after signing' };

export class MemoryHubView implements HubView {
  private readonly docs = new Map<string, HubDocument>();
  private readonly wardMap = new Map<string, HubWard>();
  private readonly files = new Map<string, Uint8Array>();
  private readonly listeners = new Set<() => void>();

  documents(): Iterable<HubDocument> { return this.docs.values(); }
  wards(): Iterable<HubWard> { return this.wardMap.values(); }
  document(ward: string, docId: string): HubDocument | undefined { return this.docs.get(hubDocId(ward, docId)); }
  onChange(listener: () => void): () => void { this.listeners.add(listener); return () => { this.listeners.delete(listener); }; }
  async file(ward: string, sha256: string): Promise<Uint8Array | null> { return this.files.get(`${ward}/${sha256}`) ?? null; }

  /** Writes records (each checked against the schema, as the store does) and tells the listeners once. */
  put(records: readonly (HubDocument | HubWard)[], check = true): void {
    for (const r of records) {
      if (r.type === 'hub-ward') this.wardMap.set(r.ward, check ? HubWard.parse(r) : r);
      else this.docs.set(r._id, check ? HubDocument.parse(r) : r);
    }
    for (const l of this.listeners) l();
  }

  /** Stores a file's bytes and returns its sha-256 (as the city's chunks would assemble it). */
  putFile(ward: string, bytes: Uint8Array): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    this.files.set(`${ward}/${sha}`, bytes);
    return sha;
  }
}

export interface DocSpec {
  ward: string;
  /** Distinguishes documents of a ward; becomes part of the id. */
  n: number;
  unit?: string;
  /** Issue time; omit for a document not issued yet. */
  issuedAt?: string;
  signing?: HubDocument['signing'];
  verdict?: HubVerdict;
  reasons?: HubDocument['reasons'];
  subject?: string;
  direction?: HubDocument['direction'];
  pdf?: HubDocument['pdf'];
}

/** A ward document record as the ingest would write it. */
export function hubDocument(s: DocSpec): HubDocument {
  const direction = s.direction ?? 'outgoing';
  const docId = `doc:${direction === 'outgoing' ? 'out' : 'in'}:${String(s.n).padStart(12, '0')}-${s.ward}`.slice(0, 72);
  const signing = s.signing ?? 'digital';
  const verdict = s.verdict ?? (signing === 'digital' ? 'valid' : signing === 'paper' ? 'paper' : 'unsigned');
  const issued = s.issuedAt ? new Date(s.issuedAt) : null;
  const first = new Date((issued?.getTime() ?? Date.parse('2026-03-02T02:00:00Z')) - 3_600_000).toISOString();
  const doc: HubDocument = {
    _id: hubDocId(s.ward, docId), type: 'hub-document', ward: s.ward, docId, direction, docType: 'QĐ',
    unit: s.unit ?? s.ward, subject: s.subject ?? `Quyết định số ${s.n} về việc thử nghiệm`, state: issued ? 'issued' : 'draft',
    signing, verdict, reasons: s.reasons ?? [], signatures: [],
    firstEventAt: first, lastEventAt: issued?.toISOString() ?? first, seenAt: new Date(Date.parse(issued?.toISOString() ?? first) + 60_000).toISOString(),
  };
  if (issued) {
    doc.issuedAt = issued.toISOString();
    doc.week = vnIsoWeek(issued);
    doc.symbol = `${s.n}/QĐ-UBND`;
    doc.verifiedAt = new Date(issued.getTime() + 90_000).toISOString();
  }
  if (signing === 'digital') doc.signatures = [{ role: 'leader', signerName: 'Nguyễn Văn An', signingTime: doc.firstEventAt, status: verdict === 'invalid' ? 'invalid' : verdict === 'valid' ? 'valid' : 'unknown' }];
  if (s.pdf) doc.pdf = s.pdf;
  return doc;
}

export function hubWard(ward: string, o: Partial<Omit<HubWard, '_id' | 'type' | 'ward'>> = {}): HubWard {
  return { _id: hubWardId(ward), type: 'hub-ward', ward, since: '0', lastSeenAt: null, pendingFiles: 0, lagP50Seconds: null, lagMaxSeconds: null, ...o };
}

/** Monday 09:00 Vietnam time of an ISO week of 2026 (2026-W01 starts Monday 29 December 2025), plus `day` days. */
export function inWeek2026(week: number, day = 0): string {
  const monday = Date.UTC(2025, 11, 29, 2, 0, 0) + ((week - 1) * 7 + day) * 86_400_000;
  return new Date(monday).toISOString();
}

/**
 * A city of `wards` wards × `weeks` weeks × `perWeek` issued documents each,
 * with a fixed mix: about 58 % digital and valid, 35 % paper, 5 % unverifiable, 2 % invalid.
 */
export function cityRecords(wards: number, weeks: number, perWeek: number): { docs: HubDocument[]; wardRecords: HubWard[] } {
  const docs: HubDocument[] = [];
  const wardRecords: HubWard[] = [];
  for (let w = 0; w < wards; w++) {
    const ward = `phuong-${String(w + 1).padStart(3, '0')}`;
    wardRecords.push(hubWard(ward, { lastSeenAt: inWeek2026(weeks, 4), lagP50Seconds: (w * 37) % 600, lagMaxSeconds: (w * 37) % 600 + 120, pendingFiles: w % 5 }));
    let n = 0;
    for (let week = 1; week <= weeks; week++) {
      for (let i = 0; i < perWeek; i++) {
        const r = (w * 7919 + week * 104729 + i * 31) % 100;
        const kind = r < 58 ? 'valid' : r < 93 ? 'paper' : r < 98 ? 'unverifiable' : 'invalid';
        docs.push(hubDocument({
          ward, n: ++n, unit: i % 3 === 0 ? `${ward}-vp` : ward, issuedAt: inWeek2026(week, i % 5),
          signing: kind === 'paper' ? 'paper' : 'digital', verdict: kind,
          reasons: kind === 'invalid' ? [ALTERED] : [],
        }));
      }
    }
  }
  return { docs, wardRecords };
}

/** The week the city counted by hand: 17 units, 507 issued, 296 signed digitally, 4 units at 100 %. */
export function theCountedWeek(): HubDocument[] {
  const docs: HubDocument[] = [];
  let n = 0;
  const add = (ward: string, digital: number, paper: number, invalid = 0) => {
    for (let i = 0; i < digital; i++) docs.push(hubDocument({ ward, n: ++n, issuedAt: inWeek2026(10, i % 5) }));
    for (let i = 0; i < paper; i++) docs.push(hubDocument({ ward, n: ++n, issuedAt: inWeek2026(10, i % 5), signing: 'paper' }));
    for (let i = 0; i < invalid; i++) docs.push(hubDocument({ ward, n: ++n, issuedAt: inWeek2026(10, 2), verdict: 'invalid', reasons: [ALTERED] }));
  };
  for (let w = 1; w <= 4; w++) add(`phuong-${w}`, 20, 0); // 80 issued, all signed
  add('phuong-5', 26, 17); // 43
  add('phuong-6', 14, 16, 2); // 32
  for (let w = 7; w <= 17; w++) add(`phuong-${w}`, 16, 16); // 11 × 32 = 352
  return docs;
}
