// Verifying a signed PDF: each signature's integrity (byte range, message
// digest, CMS signature), what changed in the file after it, its chain to
// the city root at signing time, and revocation from CRLs. A verdict is data,
// never an exception. Revocation that cannot be checked is 'unknown', never
// 'valid' (the rule for signing software in Vietnam).
import { createHash, verify as nativeVerify, X509Certificate } from 'node:crypto';
import { readCms, type CmsParts } from './cms-read.js';
import { CMS_OID } from './cms-sign.js';
import { certNames, readCrl, type ParsedCrl } from './crl.js';
import { checkChangesAfter } from './pdf-changes.js';
import { roleOf } from './roles.js';
import type { PdfVerdict, Reason, SignatureVerdict, Validity } from './verdict.js';
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
}

const worst = (...v: Validity[]): Validity => (v.includes('invalid') ? 'invalid' : v.includes('unknown') ? 'unknown' : 'valid');
const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

export async function verifyPdf(pdf: Buffer, o: VerifyOptions): Promise<PdfVerdict> {
  const src = pdf.toString('latin1');
  if (!src.startsWith('%PDF-')) return { status: 'invalid', signatures: [], trailingBytes: 0, reasons: [reason('not_pdf')] };
  const ranges = [...src.matchAll(BYTE_RANGE)].map((m) => [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number])
    .sort((a, b) => a[2] + a[3] - (b[2] + b[3]));
  if (ranges.length === 0) return { status: 'invalid', signatures: [], trailingBytes: 0, reasons: [reason('no_signature')] };
  const crls = (o.crls ?? []).flatMap((c) => { try { return [readCrl(c)]; } catch { return []; } });

  const signatures = ranges.map((br, index) => verifyOne(pdf, src, br, index, o, crls));
  for (const [i, s] of signatures.entries()) {
    // What the later revisions changed: only what the workflow allows (pdf-changes.ts).
    if (i < signatures.length - 1) {
      const problem = checkChangesAfter(pdf, s.coversBytes);
      if (problem) { s.reasons.push(reason('changed_after_signing', problem)); s.status = 'invalid'; }
    }
  }
  const last = signatures[signatures.length - 1]!;
  const tail = pdf.subarray(last.coversBytes);
  const trailingBytes = tail.length;
  const reasons: Reason[] = [];
  if (tail.toString('latin1').trim().length > 0) reasons.push(reason('appended_after_last', `${trailingBytes} bytes`));
  const status = worst(...signatures.map((s) => s.status), reasons.length ? 'invalid' : 'valid');
  return { status, signatures, trailingBytes, reasons };
}

function verifyOne(pdf: Buffer, src: string, br: [number, number, number, number], index: number, o: VerifyOptions, crls: ParsedCrl[]): SignatureVerdict {
  const v: SignatureVerdict = {
    index, role: 'unknown', signerName: '', subject: '', serial: '', signingTime: null, coversBytes: br[2] + br[3],
    integrity: 'invalid', chain: 'invalid', revocation: 'unknown', status: 'invalid', reasons: [],
  };
  const [a, b, c, d] = br;
  if (a !== 0 || b >= c || c + d > pdf.length || src[b] !== '<' || src[c - 1] !== '>') { v.reasons.push(reason('bad_byte_range')); return v; }
  let cms: CmsParts;
  try {
    // The placeholder's zero padding follows the DER; its length header says where it ends.
    cms = readCms(Buffer.from(src.slice(b + 1, c - 1), 'hex'));
  } catch (err) {
    v.reasons.push(reason('bad_cms', (err as Error).message));
    return v;
  }
  const certs = cms.certificates.map((raw) => new X509Certificate(raw));
  const leaf = certs.find((x) => { const n = certNames(Buffer.from(x.raw)); return n.serialHex === cms.serialHex && n.issuerDer.equals(cms.issuerDer); });
  if (!leaf) { v.reasons.push(reason('cert_mismatch')); return v; }
  v.subject = leaf.subject.replace(/\n/g, ', ');
  v.signerName = /CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? '';
  v.serial = cms.serialHex;
  v.role = roleOf(leaf);
  v.signingTime = cms.signingTime?.toISOString() ?? null;

  v.integrity = integrity(pdf, br, cms, leaf, v.reasons);
  const at = cms.signingTime;
  if (!at) v.reasons.push(reason('no_signing_time'));
  const chain = buildChain(leaf, certs, o.roots.map((p) => new X509Certificate(p)));
  if (!chain) {
    v.chain = 'invalid';
    v.reasons.push(reason('untrusted_chain'));
  } else {
    v.chain = checkChain(chain, at, v.reasons);
    v.revocation = checkRevocation(chain, crls, o.now ?? new Date(), v.reasons);
  }
  const revocationForStatus = o.allowUnknownRevocation && v.revocation === 'unknown' ? 'valid' : v.revocation;
  v.status = worst(v.integrity, v.chain, revocationForStatus, at ? 'valid' : 'invalid');
  return v;
}

