// Dates as officials read them: dd/mm/yyyy, in Vietnam time whatever the
// device's zone (Intl does the zone arithmetic; en-GB gives day/month/year).
import { vnToday as vnTodayAt } from '../../sync/vn-time.js';

const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false });

/** `2026-03-05` (a calendar day) or an ISO instant → `05/03/2026`. */
export function formatDate(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-');
    return `${d}/${m}/${y}`;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : DAY.format(date);
}

/** An instant → `05/03/2026 14:07` (Vietnam time). */
export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : `${DAY.format(date)} ${TIME.format(date)}`;
}

/** Today in Vietnam as `yyyy-mm-dd` (for date inputs): the node's own rule (sync/vn-time.ts), so a deadline the form allows is one the node accepts. */
export function vnToday(): string {
  return vnTodayAt(new Date());
}

/** Past its hạn xử lý and not finished: shown red on the handler's tasks and the document. */
export function isOverdue(d: { deadline?: string | null; state: string | null }): boolean {
  return !!d.deadline && d.state !== 'done' && d.deadline < vnToday();
}
