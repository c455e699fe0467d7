// What revisions after a signature changed, judged against what that
// signature declared (pdf-fields.ts): with DocMDP P=2 and a FieldMDP that
// leaves some fields open, those fields may get a value and an appearance
// (the clerk's number and date) or be signed (the seal). Anything else makes
// the signature "changed after signing", each change named: object, page,
// field, old → new. Also allowed, as ISO 32000-2 §12.8.2.2.2 allows after any
// signature: a DSS in the catalog and invisible signature fields (document
// timestamps), since neither draws anything.
//
// The judge walks the object graph a reader renders, from the catalog:
// - an object reached from what was signed must be as it was signed, so a
//   reference that dangled at signing and resolves now (a shadow "replace"),
//   a replaced appearance, page, resource or annotation list are all caught;
// - what a filled field shows (its new /V and /AP) must be new objects, so an
//   object present but unused at signing cannot be brought in through it;
// - a changed object nobody reaches is reported too: a clean update has none.
// The walk keeps a visited set and an explicit stack, so cycles and depth in
// hostile files cost bounded time.
import { getDict, type PdfFile } from './pdf-file.js';
import { fieldValue, formFields } from './pdf-fields.js';
import { nameOf, Ref, scanRefs, serialize, type PdfDict, type PdfValue } from './pdf-objects.js';
import { compareRevisions, readObject } from './pdf-revisions.js';
import type { ChangeFound, FieldFilled } from './verdict.js';

export type Change = ChangeFound;
export type FieldFill = FieldFilled;
export interface ChangeAnalysis { changes: Change[]; filled: FieldFill[]; problem: string | null }

/** What the signature whose /ByteRange is at `sigAt` lets later revisions do; null `sigAt`: nothing. */
export function analyseChangesAfter(pdf: Buffer, coversBytes: number, sigAt: number | null, src?: string): ChangeAnalysis {
  const cmp = compareRevisions(pdf, coversBytes, src);
  if (typeof cmp === 'string') return { changes: [], filled: [], problem: cmp };
  return new Judge(cmp.before, cmp.after, new Set(cmp.changed), sigAt).run();
}

/** The first changes as one line, for a verdict's reason; null when there are none. */
export function checkChangesAfter(pdf: Buffer, coversBytes: number, sigAt: number | null = null, src?: string): string | null {
  return analyseChangesAfter(pdf, coversBytes, sigAt, src).problem;
}

/** signed: must be as signed; filled: what a filled field shows, must be new; covered: part of a change already reported. */
type Mode = 'signed' | 'filled' | 'covered';

class Judge {
  private readonly changes: Change[] = [];
  private readonly filled: FieldFill[] = [];
  private readonly open = new Map<number, string>();
  private readonly pages = new Map<number, number>();
  private readonly root: number;

  constructor(private readonly before: PdfFile, private readonly after: PdfFile, private readonly changed: Set<number>, sigAt: number | null) {
    for (const f of openFields(before, sigAt)) this.open.set(f.num, f.name);
    this.root = (after.trailer.get('Root') as Ref).num;
    pageNumbers(after, this.pages);
  }