function integrity(pdf: Buffer, [, b, c, d]: number[], cms: CmsParts, leaf: X509Certificate, reasons: Reason[]): Validity {
  if (cms.digestOid !== CMS_OID.sha256) { reasons.push(reason('unsupported_algorithm', cms.digestOid)); return 'invalid'; }
  const digest = createHash('sha256').update(pdf.subarray(0, b)).update(pdf.subarray(c!, c! + d!)).digest();
  if (!cms.messageDigest || !digest.equals(cms.messageDigest)) { reasons.push(reason('digest_mismatch')); return 'invalid'; }
  if (cms.signingCertHash && !createHash('sha256').update(leaf.raw).digest().equals(cms.signingCertHash)) { reasons.push(reason('cert_mismatch')); return 'invalid'; }
  if (!nativeVerify('sha256', cms.signedAttrsDer, leaf.publicKey, cms.signature)) { reasons.push(reason('signature_mismatch')); return 'invalid'; }
  return 'valid';
}

/** leaf → … → a trusted root, each link's signature checked; null when no path exists. */
function buildChain(leaf: X509Certificate, pool: X509Certificate[], roots: X509Certificate[]): X509Certificate[] | null {
  const chain = [leaf];
  for (let cur = leaf; chain.length < 8;) {
    const root = roots.find((r) => cur.checkIssued(r) && cur.verify(r.publicKey));
    if (root) return cur.fingerprint256 === root.fingerprint256 ? chain : [...chain, root];
    const next = pool.find((p) => p !== cur && !chain.includes(p) && cur.checkIssued(p) && cur.verify(p.publicKey));
    if (!next) return null;
    chain.push(next);
    cur = next;
  }
  return null;
}

function checkChain(chain: X509Certificate[], at: Date | null, reasons: Reason[]): Validity {
  let ok: Validity = 'valid';
  for (const [i, cert] of chain.entries()) {
    if (i > 0 && !cert.ca) { reasons.push(reason('not_a_ca', cert.subject.replace(/\n/g, ', '))); ok = 'invalid'; }
    if (at && (at < new Date(cert.validFrom) || at > new Date(cert.validTo))) { reasons.push(reason('expired_at_signing', cert.subject.replace(/\n/g, ', '))); ok = 'invalid'; }
  }
  return ok;
}

/** Every certificate below the root needs a current CRL from its issuer that does not list it. */
function checkRevocation(chain: X509Certificate[], crls: ParsedCrl[], now: Date, reasons: Reason[]): Validity {
  let result: Validity = 'valid';
  for (let i = 0; i < chain.length - 1; i += 1) {
    const cert = chain[i]!;
    const issuer = chain[i + 1]!;
    const names = certNames(Buffer.from(cert.raw));
    // The newest genuine list of this issuer: an older one must not hide a later revocation.
    const newest = crls.filter((c) => c.issuerDer.equals(names.issuerDer) && c.signedBy(issuer.toString()))
      .sort((x, y) => y.crlNumber - x.crlNumber || y.thisUpdate.getTime() - x.thisUpdate.getTime())[0];
    const crl = newest && (!newest.nextUpdate || newest.nextUpdate >= now) ? newest : undefined;
    if (!crl) { result = worst(result, 'unknown'); reasons.push(reason('revocation_unknown', cert.subject.split('\n').find((l) => l.startsWith('CN=')) ?? '')); continue; }
    const revokedAt = crl.revoked.get(names.serialHex);
    if (revokedAt) { result = 'invalid'; reasons.push(reason('revoked', `${names.serialHex} @ ${revokedAt.toISOString()}`)); }
  }
  return result;
}
