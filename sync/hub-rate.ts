// The city's signing rate as officials write it: "296/507 — 58,4 %" in
// Vietnamese (decimal comma, space before %), "296/507 — 58.4%" in English.
// Pure, no imports: the hub's API, its CSV export and the dashboard page all
// format through here, so a figure reads the same everywhere.

export type RateLang = 'vi' | 'en';

/** What the dashboard counts per ward, unit and week, over issued outgoing documents. */
export interface HubCounts {
  issued: number;
  /** Signed electronically and every signature verified by the hub ('valid'). */
  digital: number;
  /** Signed by hand and registered with its scan. */
  paper: number;
  /** A signature forged, altered, revoked or missing where the events claim one. */
  invalid: number;
  /** Not decidable yet (PDF or revocation list not fully arrived, verifier said 'unknown'). */
  unverifiable: number;
}

export interface Rate {
  digital: number;
  issued: number;
  /** digital / issued in percent, null when nothing was issued. */
  percent: number | null;
  vi: string;
  en: string;
}

const COUNT = { vi: new Intl.NumberFormat('vi-VN'), en: new Intl.NumberFormat('en-US') };
const PERCENT = {
  vi: new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
};

export function emptyCounts(): HubCounts {
  return { issued: 0, digital: 0, paper: 0, invalid: 0, unverifiable: 0 };
}

/** Adds `b` into `a` times `sign` (−1 takes a document's old contribution back out). */
export function addCounts(a: HubCounts, b: HubCounts, sign: 1 | -1 = 1): HubCounts {
  a.issued += sign * b.issued;
  a.digital += sign * b.digital;
  a.paper += sign * b.paper;
  a.invalid += sign * b.invalid;
  a.unverifiable += sign * b.unverifiable;
  return a;
}

/** "58,4 %" / "58.4%"; "—" when there is nothing to divide. */
export function formatPercent(percent: number | null, lang: RateLang): string {
  if (percent === null) return '—';
  return lang === 'vi' ? `${PERCENT.vi.format(percent)} %` : `${PERCENT.en.format(percent)}%`;
}

export function formatCount(n: number, lang: RateLang): string {
  return COUNT[lang].format(n);
}

export function formatRate(digital: number, issued: number, lang: RateLang): string {
  const percent = issued > 0 ? (digital * 100) / issued : null;
  return `${formatCount(digital, lang)}/${formatCount(issued, lang)} — ${formatPercent(percent, lang)}`;
}

export function rateOf(c: Pick<HubCounts, 'digital' | 'issued'>): Rate {
  return {
    digital: c.digital,
    issued: c.issued,
    percent: c.issued > 0 ? Math.round((c.digital * 1000) / c.issued) / 10 : null,
    vi: formatRate(c.digital, c.issued, 'vi'),
    en: formatRate(c.digital, c.issued, 'en'),
  };
}
