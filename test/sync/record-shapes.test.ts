// The hand-written shapes the city's validate_doc_update checks
// (sync/record-shapes.ts) against the zod schemas the node and the PWA use:
// the same records, the same accept/reject, on the fuzz sweep's documents and
// on generated valid records with random mutations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import type { z } from 'zod';
import { DocumentRecord, EventRecord } from '../../sync/schema.js';
import { AuditRecord, BlobRecord, CrlRecord, UserRecord } from '../../sync/city-contract.js';
import { AuditShape, BlobShape, CrlShape, DocumentShape, EventShape, UserShape } from '../../sync/record-shapes.js';
import { formatProblem, type Shape } from '../../sync/shape-check.js';
import { fuzzRuleCases, WRITE_RULE_GROUPS } from '../helpers/rule-cases.js';
import { everySingleMutation, recordArbitrary, validRecords } from '../helpers/record-arbitraries.js';

const PAIRS: [string, z.ZodType, Shape][] = [
  ['document', DocumentRecord, DocumentShape], ['event', EventRecord, EventShape], ['blob', BlobRecord, BlobShape],
  ['user', UserRecord, UserShape], ['audit', AuditRecord, AuditShape], ['crl', CrlRecord, CrlShape],
];
/** The pair for a kind of record in record-arbitraries.ts. */
const pairOf = (kind: string) => PAIRS.find(([name]) => name === ({ incoming: 'document', number: 'event', chunked: 'blob' } as Record<string, string>)[kind] || name === kind)!;
/** CouchDB's bookkeeping, which the rules strip before checking a shape. */
const withoutBookkeeping = (doc: Record<string, unknown>) => Object.fromEntries(Object.entries(doc).filter(([k]) => !['_attachments', '_revisions', '_deleted', '_conflicts', '_deleted_conflicts', '_local_seq', '_revs_info'].includes(k)));

function disagreement(schema: z.ZodType, shape: Shape, doc: unknown): string | null {
  const byZod = schema.safeParse(doc);
  const byHand = shape(doc);
  if (byZod.success === (byHand === null)) return null;
  return `zod ${byZod.success ? 'accepts' : `refuses (${byZod.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`}, the hand-written shape ${byHand ? `refuses (${formatProblem(byHand)})` : 'accepts'}: ${JSON.stringify(doc).slice(0, 300)}`;
}

test('the valid record of each kind fits both its zod schema and its hand-written shape', () => {
  for (const [kind, doc] of Object.entries(validRecords('phuc-xa'))) {
    const [, schema, shape] = pairOf(kind);
    const body = withoutBookkeeping(doc);
    assert.ok(schema.safeParse(body).success, `${kind} by zod`);
    assert.is(shape(body), null, `${kind} by hand`);
  }
});

test('zod and the hand-written shapes agree on every document of the fuzz sweep and the write-rule cases', () => {
  const cases = [...fuzzRuleCases(), ...WRITE_RULE_GROUPS.flatMap((g) => g.cases)];
  const problems: string[] = [];
  let tried = 0;
  for (const { label, newDoc } of cases) {
    for (const [name, schema, shape] of PAIRS) {
      tried += 1;
      const found = disagreement(schema, shape, withoutBookkeeping(newDoc));
      if (found) problems.push(`${label} as ${name}: ${found}`);
    }
  }
  assert.equal(problems.slice(0, 5), [], `${problems.length} of ${tried} disagree`);
});

test('zod and the hand-written shapes agree on every single fault of each valid record', () => {
  const problems: string[] = [];
  let tried = 0;
  for (const [kind, doc] of Object.entries(validRecords('phuc-xa'))) {
    const [, schema, shape] = pairOf(kind);
    for (const mutated of everySingleMutation(doc)) {
      tried += 1;
      const found = disagreement(schema, shape, withoutBookkeeping(mutated));
      if (found) problems.push(`${kind}: ${found}`);
    }
  }
  assert.equal(problems.slice(0, 5), [], `${problems.length} of ${tried} disagree`);
});

test('zod and the hand-written shapes agree on generated records: fields missing, wrong types, unknown keys, blanks, bad dates, overlong strings', () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(fc.property(recordArbitrary('phuc-xa'), ({ kind, doc }) => {
    const [, schema, shape] = pairOf(kind);
    const body = withoutBookkeeping(doc);
    const found = disagreement(schema, shape, body);
    if (found) throw new Error(`${kind}: ${found}`);
    if (shape(body)) refused += 1; else accepted += 1;
  }), { seed: 20261202, numRuns: 4000 });
  // Both verdicts must be well represented, or the agreement proves little.
  assert.ok(accepted > 400 && refused > 400, `accepted ${accepted}, refused ${refused}`);
});

test('the hand-written shapes name the field at fault', () => {
  const doc = validRecords('phuc-xa')['event']!;
  const found = EventShape({ ...doc, actor: { user: '', role: 'clerk' } });
  assert.is(found && formatProblem(found), 'actor.user: must not be empty');
  const extra = DocumentShape({ ...validRecords('phuc-xa')['document'], content: { ...(validRecords('phuc-xa')['document']!['content'] as object), subject: '   ' } });
  assert.is(extra && formatProblem(extra), 'content.subject: must not be empty');
});

test.run();
