// Two-phase signing of a PDF by a key far away (an official's token behind
// `warddesk signer` on their PC). Phase one runs the ordinary signing step
// with a stand-in signer that only records the DER of the CMS signed
// attributes and answers an empty signature: the PDF with its byte ranges is
// final, only /Contents waits. Phase two checks the returned signature over
// exactly those attributes with the certificate's key, rebuilds the same CMS
// (same content digest, time and certificate give the same attributes) with
// the real signature and writes it into /Contents. No other byte changes.
import { verify as nativeVerify, X509Certificate } from 'node:crypto';
import { cmsSignDetached, type ExternalSignature } from './cms-sign.js';
import type { ExternalSigner } from './pdf-signature.js';

export interface Deferred {
  signer: ExternalSigner;
  /** The DER the remote key must sign, once the signing step ran with `signer`. */
  toSign(): Buffer;
}

/** A stand-in signer for phase one. */
export function deferredSigner(chain: string[]): Deferred {
  let captured: Buffer | null = null;
  const algorithm = algorithmOf(chain[0]!);
  return {
    signer: { chain, external: { algorithm, sign: (der) => { captured = Buffer.from(der); return Buffer.alloc(0); } } },
    toSign: () => { if (!captured) throw new Error('the signing step did not sign'); return captured; },
  };
}

export function algorithmOf(certPem: string): ExternalSignature['algorithm'] {
  return new X509Certificate(certPem).publicKey.asymmetricKeyType === 'ec' ? 'ecdsa' : 'rsa';
}

/** Whether `signature` is the certificate's key's signature (SHA-256) over `toSign`. */
export function signatureFits(certPem: string, toSign: Buffer, signature: Buffer): boolean {
  try { return nativeVerify('sha256', toSign, new X509Certificate(certPem).publicKey, signature); } catch { return false; }
}

/**
 * Phase two: the PDF from phase one with the CMS carrying `signature`. Returns null when the
 * signature does not verify or the PDF's last signature is not the one prepared.
 */
export function completeExternal(pdf: Buffer, o: { chain: string[]; signingTime: Date; toSign: Buffer; signature: Buffer }): Buffer | null {
  if (!signatureFits(o.chain[0]!, o.toSign, o.signature)) return null;
  const at = pdf.lastIndexOf('/ByteRange [', undefined, 'latin1');
  const m = at < 0 ? null : /^\/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]/.exec(pdf.subarray(at, at + 80).toString('latin1'));
  if (!m) return null;
  const [start, end] = [Number(m[1]), Number(m[2])];
  if (pdf[start] !== 0x3c || pdf[end - 1] !== 0x3e) return null;
  let same = true;
  const cms = cmsSignDetached({
    content: [pdf.subarray(0, start), pdf.subarray(end)],
    external: { algorithm: algorithmOf(o.chain[0]!), sign: (der) => { same = der.equals(o.toSign); return o.signature; } },
    chainDer: o.chain.map((pem) => Buffer.from(new X509Certificate(pem).raw)),
  });
  const room = end - start - 2;
  if (!same || cms.length * 2 > room) return null;
  const out = Buffer.from(pdf);
  out.write(cms.toString('hex').padEnd(room, '0'), start + 1, 'latin1');
  return out;
}
