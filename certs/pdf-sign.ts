// Signing in two steps, as Decree 30/2020 requires, each an incremental
// update so the earlier signature stays valid:
//   1. the leader signs: the blue handwritten-signature image centred in the
//      blank between title and name, as a visible CAdES signature;
//   2. the clerk fills the number and date into the fields the leader's
//      revision declared, and signs the declared seal field: the red seal at
//      real size over the left third of the leader's signature
//      (pdf-fields.ts, pdf-fill.ts). Refused unless the leader's signature holds.
// A separate-file attachment gets the agency signature with no image at the
// top right of page 1: number/symbol and signing time (ISO 8601, +07:00).
import { wardError } from '../sync/errors.js';
import { FONTS } from './fonts.js';
import type { Box, RenderLayout } from './pdf-boxes.js';
import { declareSlots } from './pdf-fields.js';
import { fillAndSeal } from './pdf-fill.js';
import { embedFont, type EmbeddedFont } from './pdf-font.js';
import type { IncrementalUpdate } from './pdf-file.js';
import { addPngImage, pngSize } from './pdf-image.js';
import { dict } from './pdf-objects.js';
import { appendSignature, type AnySigner, type Appearance } from './pdf-signature.js';
import { verifyPdf, type TrustOptions } from './pdf-verify.js';

export type { AnySigner, ExternalSigner, Signer } from './pdf-signature.js';

const MM = 72 / 25.4;
const fmt = (n: number) => n.toFixed(2);

export interface LeaderSignOptions {
  signer: AnySigner;
  /** The leader's handwritten signature: blue ink, transparent PNG. */
  image: Buffer;
  box: Box;
  /**
   * The renderer's layout: with it, the revision the leader signs declares the clerk's slots
   * (number, date, seal field) and locks everything else; without it (a copy, a test of the
   * signature alone) the signature declares nothing and the clerk's step refuses the file.
   */
  layout?: RenderLayout;
  sealDiameterMm?: number;
  signingTime?: Date;
  reason?: string;
  location?: string;
}

/** Step 1: the leader's visible signature, declaring what the clerk may fill. */
export function signAsLeader(pdf: Buffer, o: LeaderSignOptions): Buffer {
  const placed = imageRect(o.box, pngSize(o.image), o.box.width, o.box.height);
  const layout = o.layout;
  return appendSignature(pdf, {
    signer: o.signer, fieldName: 'LanhDaoKy', signingTime: o.signingTime ?? new Date(), reason: o.reason ?? 'Ký ban hành / Signed for issue',
    ...(o.location ? { location: o.location } : {}),
    widget: { page: o.box.page, rect: placed, appearance: (u) => imageAppearance(u, o.image, placed) },
    ...(layout ? {
      declare: declareSlots({
        text: { number: layout.number, day: layout.day, month: layout.month, year: layout.year },
        seal: { page: o.box.page, rect: sealRect(o.box, o.sealDiameterMm ?? 36) },
      }),
    } : {}),
  });
}

/** The seal's square: its right third over the left third of the leader's signature box, centred on it vertically. */
export function sealRect(sig: Box, diameterMm: number): [number, number, number, number] {
  const size = diameterMm * MM;
  const right = sig.x + sig.width / 3;
  return [right - size, sig.y + sig.height / 2 - size / 2, right, sig.y + sig.height / 2 + size / 2];
}

export interface AgencySignOptions {
  signer: AnySigner;
  /** The agency's red seal: transparent PNG, drawn to fill the seal field the leader's revision declared. */
  sealImage: Buffer;
  /** Kept for callers of the stamp-based step; the declared fields carry the boxes now. */
  layout?: RenderLayout;
  /** "05" and the day, month and year of issue, as printed. */
  number: string;
  date: { day: string; month: string; year: string };
  /** Trust for checking the leader's signature first. */
  trust: TrustOptions;
  signingTime?: Date;
  location?: string;
}

