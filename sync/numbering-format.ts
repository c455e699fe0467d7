// How Decree 30/2020 writes numbers and symbols: numbers below 10 get a
// leading zero ("05"); a typed document's symbol is type code + agency
// ("12/QĐ-UBND"); a công văn has no type code, so agency + drafting unit
// ("7303/UBND-VP").
import type { DocumentType } from './doc-types.js';

export function formatNumber(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface SymbolParts { docType: DocumentType; agencyCode: string; unitCode?: string | undefined }

export function formatSymbol({ docType, agencyCode, unitCode }: SymbolParts): string {
  if (docType === 'CV') return unitCode ? `${agencyCode}-${unitCode}` : agencyCode;
  return `${docType}-${agencyCode}`;
}

export function formatNumberAndSymbol(n: number, parts: SymbolParts): string {
  return `${formatNumber(n)}/${formatSymbol(parts)}`;
}

/** "Phúc Xá, ngày 05 tháng 01 năm 2026": leading zero for days below 10 and for months 1 and 2. */
export function formatVnDateLine(place: string, date?: { day: number; month: number; year: number }): string {
  if (!date) return `${place}, ngày      tháng      năm ${new Date().getFullYear()}`;
  const day = date.day < 10 ? `0${date.day}` : String(date.day);
  const month = date.month <= 2 ? `0${date.month}` : String(date.month);
  return `${place}, ngày ${day} tháng ${month} năm ${date.year}`;
}
