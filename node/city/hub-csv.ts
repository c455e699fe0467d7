// Every dashboard table as CSV a city clerk can open in Excel: UTF-8 with a
// byte-order mark (without it Excel reads Vietnamese as mojibake), RFC 4180
// quoting and CRLF line ends by csv-stringify, headers and labels in the
// language asked for, figures as the dashboard shows them.
import { stringify as stringifyStream } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import { EXCHANGE_LABELS, HEALTH_LABELS, SIGNING_LABELS, VERDICT_LABELS, label } from '../../sync/hub-labels.js';
import { formatPercent, type HubCounts, type Rate } from '../../sync/hub-rate.js';
import type { HubDocument } from '../../sync/hub-records.js';
import type { SentRow, Summary, SyncRow, UnitRow, WardRow, WeekRow } from './hub-queries.js';

type Lang = 'vi' | 'en';
type Value = string | number | null | undefined;
export interface Column<R> { vi: string; en: string; value: (row: R, lang: Lang) => Value }

const options = <R>(columns: readonly Column<R>[], lang: Lang) => ({
  bom: true,
  header: true,
  columns: columns.map((c, i) => ({ key: String(i), header: c[lang] })),
  record_delimiter: 'windows' as const,
});

export function toCsv<R>(rows: readonly R[], columns: readonly Column<R>[], lang: Lang): string {
  return stringify(rows.map((r) => columns.map((c) => cell(c.value(r, lang)))), options(columns, lang));
}

/** The same as a stream, for lists of any length: written as the client reads, other requests served in between. */
export function csvStream<R>(rows: readonly R[], columns: readonly Column<R>[], lang: Lang): Readable {
  function* records() { for (const r of rows) yield columns.map((c) => cell(c.value(r, lang))); }
  return Readable.from(records()).pipe(stringifyStream(options(columns, lang)));
}

