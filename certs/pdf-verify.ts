// Verifying a signed PDF: each signature's integrity (byte range, message
// digest, CMS signature: cms-verify.ts), the revision it covers and what
// changed in the file after it (pdf-revisions.ts, pdf-changes.ts), its chain
// to the city root at signing time and revocation from CRLs (chain-verify.ts).
// Document timestamps (PAdES B-LTA, added by the city) are checked as such
// (tsa-verify.ts) and reported apart from the signatures.
// A verdict is data, never an exception: a bad PDF gives 'invalid' with
// reasons in Vietnamese and English. Revocation that cannot be checked is
// 'unknown', never 'valid' (the rule for signing software in Vietnam).
//
// Backdating: the time in /M is the signer's claim. A signature whose
// certificate has expired or been revoked since is valid only when a
// timestamp (its own, B-T, or a later document timestamp) proves it existed
// while the certificate was valid; otherwise it is 'unknown' with the reason
// signing_time_unproven, never 'valid'.
import { createHash, type X509Certificate } from 'node:crypto';
import { byContentKey, certificate, signerOf } from './cert-cache.js';
import { buildChain, checkChain, checkRevocation, worst } from './chain-verify.js';
import { readCms, type CmsParts } from './cms-read.js';
import { checkIntegrity } from './cms-verify.js';
import { readCrl, type ParsedCrl } from './crl.js';
import { readDss, type DssContents } from './pdf-dss.js';
import { analyseChangesAfter, checkChangesAfter } from './pdf-changes.js';
import { formFields } from './pdf-fields.js';
import { readPdf, type PdfFile } from './pdf-file.js';
import { nameOf } from './pdf-objects.js';
import { locateSignatures, type Located } from './pdf-revisions.js';
import { namesAgency } from './cert-profile.js';
import { signedAgency } from './pdf-metadata.js';
import { readSignatureDict } from './pdf-sigdict.js';
import { effectiveRole } from './role-mappings.js';
import type { SignerRole } from './roles.js';
import { verifyTimestamp } from './tsa-verify.js';
import type { PdfVerdict, Reason, SignatureVerdict, TimestampVerdict, Validity } from './verdict.js';
import { reason } from './verify-reasons.js';

export interface TrustOptions {
  /** PEM certificates of the trusted roots (the city root). */
  roots: string[];
  /** CRLs (DER or PEM) of the CAs in the chains. */
  crls?: Buffer[];
  /** The time CRLs must still be current at; default now. */
  now?: Date;
  /** The admin's role mappings (certificate SHA-256 fingerprint → role) for certificates whose profile names none (role-mappings.ts). */
  mappedRoles?: ReadonlyMap<string, SignerRole>;
}

export interface VerifyOptions extends TrustOptions {
  /** The agency step checks the leader's signature offline: accept 'unknown' revocation there. */
  allowUnknownRevocation?: boolean;
  /**
   * What may follow the last signature: 'newline' (default: at most one end-of-line) or
   * 'workflow-update' (also updates the signature allows: its declared fields filled, a DSS,
   * a document timestamp; the same rules as between two signatures).
   */
  allowedAfterLast?: 'newline' | 'workflow-update';
  /**
   * The issuing agency the seal's certificate must name (subject CN or O). Default: the one the
   * document prints, as the leader signed it (its /Author, certs/pdf-metadata.ts); when the file
   * says none (not a WardDesk document), the seal is not held to an agency.
   */
  agencyName?: string;
}

/** Larger files, or more signatures, are refused before any parsing: a hostile file cannot make verification slow or large. */
const MAX_BYTES = 100 * 1024 * 1024;
const MAX_SIGNATURES = 32;

