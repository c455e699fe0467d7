// Official dates are Vietnam time (UTC+7, no daylight saving) whatever the
// device or server clock zone is; the node's clock wins over devices'.

const OFFSET_MS = 7 * 60 * 60 * 1000;

export interface VnDate { year: number; month: number; day: number }

export function vnDate(at: Date): VnDate {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** ISO 8601 with the +07:00 offset, e.g. 2026-01-05T09:30:00.000+07:00. */
export function vnIso(at: Date): string {
  const shifted = new Date(at.getTime() + OFFSET_MS);
  return shifted.toISOString().replace('Z', '+07:00');
}

/** dd/mm/yyyy as Vietnamese officials write dates. */
export function vnDdMmYyyy(at: Date): string {
  const d = vnDate(at);
  return `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${d.year}`;
}

/** Start of a Vietnam-time calendar day, as an instant. */
export function vnDayStart(date: VnDate): Date {
  return new Date(Date.UTC(date.year, date.month - 1, date.day) - OFFSET_MS);
}

/** Today in Vietnam as YYYY-MM-DD: compared as text with a hạn xử lý (deadline) date. */
export function vnToday(at: Date): string {
  return vnIso(at).slice(0, 10);
}
