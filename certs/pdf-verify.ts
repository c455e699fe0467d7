// Verifying a signed PDF: each signature's integrity (byte range, message
// digest, CMS signature: cms-verify.ts), the revision it covers and what
// changed in the file after it (pdf-revisions.ts, pdf-changes.ts), its chain
// to the city root at signing time and revocation from CRLs (chain-verify.ts).
// A verdict is data, never an exception: a bad PDF gives 'invalid' with
// reasons in Vietnamese and English. Revocation that cannot be checked is
// 'unknown', never 'valid' (the rule for signing software in Vietnam).
import { X509Certificate } from 'node:crypto';
import { buildChain, checkChain, checkRevocation, worst } from './chain-verify.js';
import { readCms, type CmsParts } from './cms-read.js';
import { checkIntegrity } from './cms-verify.js';
import { certNames, readCrl, type ParsedCrl } from './crl.js';
import { checkChangesAfter } from './pdf-changes.js';
import { locateSignatures, type Located } from './pdf-revisions.js';
import { roleOf } from './roles.js';
import type { PdfVerdict, Reason, SignatureVerdict } from './verdict.js';
import { reason } from './verify-reasons.js';

export interface TrustOptions {
  /** PEM certificates of the trusted roots (the city root). */
  roots: string[];
  /** CRLs (DER or PEM) of the CAs in the chains. */
  crls?: Buffer[];
  /** The time CRLs must still be current at; default now. */
  now?: Date;
}

export interface VerifyOptions extends TrustOptions {
  /** The agency step checks the leader's signature offline: accept 'unknown' revocation there. */
  allowUnknownRevocation?: boolean;
  /**
   * What may follow the last signature: 'newline' (default: at most one end-of-line) or
   * 'workflow-update' (also updates the workflow allows after a signature, e.g. the clerk's
   * stamps written before the agency signs; the same rules as between two signatures).
   */
  allowedAfterLast?: 'newline' | 'workflow-update';
}

export async function verifyPdf(pdf: Buffer, o: VerifyOptions): Promise<PdfVerdict> {
  const src = pdf.toString('latin1');
  if (!src.startsWith('%PDF-')) return { status: 'invalid', signatures: [], trailingBytes: 0, reasons: [reason('not_pdf')] };
  const located = locateSignatures(src);
  if (located.length === 0) return { status: 'invalid', signatures: [], trailingBytes: 0, reasons: [reason('no_signature')] };
  const roots = o.roots.map((p) => new X509Certificate(p));
  const crls = (o.crls ?? []).flatMap((c) => { try { return [readCrl(c)]; } catch { return []; } });
  const now = o.now ?? new Date();

  const signatures = located.map((l, index) => verifyOne(pdf, l, index, o, roots, crls, now));
  for (const [i, s] of signatures.entries()) {
    // What the later revisions changed: only what the workflow allows (pdf-changes.ts).
    if (i < signatures.length - 1 && s.coversBytes < pdf.length) changed(pdf, s);
  }
  const last = signatures[signatures.length - 1]!;
  const tail = pdf.subarray(last.coversBytes);
  const reasons: Reason[] = [];
  if (!/^(\r\n|\r|\n)?$/.test(tail.toString('latin1'))) {
    const update = o.allowedAfterLast === 'workflow-update' ? safely(() => workflowTail(pdf, src, last.coversBytes)) : 'not allowed';
    if (update) reasons.push(reason('appended_after_last', `${tail.length} bytes: ${update}`));
  }
  const status = worst(...signatures.map((s) => s.status), reasons.length ? 'invalid' : 'valid');
  return { status, signatures, trailingBytes: tail.length, reasons };
}

function changed(pdf: Buffer, s: SignatureVerdict): void {
  const problem = safely(() => checkChangesAfter(pdf, s.coversBytes));
  if (problem) { s.reasons.push(reason('changed_after_signing', problem)); s.status = 'invalid'; }
}

/** Bytes after the last signature that form whole revisions of allowed changes. */
function workflowTail(pdf: Buffer, src: string, coversBytes: number): string | null {
  const at = src.lastIndexOf('startxref');
  if (at < coversBytes || !/%%EOF(?:\r\n|\r|\n)?$/.test(src.slice(-16))) return 'not a complete revision';
  return checkChangesAfter(pdf, coversBytes);
}

/** Parsers of hostile input may throw on what they do not expect: that is a finding, not a crash. */
function safely(check: () => string | null): string | null {
  try { return check(); } catch (err) { return `unreadable: ${(err as Error).message}`; }
}

function verifyOne(pdf: Buffer, l: Located, index: number, o: VerifyOptions, roots: X509Certificate[], crls: ParsedCrl[], now: Date): SignatureVerdict {
  const v: SignatureVerdict = {
    index, role: 'unknown', signerName: '', subject: '', serial: '', signingTime: null, coversBytes: l.ok ? l.range.coversBytes : l.coversBytes,
    integrity: 'invalid', chain: 'invalid', revocation: 'unknown', status: 'invalid', reasons: [],
  };
  if (!l.ok) { v.reasons.push(reason('bad_byte_range', l.problem)); return v; }
  v.revision = l.range.revision;
  let cms: CmsParts;
  let certs: X509Certificate[];
  try {
    // The placeholder's zero padding follows the DER; its length header says where it ends.
    cms = readCms(l.range.contents);
    certs = cms.certificates.map((raw) => new X509Certificate(raw));
  } catch (err) {
    v.reasons.push(reason('bad_cms', (err as Error).message));
    return v;
  }
  const leaf = certs.find((x) => { const n = certNames(Buffer.from(x.raw)); return n.serialHex === cms.serialHex && n.issuerDer.equals(cms.issuerDer); });
  if (!leaf) { v.reasons.push(reason('cert_mismatch')); return v; }
  v.subject = leaf.subject.replace(/\n/g, ', ');
  v.signerName = /CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? '';
  v.serial = cms.serialHex;
  v.role = roleOf(leaf);
  v.signingTime = cms.signingTime?.toISOString() ?? null;

  v.integrity = checkIntegrity(pdf, l.range.byteRange, cms, leaf, v.reasons);
  const at = cms.signingTime;
  if (!at) v.reasons.push(reason('no_signing_time'));
  const chain = buildChain(leaf, certs, roots);
  if (!chain) {
    v.reasons.push(reason('untrusted_chain'));
  } else {
    v.chain = checkChain(chain, at, v.reasons);
    v.revocation = checkRevocation(chain, crls, now, v.reasons);
  }
  const revocationForStatus = o.allowUnknownRevocation && v.revocation === 'unknown' ? 'valid' : v.revocation;
  v.status = worst(v.integrity, v.chain, revocationForStatus, at ? 'valid' : 'invalid');
  return v;
}