export async function verifyPdf(pdf: Buffer, o: VerifyOptions): Promise<PdfVerdict> {
  const refuse = (r: Reason): PdfVerdict => ({ status: 'invalid', signatures: [], trailingBytes: 0, reasons: [r] });
  if (pdf.length > MAX_BYTES) return refuse(reason('unreadable_pdf', `${pdf.length} bytes, more than ${MAX_BYTES}`));
  const src = pdf.toString('latin1');
  if (!src.startsWith('%PDF-')) return refuse(reason('not_pdf'));
  const located = locateSignatures(src, MAX_SIGNATURES + 1);
  if (located.length === 0) return refuse(reason('no_signature'));
  if (located.length > MAX_SIGNATURES) return refuse(reason('unreadable_pdf', `more than ${MAX_SIGNATURES} signatures`));
  const roots = o.roots.map((p) => certificate(p));
  const crls = (o.crls ?? []).flatMap((c) => { const crl = byContentKey(c, () => parsedCrl(c)); return crl ? [crl] : []; });
  const now = o.now ?? new Date();

  const agency = o.agencyName ?? signedAgency(pdf);
  // Document timestamps first: each is proof that what it covers existed at its time.
  const kinds = located.map((l) => (l.ok ? readSignatureDict(src, l.range.at) : { timestamp: false, claimed: null }));
  // The cross-reference tables, read once for the DSS and the signed-fields check, only if either needs them.
  let read: { file: PdfFile } | { error: unknown } | null = null;
  const file = (): PdfFile => {
    if (!read) { try { read = { file: readPdf(pdf, src) }; } catch (error) { read = { error }; } }
    if ('error' in read) throw read.error;
    return read.file;
  };
  const dss = kinds.some((k) => k.timestamp) ? dssLists(file) : null;
  const documentTimestamps: TimestampVerdict[] = [];
  for (const [i, l] of located.entries()) if (kinds[i]!.timestamp) documentTimestamps.push(verifyDocumentTimestamp(pdf, l, roots, [...crls, ...(dss?.crls ?? [])], now));
  const signatureCrls = [...crls, ...(dss ? dssCrlsAsOf(dss, documentTimestamps) : [])];
  const signatures = located.flatMap((l, i) => (kinds[i]!.timestamp ? [] : [verifyOne(pdf, l, signaturesBefore(kinds, i), o, roots, signatureCrls, now, kinds[i]!.claimed, documentTimestamps, agency)]));
  const ends = located.map((l) => (l.ok ? l.range.coversBytes : l.coversBytes));
  const lastEnd = Math.max(...ends);
  for (const s of signatures) {
    // What the later revisions changed: only what the workflow allows (pdf-changes.ts).
    const l = located.find((x) => (x.ok ? x.range.coversBytes : x.coversBytes) === s.coversBytes && (!x.ok || x.range.revision === s.revision))!;
    if (s.coversBytes < lastEnd) changed(pdf, src, s, l.ok ? l.range.at : null);
  }
  const lastAt = located[ends.indexOf(lastEnd)]!;
  const tail = pdf.subarray(lastEnd);
  const reasons: Reason[] = [];
  if (!/^(\r\n|\r|\n)?$/.test(tail.toString('latin1'))) {
    const update = o.allowedAfterLast === 'workflow-update' ? safely(() => workflowTail(pdf, src, lastEnd, lastAt.ok ? lastAt.range.at : null)) : 'not allowed';
    if (update) reasons.push(reason('appended_after_last', `${tail.length} bytes: ${update}`));
  }
  const unaccounted = safely(() => unaccountedSignatures(file, located.length));
  if (unaccounted) reasons.push(reason('unaccounted_signature', unaccounted));
  if (signatures.length === 0) reasons.push(reason('no_signature'));
  const status = worst(...signatures.map((s) => s.status), ...documentTimestamps.map((t) => t.status), reasons.length ? 'invalid' : 'valid');
  return { status, signatures, ...(documentTimestamps.length ? { documentTimestamps } : {}), trailingBytes: tail.length, reasons };
}

/** The CRLs in the file's DSS (pdf-dss.ts), parsed; a malformed DSS gives none (the changes check judges the update itself). */
function dssLists(file: () => PdfFile): { crls: ParsedCrl[]; lastObjectAt: number } | null {
  let dss: DssContents | null;
  try { dss = readDss(file()); } catch { return null; }
  if (!dss) return null;
  return { crls: dss.crls.flatMap((c) => { const crl = byContentKey(c, () => parsedCrl(c)); return crl ? [crl] : []; }), lastObjectAt: dss.lastObjectAt };
}

/**
 * For the signatures, the DSS's lists count as current at the earliest valid document timestamp
 * covering the whole DSS: what the city saw then, proven by the TSA. Without one they are just
 * more lists, judged at `now` like the caller's.
 */
