// The dashboard API's query parameters: parsed strictly (an unknown or
// repeated parameter is refused, not ignored, so a typo never shows the whole
// city as if it were filtered), every problem named in Vietnamese and English.
import { WARD_CODE } from '../../sync/city-contract.js';
import { wardError, type FieldProblem } from '../../sync/errors.js';
import { HUB_VERDICTS, type HubDocument, type HubVerdict } from '../../sync/hub-records.js';
import type { HubFilter } from './hub-queries.js';

export type ParamName = 'from' | 'to' | 'ward' | 'unit' | 'verdict' | 'signing' | 'direction' | 'limit' | 'offset' | 'format' | 'lang';

export interface HubParams {
  filter: HubFilter;
  limit: number;
  offset: number;
  format: 'json' | 'csv';
  lang: 'vi' | 'en';
}

const WEEK = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;
const UNIT = /^[\p{L}\p{N} ._/-]{1,64}$/u;
const SIGNINGS = ['digital', 'paper', 'none'] as const;
export const MAX_LIMIT = 500;

const problem = (path: string, vi: string, en: string): FieldProblem => ({ path, vi, en });

function list<T extends string>(path: string, raw: string, ok: (v: string) => v is T, vi: string, en: string, problems: FieldProblem[]): T[] {
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = values.filter((v) => !ok(v));
  if (values.length === 0 || values.length > 200 || bad.length > 0) problems.push(problem(path, `${vi} (${bad.join(', ').slice(0, 100)})`, `${en} (${bad.join(', ').slice(0, 100)})`));
  return values as T[];
}

function integer(path: string, raw: string, min: number, max: number, problems: FieldProblem[]): number {
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) problems.push(problem(path, `Phải là số nguyên từ ${min} đến ${max}.`, `Must be a whole number from ${min} to ${max}.`));
  return n;
}

/** Parses `query` for an endpoint that accepts `allowed`; throws a 400 `invalid_input` listing every problem. */
export function parseHubParams(query: Record<string, unknown>, allowed: readonly ParamName[], defaultLimit = 50): HubParams {
  const problems: FieldProblem[] = [];
  const out: HubParams = { filter: {}, limit: defaultLimit, offset: 0, format: 'json', lang: 'vi' };
  const f: { -readonly [K in keyof HubFilter]: HubFilter[K] } = out.filter;
  for (const [name, value] of Object.entries(query)) {
    if (!(allowed as readonly string[]).includes(name)) {
      problems.push(problem(name, `Tham số không được hỗ trợ ở đây. Dùng: ${allowed.join(', ')}.`, `Unknown parameter here. Use: ${allowed.join(', ')}.`));
      continue;
    }
    if (typeof value !== 'string') { problems.push(problem(name, 'Tham số chỉ được có một giá trị.', 'Give this parameter once.')); continue; }
    switch (name as ParamName) {
      case 'from': case 'to':
        if (!WEEK.test(value)) problems.push(problem(name, 'Tuần phải có dạng 2026-W05 (tuần ISO, giờ Việt Nam).', 'A week is written like 2026-W05 (ISO week, Vietnam time).'));
        f[name as 'from' | 'to'] = value;
        break;
      case 'ward': f.wards = list(name, value, (v): v is string => WARD_CODE.test(v), 'Mã phường không hợp lệ', 'Not a ward code', problems); break;
      case 'unit': f.units = list(name, value, (v): v is string => UNIT.test(v), 'Mã đơn vị không hợp lệ', 'Not a unit code', problems); break;
      case 'verdict': f.verdicts = list(name, value, (v): v is HubVerdict => (HUB_VERDICTS as readonly string[]).includes(v), `Kết quả kiểm tra phải là ${HUB_VERDICTS.join(', ')}`, `A verdict is one of ${HUB_VERDICTS.join(', ')}`, problems); break;
      case 'signing': f.signing = list(name, value, (v): v is HubDocument['signing'] => (SIGNINGS as readonly string[]).includes(v), 'Hình thức ký phải là digital, paper hoặc none', 'Signing is digital, paper or none', problems); break;
      case 'direction':
        if (value !== 'outgoing' && value !== 'incoming') problems.push(problem(name, 'Chiều văn bản là outgoing hoặc incoming.', 'Direction is outgoing or incoming.'));
        else f.direction = value;
        break;
      case 'limit': out.limit = integer(name, value, 1, MAX_LIMIT, problems); break;
      case 'offset': out.offset = integer(name, value, 0, 10_000_000, problems); break;
      case 'format':
        if (value !== 'json' && value !== 'csv') problems.push(problem(name, 'Định dạng là json hoặc csv.', 'Format is json or csv.'));
        else out.format = value;
        break;
      case 'lang':
        if (value !== 'vi' && value !== 'en') problems.push(problem(name, 'Ngôn ngữ là vi hoặc en.', 'Language is vi or en.'));
        else out.lang = value;
        break;
    }
  }
  if (f.from && f.to && WEEK.test(f.from) && WEEK.test(f.to) && f.from > f.to) {
    problems.push(problem('from', 'Tuần bắt đầu phải trước hoặc bằng tuần kết thúc.', 'The first week must not come after the last.'));
  }
  if (problems.length > 0) throw wardError('invalid_input', problems);
  return out;
}