  run(): ChangeAnalysis {
    const seen = new Set<string>();
    const reached = new Set<number>();
    const stack: { num: number; mode: Mode; page?: number | undefined }[] = [{ num: this.root, mode: 'signed' }];
    while (stack.length > 0) {
      const { num, mode, page: from } = stack.pop()!;
      const key = `${num}:${mode}`;
      if (seen.has(key) || !this.after.offsets.has(num)) continue;
      seen.add(key);
      reached.add(num);
      const page = this.pages.get(num) ?? from;
      // What was signed and is unchanged, or is part of a reported change, is only passed through.
      // Children are pushed in reverse so the walk meets pages, and what they use, in document order.
      const children: { num: number; mode: Mode; page?: number | undefined }[] = [];
      const push = (v: PdfValue | undefined, m: Mode) => { for (const r of refsIn(v)) children.push({ num: r, mode: m, page }); };
      if (mode === 'covered' || (mode === 'signed' && !this.changed.has(num))) {
        // What was signed and is unchanged, or is part of a reported change, is only passed through.
        for (const r of objectRefs(this.after, num)) children.push({ num: r, mode, page });
      } else if (mode === 'filled' && !this.before.offsets.has(num)) {
        // New content a filled field shows: its references stay in the filled part, but for pages (/P).
        for (const r of objectRefs(this.after, num)) children.push({ num: r, mode: this.pages.has(r) ? 'signed' : 'filled', page });
      } else {
        const obj = this.read('after', num);
        const next = this.visit(num, mode, page, obj);
        if (next === 'stop') push(obj.value, 'covered');
        else if (obj.value instanceof Map) {
          for (const [k, v] of obj.value) {
            // A list that only gained invisible signature fields: what it held at signing stays as signed.
            if (next.filledKeys.has(k) && (k === 'Fields' || k === 'Annots') && Array.isArray(v)) {
              for (const el of v) push(el, el instanceof Ref && !this.before.offsets.has(el.num) ? 'filled' : mode);
            } else push(v, next.filledKeys.has(k) ? 'filled' : k === 'P' || k === 'Parent' ? 'signed' : mode);
          }
        } else push(obj.value, mode);
      }
      for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i]!);
    }
    for (const num of this.changed) {
      if (reached.has(num)) continue;
      if (!this.after.offsets.has(num)) this.add(num, undefined, 'removed', 'freed in the cross-reference table');
      else if (this.before.offsets.has(num) && !this.same(num)) this.add(num, undefined, 'replaced', `${this.diff(num)} (used by nothing the reader shows)`);
      else if (!this.before.offsets.has(num)) this.add(num, undefined, 'added', `${summary(readObject(this.after, num).value)} (used by nothing)`);
    }
    const problem = this.changes.length === 0 ? null : this.changes.slice(0, 3).map(describe).join('; ') + (this.changes.length > 3 ? `; … ${this.changes.length - 3} more` : '');
    return { changes: this.changes, filled: this.filled, problem };
  }

  /** Judges one reached object; returns which of its keys lead to filled content, or 'stop'. */
  private visit(num: number, mode: Mode, page: number | undefined, obj: { value: PdfValue }): { filledKeys: Set<string> } | 'stop' {
    const none = { filledKeys: new Set<string>() };
    const existed = this.before.offsets.has(num);
    if (!this.changed.has(num) || (existed && this.same(num))) {
      if (mode === 'filled' && existed) {
        this.add(num, page, 'replaced', `an object present at signing is now drawn by a filled field (${summary(obj.value)})`);
        return 'stop';
      }
      return none;
    }
    if (!existed) {
      if (mode === 'filled') return none;
      this.add(num, page, 'added', `${summary(obj.value)}, referenced by what was signed (it dangled at signing)`);
      return 'stop';
    }
    const old = this.read('before', num).value;
    const v = obj.value;
    if (!(old instanceof Map) || !(v instanceof Map)) { this.add(num, page, 'replaced', this.diff(num)); return 'stop'; }
    const field = this.open.get(num);
    if (field !== undefined) {
      if (!sameExcept(old, v, ['V', 'AP'])) { this.add(num, page, 'replaced', dictDiff(old, v, ['V', 'AP']), field); return 'stop'; }
      if (old.get('V') !== undefined && nameOf(old.get('FT')) === 'Sig') { this.add(num, page, 'replaced', 'a signed field was signed again', field); return 'stop'; }
      const signature = nameOf(v.get('FT')) === 'Sig';
      this.filled.push({ field, old: fieldValue(old.get('V')), new: signature ? 'signed' : fieldValue(v.get('V')) });
      return { filledKeys: new Set(['V', 'AP']) };
    }
    // A DSS in the catalog; invisible signature fields in the AcroForm and on pages.
    if (num === this.root && sameExcept(old, v, ['DSS'])) return { filledKeys: new Set(['DSS']) };
    const list = v.has('Fields') && old.has('Fields') ? 'Fields' : nameOf(v.get('Type')) === 'Page' ? 'Annots' : null;
    if (list && sameExcept(old, v, [list, 'SigFlags']) && this.onlyInvisibleSignaturesAdded(old.get(list), v.get(list))) {
      return { filledKeys: new Set([list]) };
    }
    this.add(num, page, 'replaced', this.diff(num), this.fieldName(v));
    return 'stop';
  }

  private onlyInvisibleSignaturesAdded(a: PdfValue | undefined, b: PdfValue | undefined): boolean {
    if (a instanceof Ref || b instanceof Ref || !Array.isArray(b)) return false;
    const olds = (Array.isArray(a) ? a : []).map(serialize);
    if (!olds.every((x) => b.some((y) => serialize(y) === x))) return false;
    const added = b.filter((y) => !olds.includes(serialize(y)));
    return added.every((r) => r instanceof Ref && !this.before.offsets.has(r.num) && isInvisibleSignature(readObject(this.after, r.num).value));
  }

  private fieldName(v: PdfDict): string | undefined {
    const t = v.get('T');
    return t === undefined ? undefined : fieldValue(t);
  }

  private readonly objects = new Map<string, ReturnType<typeof readObject>>();

  private read(which: 'before' | 'after', num: number): ReturnType<typeof readObject> {
    const key = `${which}:${num}`;
    let o = this.objects.get(key);
    if (!o) { o = readObject(this[which], num); this.objects.set(key, o); }
    return o;
  }

  /** Same value and stream data: rewritten, not changed. */
  private same(num: number): boolean {
    const a = this.read('before', num);
    const b = this.read('after', num);
    return serialize(a.value) === serialize(b.value) && (a.stream ?? Buffer.alloc(0)).equals(b.stream ?? Buffer.alloc(0));
  }

  private diff(num: number): string {
    const a = this.read('before', num);
    const b = this.read('after', num);
    const parts: string[] = [];
    if (a.value instanceof Map && b.value instanceof Map) {
      if (serialize(a.value) !== serialize(b.value)) parts.push(dictDiff(a.value, b.value, []));
    } else parts.push(`${short(serialize(a.value))} → ${short(serialize(b.value))}`);
    if ((a.stream || b.stream) && !(a.stream ?? Buffer.alloc(0)).equals(b.stream ?? Buffer.alloc(0))) parts.push(`stream of ${a.stream?.length ?? 0} bytes → ${b.stream?.length ?? 0} bytes`);
    return parts.join('; ') || 'rewritten';
  }

  private add(object: number, page: number | undefined, what: Change['what'], detail: string, field?: string): void {
    this.changes.push({ object, ...(page !== undefined ? { page: page + 1 } : {}), ...(field !== undefined ? { field } : {}), what, detail });
  }
}

