// Text a person types is plain text: no NUL or other control characters (they
// cut strings in C tools, and terminal escapes rewrite what an admin sees in a
// log or CSV), and no bidirectional overrides or isolates (U+202A–U+202E,
// U+2066–U+2069), which make a subject or file name read differently from its
// bytes ("Trojan Source", CVE-2021-42574). Multi-line fields keep tab and line
// breaks. Checked at input, by the node and the PWA: the stored shapes (and the
// city's hand-written mirror, record-shapes.ts) stay as they are, so records
// already replicated still validate.
import type { z } from 'zod';

/** Control characters (C0, DEL, C1) and bidi embedding/override/isolate controls. */
const FORBIDDEN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** The same, but tab, line feed and carriage return are allowed. */
const FORBIDDEN_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The reason code the bilingual message in validation.ts keys on. */
export const CONTROL_CHARACTER = 'control_character';

/** Does `text` hold a character a person's text may not (tab and line breaks allowed when `multiline`)? */
export function hasForbiddenCharacter(text: string, multiline = false): boolean {
  return (multiline ? FORBIDDEN_MULTILINE : FORBIDDEN_LINE).test(text);
}

/**
 * A check for a parsed object: every string in it, at any depth, is plain
 * text; the fields named in `multiline` (top-level keys) may hold line breaks.
 */
export function plainTextCheck(multiline: readonly string[] = []) {
  return (value: unknown, ctx: z.RefinementCtx): void => {
    const stack: [unknown, (string | number)[]][] = [[value, []]];
    while (stack.length > 0) {
      const [v, path] = stack.pop()!;
      if (typeof v === 'string') {
        if (hasForbiddenCharacter(v, path.length === 1 && multiline.includes(String(path[0])))) {
          ctx.addIssue({ code: 'custom', path, message: 'control or bidi-override character', params: { reason: CONTROL_CHARACTER } });
        }
      } else if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, [...path, i]]));
      else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) stack.push([item, [...path, k]]);
    }
  };
}