/** Step 2: the clerk fills the number and date and signs the declared seal field. */
export async function signAsAgency(pdf: Buffer, o: AgencySignOptions): Promise<Buffer> {
  await requireLeaderSignature(pdf, o.trust);
  return fillAndSeal(pdf, {
    signer: o.signer, signingTime: o.signingTime ?? new Date(), reason: 'Văn thư cơ quan ký số / Agency signature',
    ...(o.location ? { location: o.location } : {}),
    values: { number: o.number, day: o.date.day, month: o.date.month, year: o.date.year },
    seal: (u, w, h) => imageAppearance(u, o.sealImage, [0, 0, w, h]),
  });
}

export interface AttachmentSignOptions {
  signer: AnySigner;
  box: Box;
  /** "05/QĐ-UBND" of the document the attachment belongs to. */
  numberSymbol: string;
  agencyName: string;
  signingTime?: Date;
}

/** The agency signature of a separate-file attachment or copy: no image, text at the top right of page 1. */
export function signAttachment(pdf: Buffer, o: AttachmentSignOptions): Buffer {
  const at = o.signingTime ?? new Date();
  const lines = [o.agencyName, o.numberSymbol, isoVn(at)];
  const rect: [number, number, number, number] = [o.box.x, o.box.y, o.box.x + o.box.width, o.box.y + o.box.height];
  return appendSignature(pdf, {
    signer: o.signer, fieldName: 'CoQuanKyPhuLuc', signingTime: at, reason: 'Ký số phụ lục / Attachment signature',
    widget: {
      page: o.box.page, rect,
      appearance: (u) => {
        const font = embedFont(u, FONTS.regular, lines);
        return textAppearance(font, o.box, lines, 10, 'right');
      },
    },
  });
}

/** ISO 8601 in Vietnam time with its offset, e.g. 2026-03-02T09:15:00+07:00. */
export function isoVn(d: Date): string {
  return `${new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

async function requireLeaderSignature(pdf: Buffer, trust: TrustOptions): Promise<void> {
  const verdict = await verifyPdf(pdf, { ...trust, allowUnknownRevocation: true });
  const leader = verdict.signatures.find((s) => s.role === 'leader');
  // Revocation may be 'unknown' offline; integrity and chain must hold, and nothing may follow the
  // leader's signature (verdict.reasons: bytes appended after the last signature).
  if (!leader || leader.integrity !== 'valid' || leader.chain !== 'valid' || leader.status === 'invalid' || verdict.reasons.length > 0) throw wardError('signature_required');
}

/** The image's rectangle: fitted into the box, centred, aspect kept. */
function imageRect(box: Box, img: { width: number; height: number }, maxW: number, maxH: number): [number, number, number, number] {
  const scale = Math.min(maxW / img.width, maxH / img.height);
  const w = img.width * scale;
  const h = img.height * scale;
  const x = box.x + (box.width - w) / 2;
  const y = box.y + (box.height - h) / 2;
  return [x, y, x + w, y + h];
}

function imageAppearance(u: IncrementalUpdate, png: Buffer, rect: [number, number, number, number]): Appearance {
  const img = addPngImage(u, png);
  return {
    content: `q ${fmt(rect[2] - rect[0])} 0 0 ${fmt(rect[3] - rect[1])} 0 0 cm /Img Do Q`,
    resources: dict({ XObject: dict({ Img: img.ref }) }),
  };
}

function textAppearance(font: EmbeddedFont, box: Box, lines: string[], size: number, align: 'center' | 'right'): Appearance {
  const lead = size * 1.2;
  // One line sits on the box's baseline (1/5 up, as the renderer reports blanks); several are centred.
  const top = lines.length === 1 ? box.height / 5 : box.height - (box.height - lead * lines.length) / 2 - size * 0.85;
  const ops = lines.map((line, i) => {
    const { hex, width } = font.show(line, size);
    const x = align === 'center' ? (box.width - width) / 2 : box.width - width;
    return `1 0 0 1 ${fmt(Math.max(0, x))} ${fmt(top - i * lead)} Tm <${hex}> Tj`;
  });
  return { content: `BT /F1 ${size} Tf 0 g ${ops.join(' ')} ET`, resources: dict({ Font: dict({ F1: font.ref }) }) };
}
