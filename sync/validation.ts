// Turns schema failures into field problems a person can read, in Vietnamese
// and English. zod's own messages are English-only and name internals.
import type { z } from 'zod';
import { wardError, type FieldProblem, type WardError } from './errors.js';
import { fieldFormat, fieldLabel } from './field-labels.js';
import { CONTROL_CHARACTER } from './plain-text.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: WardError };

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: wardError('invalid_input', result.error.issues.slice(0, 20).map(describeIssue)) };
}

function describeIssue(issue: z.core.$ZodIssue): FieldProblem {
  const path = issue.path.map(String).join('.') || '(body)';
  const keyPath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const [vi, en] = fieldLabel(keyPath);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? { path, vi: `Thiếu trường bắt buộc "${vi}".`, en: `Required field "${en}" is missing.` }
        : { path, vi: `Trường "${vi}" sai kiểu dữ liệu (cần ${typeVi(issue.expected)}).`, en: `Field "${en}" has the wrong type (expected ${issue.expected}).` };
    case 'too_small':
      return { path, vi: `Trường "${vi}" quá ngắn hoặc quá nhỏ.`, en: `Field "${en}" is too short or too small.` };
    case 'too_big':
      return { path, vi: `Trường "${vi}" quá dài hoặc quá lớn.`, en: `Field "${en}" is too long or too large.` };
    case 'unrecognized_keys':
      return { path: [...issue.path.map(String), issue.keys.join(',')].join('.'), vi: `Không chấp nhận trường: ${issue.keys.join(', ')}.`, en: `Unknown field(s): ${issue.keys.join(', ')}.` };
    case 'invalid_value':
      return { path, vi: `Giá trị của "${vi}" không nằm trong danh sách cho phép.`, en: `Field "${en}" must be one of the allowed values.` };
    case 'invalid_format': {
      const format = fieldFormat(keyPath);
      return format
        ? { path, vi: `${vi} chưa đúng: cần ${format[0]}.`, en: `${en} is not valid: use ${format[1]}.` }
        : { path, vi: `Trường "${vi}" sai định dạng.`, en: `Field "${en}" has the wrong format.` };
    }
    case 'custom':
      if ((issue.params as { reason?: string } | undefined)?.reason === CONTROL_CHARACTER) {
        return { path, vi: `Trường "${vi}" chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản (NUL, mã thoát, U+202E…): hãy xóa chúng rồi gửi lại.`, en: `Field "${en}" contains a control or text-direction override character (NUL, escape codes, U+202E…): remove it and send again.` };
      }
      return { path, vi: `Trường "${vi}" không hợp lệ.`, en: `Field "${en}" is not valid.` };
    default:
      return { path, vi: `Trường "${vi}" không hợp lệ.`, en: `Field "${en}" is not valid.` };
  }
}

function typeVi(expected: string): string {
  const names: Record<string, string> = { string: 'chuỗi ký tự', number: 'số', boolean: 'đúng/sai', object: 'đối tượng', array: 'danh sách' };
  return names[expected] ?? expected;
}