/** Text a ward typed that Excel would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe (OWASP CSV injection). */
function cell(v: Value): string | number {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

const pct = (r: { rate: Rate }, lang: Lang) => formatPercent(r.rate.percent, lang);
const COUNT_COLUMNS: Column<HubCounts & { rate: Rate }>[] = [
  { vi: 'Đã phát hành', en: 'Issued', value: (r) => r.issued },
  { vi: 'Ký số hợp lệ', en: 'Digitally signed (valid)', value: (r) => r.digital },
  { vi: 'Ký giấy', en: 'Paper', value: (r) => r.paper },
  { vi: 'Chữ ký không hợp lệ', en: 'Invalid signature', value: (r) => r.invalid },
  { vi: 'Chưa kiểm chứng được', en: 'Unverifiable', value: (r) => r.unverifiable },
  { vi: 'Tỷ lệ ký số', en: 'Digital signing rate', value: (r, lang) => r.rate[lang] },
  { vi: 'Tỷ lệ (%)', en: 'Rate (%)', value: pct },
];

export const SUMMARY_COLUMNS: Column<Summary>[] = [
  { vi: 'Từ tuần', en: 'From week', value: (s) => s.range.from },
  { vi: 'Đến tuần', en: 'To week', value: (s) => s.range.to },
  ...COUNT_COLUMNS.map((c): Column<Summary> => ({ ...c, value: (s, lang) => c.value(s.total, lang) })),
  { vi: 'Số đơn vị có phát hành', en: 'Units that issued', value: (s) => s.units.total },
  { vi: 'Số đơn vị ký số 100 %', en: 'Units at 100 %', value: (s) => s.units.at100 },
];

export const WEEK_COLUMNS: Column<WeekRow>[] = [{ vi: 'Tuần', en: 'Week', value: (r) => r.week }, ...COUNT_COLUMNS];

export const WARD_COLUMNS: Column<WardRow>[] = [
  { vi: 'Phường', en: 'Ward', value: (r) => r.ward }, ...COUNT_COLUMNS,
  { vi: 'Số đơn vị', en: 'Units', value: (r) => r.units },
  { vi: 'Đơn vị ký số 100 %', en: 'Units at 100 %', value: (r) => r.unitsAt100 },
];

export const UNIT_COLUMNS: Column<UnitRow>[] = [
  { vi: 'Phường', en: 'Ward', value: (r) => r.ward },
  { vi: 'Đơn vị', en: 'Unit', value: (r) => r.unit }, ...COUNT_COLUMNS,
  { vi: 'Ký số 100 %', en: 'At 100 %', value: (r, lang) => (r.at100 ? (lang === 'vi' ? 'Có' : 'Yes') : (lang === 'vi' ? 'Không' : 'No')) },
];

export const SYNC_COLUMNS: Column<SyncRow>[] = [
  { vi: 'Phường', en: 'Ward', value: (r) => r.ward },
  { vi: 'Tình trạng', en: 'Health', value: (r, lang) => label(HEALTH_LABELS, r.health, lang) },
  { vi: 'Lần cuối nhận dữ liệu', en: 'Last seen', value: (r) => r.lastSeenAt },
  { vi: 'Im lặng (giây)', en: 'Silent (s)', value: (r) => r.silentSeconds },
  { vi: 'Tệp chưa về đủ', en: 'Pending files', value: (r) => r.pendingFiles },
  { vi: 'Độ trễ trung vị (giây)', en: 'Median lag (s)', value: (r) => r.lagP50Seconds },
  { vi: 'Độ trễ lớn nhất (giây)', en: 'Worst lag (s)', value: (r) => r.lagMaxSeconds },
  { vi: 'Số văn bản', en: 'Documents', value: (r) => r.documents },
  { vi: 'Nhật ký kiểm tra: số mục đã kiểm', en: 'Audit chain: entries checked', value: (r) => r.chainEntries },
  { vi: 'Nhật ký kiểm tra bị phá vỡ tại mục', en: 'Audit chain broken at entry', value: (r) => r.chainBrokenAt },
  { vi: 'Lý do', en: 'Reason', value: (r) => r.chainBrokenReason },
];

export const SENT_COLUMNS: Column<SentRow>[] = [
  { vi: 'Phường', en: 'Ward', value: (r) => r.ward },
  { vi: 'Trích yếu', en: 'Subject', value: (r) => r.subject },
  { vi: 'Mã trạng thái', en: 'Status code', value: (r) => r.code },
  { vi: 'Trạng thái', en: 'Status', value: (r, lang) => label(EXCHANGE_LABELS, r.state, lang) },
  { vi: 'Bước gần nhất', en: 'Last step', value: (r) => r.lastEventAt },
  { vi: 'Mã văn bản', en: 'Document id', value: (r) => r.docId },
];

export const DOCUMENT_COLUMNS: Column<HubDocument>[] = [
  { vi: 'Phường', en: 'Ward', value: (d) => d.ward },
  { vi: 'Đơn vị', en: 'Unit', value: (d) => d.unit },
  { vi: 'Mã văn bản', en: 'Document id', value: (d) => d.docId },
  { vi: 'Số, ký hiệu', en: 'Number', value: (d) => d.symbol },
  { vi: 'Loại', en: 'Type', value: (d) => d.docType },
  { vi: 'Trích yếu', en: 'Subject', value: (d) => d.subject },
  { vi: 'Trạng thái', en: 'State', value: (d) => d.state },
  { vi: 'Phát hành lúc', en: 'Issued at', value: (d) => d.issuedAt },
  { vi: 'Tuần', en: 'Week', value: (d) => d.week },
  { vi: 'Hình thức ký', en: 'Signing', value: (d, lang) => label(SIGNING_LABELS, d.signing, lang) },
  { vi: 'Kết quả kiểm tra', en: 'Verdict', value: (d, lang) => label(VERDICT_LABELS, d.verdict, lang) },
  { vi: 'Lý do', en: 'Reasons', value: (d, lang) => d.reasons.map((r) => r[lang]).join('; ') },
];
