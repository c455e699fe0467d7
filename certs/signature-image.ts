// The checks a signature or seal image passes before it goes into every PDF
// its holder signs (Decree 30: a transparent PNG, the seal red at real size).
// A verdict, not an exception: the node maps it to the catalogue's message.
// "Transparent" is measured, not read from the header: a PNG saved as RGBA
// whose every pixel is opaque would cover the text under the seal all the
// same, so at least 5 % of the pixels must be (nearly) see-through.
import { PNG } from 'pngjs';

export const SIGNATURE_IMAGE_LIMITS = { maxBytes: 512 * 1024, maxSide: 2000, minSide: 32, minTransparentShare: 0.05 } as const;

export type SignatureImageVerdict =
  | { ok: true; width: number; height: number; transparentShare: number }
  | { ok: false; reason: 'not-png' | 'unreadable' | 'too-large' | 'too-small' | 'not-transparent' };

const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function checkSignatureImage(bytes: Buffer): SignatureImageVerdict {
  if (bytes.length > SIGNATURE_IMAGE_LIMITS.maxBytes) return { ok: false, reason: 'too-large' };
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(MAGIC)) return { ok: false, reason: 'not-png' };
  // Starts like a PNG but has no header to read: a cut or forged file, "unreadable" like any upload (node/file-kind.ts).
  if (bytes.length < 33 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return { ok: false, reason: 'unreadable' };
  // The header's size first: a 2000×2000 limit is checked before anything is inflated.
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width > SIGNATURE_IMAGE_LIMITS.maxSide || height > SIGNATURE_IMAGE_LIMITS.maxSide) return { ok: false, reason: 'too-large' };
  if (width < SIGNATURE_IMAGE_LIMITS.minSide || height < SIGNATURE_IMAGE_LIMITS.minSide) return { ok: false, reason: 'too-small' };
  let png: PNG;
  try { png = PNG.sync.read(bytes, { checkCRC: true }); } catch { return { ok: false, reason: 'unreadable' }; }
  // pngjs expands palette + tRNS and grey+alpha to RGBA, so one loop covers every PNG colour type.
  let clear = 0;
  for (let i = 3; i < png.data.length; i += 4) if (png.data[i]! < 32) clear++;
  const share = clear / (png.width * png.height);
  if (share < SIGNATURE_IMAGE_LIMITS.minTransparentShare) return { ok: false, reason: 'not-transparent' };
  return { ok: true, width: png.width, height: png.height, transparentShare: share };
}
