// What verification reads from a signature dictionary besides its byte range
// and CMS: whether it is a document timestamp (/Type /DocTimeStamp,
// /SubFilter /ETSI.RFC3161), and the claimed signing time /M, which PAdES
// B-B puts here instead of a CMS signing-time attribute. The dictionary is
// found from its /ByteRange key: the object it sits in (pdf-revisions.ts has
// checked that /ByteRange and /Contents are in one dictionary).
import { nameOf, parseValue } from './pdf-objects.js';

export interface SignatureDictInfo {
  timestamp: boolean;
  /** /M as a date, null when absent or not a PDF date. */
  claimed: Date | null;
}

export function readSignatureDict(src: string, byteRangeAt: number): SignatureDictInfo {
  const none: SignatureDictInfo = { timestamp: false, claimed: null };
  const head = src.lastIndexOf(' obj', byteRangeAt);
  if (head < 0) return none;
  let value;
  try { value = parseValue(src, head + 4).value; } catch { return none; }
  if (!(value instanceof Map)) return none;
  const m = value.get('M');
  return {
    timestamp: nameOf(value.get('Type')) === 'DocTimeStamp' || nameOf(value.get('SubFilter')) === 'ETSI.RFC3161',
    claimed: typeof m === 'string' ? parsePdfDate(m) : Buffer.isBuffer(m) ? parsePdfDate(m.toString('latin1')) : null,
  };
}

/** D:YYYYMMDDHHmmSS+HH'mm' (ISO 32000-1 §7.9.4; later parts optional, Z or no offset is UT). */
export function parsePdfDate(s: string): Date | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(\d{2})?'?)?)?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', sign, oh = '00', om = '00'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  const offset = sign === '+' || sign === '-' ? (sign === '+' ? 1 : -1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  const t = utc - offset;
  return Number.isFinite(t) ? new Date(t) : null;
}