/** The fields a signature leaves open, as object numbers with their names. */
function openFields(before: PdfFile, sigAt: number | null): { num: number; name: string }[] {
  if (sigAt === null) return [];
  const fields = formFields(before);
  const own = fields.find((f) => {
    const v = f.dict.get('V');
    const off = v instanceof Ref ? before.offsets.get(v.num) : undefined;
    return off !== undefined && off < sigAt && !before.src.slice(off, sigAt).includes('endobj');
  });
  if (!own) return [];
  const sig = getDict(before, own.dict.get('V'));
  const refs = sig.get('Reference');
  let p: number | null = null;
  let fieldMdp: PdfDict | null = null;
  for (const r of Array.isArray(refs) ? refs : []) {
    if (!(r instanceof Map)) continue;
    const params = r.get('TransformParams');
    if (!(params instanceof Map)) continue;
    if (nameOf(r.get('TransformMethod')) === 'DocMDP') p = typeof params.get('P') === 'number' ? params.get('P') as number : 2;
    if (nameOf(r.get('TransformMethod')) === 'FieldMDP') fieldMdp = params;
  }
  // No declaration at all, or P=1: nothing may be filled.
  if ((p === null && !fieldMdp) || p === 1) return [];
  const listed = new Set((fieldMdp && Array.isArray(fieldMdp.get('Fields')) ? fieldMdp.get('Fields') as PdfValue[] : []).map(fieldValue));
  const action = fieldMdp ? nameOf(fieldMdp.get('Action')) : null;
  const isOpen = (name: string) => (action === 'Exclude' ? listed.has(name) : action === 'Include' ? !listed.has(name) : action !== 'All');
  return fields
    .filter((f) => f !== own && isOpen(f.name) && !(nameOf(f.dict.get('FT')) === 'Sig' && f.dict.get('V') !== undefined))
    .map((f) => ({ num: f.ref.num, name: f.name }));
}

