// Sizes and rates as a ward official reads them: megabytes with one decimal,
// a decimal comma in Vietnamese ("12,3 MB") and a point in English ("12.3 MB").
// A megabyte here is 1024 × 1024 bytes, the unit of the node's upload limit.
import { currentLang, type Lang } from './i18n.js';

const MB = 1024 * 1024;
const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
const ONE_DECIMAL = { vi: decimals('vi', 1), en: decimals('en', 1) };
const WHOLE = { vi: decimals('vi', 0), en: decimals('en', 0) };
const PERCENT = {
  vi: new Intl.NumberFormat(LOCALES.vi, { style: 'percent', maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat(LOCALES.en, { style: 'percent', maximumFractionDigits: 0 }),
};

function decimals(lang: Lang, digits: number): Intl.NumberFormat {
  return new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `12582912` → `12,0` (vi) or `12.0` (en); the caller writes the unit. */
export const megabytes = (bytes: number, lang: Lang = currentLang()): string => ONE_DECIMAL[lang].format(bytes / MB);

/** Whole percent, never 100 % before the last byte: `26%`. */
export function percent(part: number, whole: number, lang: Lang = currentLang()): string {
  const ratio = whole > 0 ? Math.min(part, whole) / whole : 0;
  return PERCENT[lang].format(part < whole ? Math.min(ratio, 0.99) : ratio);
}

/** A transfer rate: `1,4 MB/s`, or `350 KB/s` below one megabyte a second. */
export function rate(bytesPerSecond: number, lang: Lang = currentLang()): string {
  return bytesPerSecond >= MB ? `${megabytes(bytesPerSecond, lang)} MB/s` : `${WHOLE[lang].format(bytesPerSecond / 1024)} KB/s`;
}
