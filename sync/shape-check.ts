// A small shape checker for replicated records, written by hand because the
// city's validate_doc_update runs in CouchDB's couchjs, which lacks what zod
// needs (BigInt and Promise; QuickJS builds of CouchDB 3.4 refuse every write
// with zod inside). Each function mirrors one zod construct the schemas in
// schema.ts and city-contract.ts use, with zod's accept/reject semantics:
// `.trim()` then the length and pattern checks, strict objects that refuse
// unknown keys (for...in, as zod), numbers that are finite and, for integers,
// safe. A default in zod means "may be absent": here it is `optional`.
//
// ES2015 only, at runtime as in syntax: no Array.prototype.includes, no
// Object.entries, no spread of objects. test/sync/record-shapes.test.ts holds
// these verdicts to zod's.

/** Where (keys from the record down) and what. */
export interface ShapeProblem { path: (string | number)[]; message: string }
/** Checks one value: null when it fits, else its first problem. */
export type Shape = (value: unknown) => ShapeProblem | null;

const problem = (message: string): ShapeProblem => ({ path: [], message });
const under = (key: string | number, found: ShapeProblem): ShapeProblem => ({ path: [key].concat(found.path), message: found.message });
const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** zod's isObject: any object but null and arrays. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface StringRules { trim?: boolean; min?: number; max?: number; pattern?: RegExp; patternMessage?: string }

/** z.string() with, in zod's order, .trim(), .min(), .max() and .regex() (all on the trimmed text). */
export function string(rules: StringRules = {}): Shape {
  return (value) => {
    if (typeof value !== 'string') return problem(`expected a string, got ${describe(value)}`);
    const text = rules.trim ? value.trim() : value;
    if (rules.min !== undefined && text.length < rules.min) return problem(rules.min === 1 ? 'must not be empty' : `must have at least ${rules.min} characters`);
    if (rules.max !== undefined && text.length > rules.max) return problem(`must have at most ${rules.max} characters`);
    if (rules.pattern && !rules.pattern.test(text)) return problem(rules.patternMessage ?? `does not match ${String(rules.pattern)}`);
    return null;
  };
}

export interface NumberRules { int?: boolean; positive?: boolean; min?: number; max?: number }

/** z.number() (finite, not NaN) with .int() (a safe integer), .positive(), .nonnegative() as min 0, .min(), .max(). */
export function number(rules: NumberRules = {}): Shape {
  return (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return problem(`expected a finite number, got ${describe(value)}`);
    if (rules.int && !Number.isSafeInteger(value)) return problem('expected a safe integer');
    if (rules.positive && value <= 0) return problem('must be positive');
    if (rules.min !== undefined && value < rules.min) return problem(`must be at least ${rules.min}`);
    if (rules.max !== undefined && value > rules.max) return problem(`must be at most ${rules.max}`);
    return null;
  };
}

export const boolean: Shape = (value) => (typeof value === 'boolean' ? null : problem(`expected true or false, got ${describe(value)}`));

/** z.literal(): exactly this value. */
export function literal(expected: string | boolean): Shape {
  return (value) => (value === expected ? null : problem(`expected ${JSON.stringify(expected)}`));
}

/** z.enum(): one of these values. */
export function oneOf(values: readonly string[]): Shape {
  return (value) => (typeof value === 'string' && values.indexOf(value) >= 0 ? null : problem(`expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`));
}

/** .optional(), and .default() as the checker sees it: the value may be absent. */
export function optional(shape: Shape): Shape {
  return (value) => (value === undefined ? null : shape(value));
}

export function nullable(shape: Shape): Shape {
  return (value) => (value === null ? null : shape(value));
}

/** z.array(item).max(max). */
export function array(item: Shape, max: number): Shape {
  return (value) => {
    if (!Array.isArray(value)) return problem(`expected an array, got ${describe(value)}`);
    for (let i = 0; i < value.length; i += 1) {
      const found = item(value[i]);
      if (found) return under(i, found);
    }
    return value.length > max ? problem(`must have at most ${max} items`) : null;
  };
}

/** z.record(z.string(), value): a plain object; zod checks no value under a `__proto__` key. */
export function record(valueShape: Shape | null): Shape {
  return (value) => {
    if (!isPlainObject(value)) return problem(`expected an object, got ${describe(value)}`);
    if (!valueShape) return null;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i]!;
      if (key === '__proto__') continue;
      const found = valueShape(value[key]);
      if (found) return under(key, found);
    }
    return null;
  };
}

/** zod's isPlainObject, which z.record() asks of its input. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto: unknown = (ctor as { prototype?: unknown }).prototype;
  return isObject(proto) && hasOwn(proto, 'isPrototypeOf');
}

/** z.strictObject(fields): every field fits, and no other key (own or inherited enumerable, as zod's for...in). */
export function strictObject(fields: Record<string, Shape>): Shape {
  const names = Object.keys(fields);
  return (value) => {
    if (!isObject(value)) return problem(`expected an object, got ${describe(value)}`);
    for (let i = 0; i < names.length; i += 1) {
      const name = names[i]!;
      const found = fields[name]!(value[name]);
      if (found) return under(name, found);
    }
    for (const key in value) {
      if (!hasOwn(fields, key)) return under(key, problem('is not a known field'));
    }
    return null;
  };
}

/** z.union(options): fits when one option fits; `explain` picks the option whose problem is reported. */
export function union(options: readonly Shape[], explain: (value: unknown) => number): Shape {
  return (value) => {
    let first: ShapeProblem | null = null;
    for (let i = 0; i < options.length; i += 1) {
      const found = options[i]!(value);
      if (!found) return null;
      if (i === explain(value)) first = found;
    }
    return first ?? problem('fits none of the allowed shapes');
  };
}

/** Where a problem is, as zod's issue paths were shown: keys joined by dots, "(document)" for the record itself. */
export function formatProblem(found: ShapeProblem): string {
  return `${found.path.join('.') || '(document)'}: ${found.message}`;
}