/** Page object number → 0-based index, by an iterative walk of the page tree. */
function pageNumbers(pdf: PdfFile, out: Map<number, number>): void {
  const seen = new Set<number>();
  const stack: PdfValue[] = [getDict(pdf, pdf.trailer.get('Root')).get('Pages') ?? null];
  while (stack.length > 0 && seen.size < 100_000) {
    const node = stack.pop();
    if (!(node instanceof Ref) || seen.has(node.num)) continue;
    seen.add(node.num);
    const d = getDict(pdf, node);
    const kids = d.get('Kids');
    if (Array.isArray(kids)) stack.push(...[...kids].reverse());
    else out.set(node.num, out.size);
  }
}

function isInvisibleSignature(v: PdfValue): boolean {
  if (!(v instanceof Map) || nameOf(v.get('FT')) !== 'Sig' || nameOf(v.get('Subtype')) !== 'Widget' || v.has('Kids')) return false;
  const r = v.get('Rect');
  if (!Array.isArray(r) || r.length !== 4 || !r.every((x) => typeof x === 'number')) return false;
  const [x1, y1, x2, y2] = r as number[];
  return (x2! - x1!) * (y2! - y1!) === 0;
}

/** The references of object `num` as the xref finds it, without building its value. */
function objectRefs(pdf: PdfFile, num: number): number[] {
  const off = pdf.offsets.get(num)!;
  const head = /^(\d+)\s+\d+\s+obj/.exec(pdf.src.slice(off, off + 40));
  if (!head || Number(head[1]) !== num) throw new Error(`object ${num} not at its xref offset`);
  return scanRefs(pdf.src, off + head[0].length);
}

function refsIn(v: PdfValue | undefined, out: number[] = []): number[] {
  if (v instanceof Ref) out.push(v.num);
  else if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v instanceof Map) for (const x of v.values()) refsIn(x, out);
  return out;
}

function sameExcept(a: PdfDict, b: PdfDict, keys: string[]): boolean {
  const strip = (d: PdfDict) => serialize(new Map([...d].filter(([k]) => !keys.includes(k)).sort(([x], [y]) => x.localeCompare(y))));
  return strip(a) === strip(b);
}

/** "/Key old → new" for each key that differs (outside `ignore`). */
function dictDiff(a: PdfDict, b: PdfDict, ignore: string[]): string {
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => !ignore.includes(k)).sort();
  const show = (d: PdfDict, k: string) => (d.has(k) ? short(serialize(d.get(k)!)) : '(none)');
  const parts = keys.filter((k) => show(a, k) !== show(b, k)).map((k) => `/${k} ${show(a, k)} → ${show(b, k)}`);
  return parts.join(', ');
}

function summary(v: PdfValue): string {
  if (!(v instanceof Map)) return short(serialize(v));
  const type = nameOf(v.get('Type')) ?? nameOf(v.get('FT'));
  const sub = nameOf(v.get('Subtype'));
  return [type, sub].filter(Boolean).join(' ') || 'untyped object';
}

const short = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);

function describe(c: Change): string {
  const where = [`object ${c.object}`, c.page !== undefined ? `page ${c.page}` : '', c.field !== undefined ? `field ${c.field}` : ''].filter(Boolean).join(', ');
  return `${where}: ${c.what}: ${c.detail}`;
}