function dssCrlsAsOf(dss: { crls: ParsedCrl[]; lastObjectAt: number }, stamps: TimestampVerdict[]): ParsedCrl[] {
  const times = stamps.filter((t) => t.status === 'valid' && t.genTime && (t.coversBytes ?? 0) > dss.lastObjectAt).map((t) => Date.parse(t.genTime!));
  if (times.length === 0) return dss.crls;
  const at = new Date(Math.min(...times));
  return dss.crls.map((c) => ({ ...c, currentAt: at }));
}

function signaturesBefore(kinds: { timestamp: boolean }[], i: number): number {
  return kinds.slice(0, i).filter((k) => !k.timestamp).length;
}

/** A document timestamp: its token's imprint must be the SHA-256 of its two byte ranges. */
function verifyDocumentTimestamp(pdf: Buffer, l: Located, roots: X509Certificate[], crls: ParsedCrl[], now: Date): TimestampVerdict {
  if (!l.ok) return { status: 'invalid', genTime: null, tsaName: '', reasons: [reason('bad_byte_range', l.problem)], coversBytes: l.coversBytes };
  const [, b, c, d] = l.range.byteRange;
  const imprint = createHash('sha256').update(pdf.subarray(0, b)).update(pdf.subarray(c, c + d)).digest();
  const token = derOnly(l.range.contents);
  const t = verifyTimestamp(token, imprint, roots, crls, now);
  return { status: t.status, genTime: t.genTime?.toISOString() ?? null, tsaName: t.tsaName, reasons: t.reasons, coversBytes: l.range.coversBytes };
}

/** The DER in a /Contents hole: its length header says where the zero padding starts. */
function derOnly(b: Buffer): Buffer {
  if (b.length < 2 || b[0] !== 0x30) return b;
  const first = b[1]!;
  if (first < 0x80) return b.subarray(0, 2 + first);
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i += 1) len = len * 256 + b[2 + i]!;
  return b.subarray(0, Math.min(b.length, 2 + n + len));
}

function changed(pdf: Buffer, src: string, s: SignatureVerdict, sigAt: number | null): void {
  let problem: string | null;
  try {
    const a = analyseChangesAfter(pdf, s.coversBytes, sigAt, src);
    problem = a.problem;
    s.changes = a.changes;
    s.filled = a.filled;
  } catch (err) { problem = `unreadable: ${(err as Error).message}`; }
  if (problem) { s.reasons.push(reason('changed_after_signing', problem)); s.status = 'invalid'; }
}

/**
 * Signature fields with a value that no byte range accounts for (a signature dictionary without
 * /ByteRange or /Contents, as in universal signature forgery): a reader may show them as signed.
 */
function unaccountedSignatures(read: () => PdfFile, located: number): string | null {
  let file: PdfFile;
  // Files with cross-reference streams (not ours) are read for their signatures only.
  try { file = read(); } catch (err) { if (/cross-reference streams/.test((err as Error).message)) return null; throw err; }
  const signed = formFields(file).filter((f) => nameOf(f.dict.get('FT')) === 'Sig' && f.dict.get('V') !== undefined && f.dict.get('V') !== null);
  return signed.length > located ? `${signed.length} signed fields, ${located} signatures: ${signed.map((f) => f.name).join(', ')}` : null;
}

/** Bytes after the last signature that form whole revisions of allowed changes. */
function workflowTail(pdf: Buffer, src: string, coversBytes: number, sigAt: number | null): string | null {
  const at = src.lastIndexOf('startxref');
  if (at < coversBytes || !/%%EOF(?:\r\n|\r|\n)?$/.test(src.slice(-16))) return 'not a complete revision';
  return checkChangesAfter(pdf, coversBytes, sigAt, src);
}

/** Parsers of hostile input may throw on what they do not expect: that is a finding, not a crash. */
function safely(check: () => string | null): string | null {
  try { return check(); } catch (err) { return `unreadable: ${(err as Error).message}`; }
}

