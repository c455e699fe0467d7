// Ward documents as a ward node writes them, for the city hub's tests and
// benchmark: a record and its events (create → issue), digitally signed with
// real PDFs from certs/ (the leader's signature, then the seal), on paper, or
// still a draft. Signing takes ~100 ms, so a fixture signs a few PDFs once and
// documents share them; the hub still fetches and verifies each document's
// PDF on its own.
import { createHash, randomUUID } from 'node:crypto';
import { signAsAgency, signAsLeader, type Signer } from '../../certs/pdf-sign.js';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { vnIso } from '../../sync/vn-time.js';
import type { WardWork } from './sync-data.js';
import { twoPagePdf, type TestPki } from './signing-fixtures.js';

export interface SignedPdfs { leader: Buffer; sealed: Buffer }

/** A PDF signed by `signer` alone (the leader's step); `variant` makes its bytes, hence its hash, differ. */
export async function leaderSigned(signer: Signer, variant = '', title?: string): Promise<Buffer> {
  const { pdf, layout } = await twoPagePdf(title);
  return signAsLeader(variant ? Buffer.concat([pdf, Buffer.from(`\n%${variant}\n`)]) : pdf, { signer, image: sampleSignaturePng(), box: layout.signature, layout });
}

/** The leader's signed PDF and the same PDF after the clerk's number, date and seal. */
export async function signedPdfs(pki: TestPki, variant = '', title?: string): Promise<SignedPdfs> {
  const { layout } = await twoPagePdf();
  const signed = await leaderSigned(pki.leader, variant, title);
  const sealed = await signAsAgency(signed, {
    signer: pki.agency, sealImage: sampleSealPng(), layout, number: '05', date: { day: '05', month: '01', year: '2026' },
    trust: { roots: [pki.rootPem], crls: pki.crl() }, });
  return { leader: signed, sealed };
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface FixtureDoc {
  ward: string;
  /** 'digital' issues with `pdfs` (or stops after the leader's signature when `issued` is false); 'paper' issues with a scan. */
  signing: 'digital' | 'paper' | 'none';
  issued?: boolean;
  at: Date;
  number?: number;
  pdfs?: SignedPdfs;
  /** Overrides the PDF the issue (or sign) event names, e.g. a forged one. */
  pdfSha?: string;
  unitCode?: string;
  id?: string;
}

/** The records of one document, as the ward node writes them (ids, actors, numbering event). */
export function documentRecords(d: FixtureDoc): Record<string, unknown>[] {
  const id = d.id ?? `doc:out:${randomUUID()}`;
  const t = d.at.getTime();
  const at = (k: number) => vnIso(new Date(t + k * 60_000));
  const ev = (k: number, action: string, role: string, user: string, data: Record<string, unknown> = {}, evId?: string) => ({
    _id: evId ?? `ev:${id.slice(4)}:${String(t + k * 60_000).padStart(15, '0')}`, type: 'event', ward: d.ward, docId: id, action,
    at: at(k), actor: { user, role, device: 'test' }, data,
  });
  const year = new Date(t + 7 * 3_600_000).getUTCFullYear();
  const records: Record<string, unknown>[] = [{
    _id: id, type: 'document', ward: d.ward, direction: 'outgoing', createdAt: at(0), createdBy: 'chuyenvien',
    content: { docType: 'QĐ', subject: 'Quyết định về việc kiện toàn tổ dân phố', body: 'Điều 1.', signerAuthority: 'TM.', signerTitle: 'CHỦ TỊCH', signerName: 'Nguyễn Văn An', recipients: [], attachments: [], ...(d.unitCode ? { unitCode: d.unitCode } : {}) },
    ...(d.signing !== 'none' ? { sealed: true } : {}),
  }];
  records.push(ev(0, 'create', 'specialist', 'chuyenvien'));
  if (d.signing === 'none') return records;
  records.push(ev(1, 'submit', 'specialist', 'chuyenvien'), ev(2, 'approve', 'leader', 'lanhdao'));
  const leaderSha = d.pdfs ? sha256(d.pdfs.leader) : undefined;
  if (d.signing === 'digital') records.push(ev(3, 'sign', 'leader', 'lanhdao', { pdf: d.issued === false && d.pdfSha ? d.pdfSha : leaderSha }));
  else records.push(ev(3, 'sign-paper', 'clerk', 'vanthu'));
  if (d.issued === false) return records;
  const n = d.number ?? 1;
  const registerKey = `out:${year}:chung`;
  records.push(ev(4, 'number', 'clerk', 'vanthu', { registerKey, number: n, numberText: String(n).padStart(2, '0'), symbol: 'QĐ-UBND', year, date: at(4) }, `ev:num:${registerKey}:${String(n).padStart(6, '0')}`));
  const issued = d.signing === 'digital' ? { pdf: d.pdfSha ?? sha256(d.pdfs!.sealed) } : { scan: d.pdfSha ?? sha256(Buffer.from('scan')) };
  records.push(ev(5, 'issue', 'clerk', 'vanthu', issued));
  return records;
}

/** A ward's work for writeChunked(): the records plus the files they name. */
export function work(records: Record<string, unknown>[], files: Buffer[]): WardWork {
  return { records, files: files.map((bytes) => ({ bytes, contentType: 'application/pdf' as const })) };
}