function verifyOne(pdf: Buffer, l: Located, index: number, o: VerifyOptions, roots: X509Certificate[], crls: ParsedCrl[], now: Date, claimedInDict: Date | null, docStamps: TimestampVerdict[], agency: string | null): SignatureVerdict {
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
    certs = cms.certificates.map((raw) => certificate(raw));
  } catch (err) {
    v.reasons.push(reason('bad_cms', (err as Error).message));
    return v;
  }
  const leaf = signerOf(certs, cms.serialHex, cms.issuerDer);
  if (!leaf) { v.reasons.push(reason('cert_mismatch')); return v; }
  v.subject = leaf.subject.replace(/\n/g, ', ');
  v.signerName = /CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? '';
  v.serial = cms.serialHex;
  const role = effectiveRole(leaf, o.mappedRoles);
  v.role = role.role;
  if (role.from === 'mapping') v.roleFrom = 'mapping';
  // A seal speaks for one agency: the one the document names (issue 14: a seal of another agency is no seal here).
  const wrongAgency = v.role === 'agency' && agency !== null && !namesAgency(leaf, agency);
  if (wrongAgency) v.reasons.push(reason('seal_wrong_agency', `${v.subject} ≠ ${agency}`));

  v.integrity = checkIntegrity(pdf, l.range.byteRange, cms, leaf, v.reasons);
  // The claim: /M (B-B), or the signing-time attribute of a signature made before B-B.
  const at = claimedInDict ?? cms.signingTime;
  if (!at) v.reasons.push(reason('no_signing_time'));
  // Proof of existence: the signature's own timestamp over its value, or a document timestamp after it.
  const proofs: Date[] = [];
  if (cms.signatureTimestamp) {
    const t = verifyTimestamp(cms.signatureTimestamp, createHash('sha256').update(cms.signature).digest(), roots, crls, now);
    v.timestamp = { status: t.status, genTime: t.genTime?.toISOString() ?? null, tsaName: t.tsaName, reasons: t.reasons };
    // A timestamp that is broken makes the signature's unsigned data suspect; one only 'unknown' proves nothing yet.
    if (t.status === 'invalid') v.reasons.push(...t.reasons);
    if (t.status === 'valid' && t.genTime) proofs.push(t.genTime);
  }
  for (const d of docStamps) if (d.status === 'valid' && d.genTime && (d.coversBytes ?? 0) > v.coversBytes) proofs.push(new Date(d.genTime));
  const proven = proofs.length ? new Date(Math.min(...proofs.map((p) => p.getTime()))) : null;
  v.signingTime = (cms.signatureTimestamp && v.timestamp?.status === 'valid' && v.timestamp.genTime) ? v.timestamp.genTime : at?.toISOString() ?? null;
  v.signingTimeSource = v.signingTime && v.signingTime === v.timestamp?.genTime ? 'timestamp' : 'claimed';
  let unproven = false;
  const chain = buildChain(leaf, certs, roots);
  if (!chain) {
    v.reasons.push(reason('untrusted_chain'));
  } else {
    v.chain = checkChain(chain, at, v.reasons);
    const inside = proven !== null && chain.every((c) => proven >= new Date(c.validFrom) && proven <= new Date(c.validTo));
    v.revocation = checkRevocation(chain, crls, now, v.reasons, inside ? proven : null);
    const expiredNow = chain.some((c) => now > new Date(c.validTo));
    // Expired or revoked since: only a proof of existence inside validity (and before any revocation) keeps it valid.
    if (v.chain === 'valid' && !inside && (expiredNow || v.revocation === 'invalid')) {
      unproven = true;
      v.reasons.push(reason('signing_time_unproven', expiredNow ? `expired ${chain.find((c) => now > new Date(c.validTo))!.validTo}` : 'revoked'));
    }
  }
  const revocationForStatus: Validity = unproven ? 'unknown' : o.allowUnknownRevocation && v.revocation === 'unknown' ? 'valid' : v.revocation;
  v.status = worst(v.integrity, v.chain, revocationForStatus, at ? 'valid' : 'invalid', v.timestamp?.status === 'invalid' ? 'invalid' : 'valid', wrongAgency ? 'invalid' : 'valid');
  return v;
}

// CRLs come back in every file too: parsed once by content (cert-cache.ts), each one's signature check remembered per issuer.
/** A CRL, or null when the bytes are not one; its signature check remembered per issuer. */
function parsedCrl(der: Buffer): ParsedCrl | null {
  let crl: ParsedCrl;
  try { crl = readCrl(der); } catch { return null; }
  const checked = new Map<string, boolean>();
  return { ...crl, signedBy: (pem) => { let ok = checked.get(pem); if (ok === undefined) { ok = crl.signedBy(pem); checked.set(pem, ok); } return ok; } };
}
