// The design document exactly as `city init` installs it (wardDesignDoc),
// its validate_doc_update compiled and called in a couchjs-like QuickJS
// context (test/helpers/couchjs-sandbox.ts: no BigInt, Promise, Proxy, typed
// arrays, Intl, nor built-ins newer than ES2015), over every write-rule case
// (write-rules.test.ts, the fuzz sweep) and generated writes: its verdict must
// be Node's checkWrite verdict, message included. A real CouchDB 3.4 (QuickJS)
// answered every ward write with 500 while the rules bundled zod.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { checkWrite, type UserCtx, type WriteVerdict } from '../../sync/write-rules.js';
import { assertCouchjsSafe, wardDesignDoc } from '../../sync/validate-doc-update.js';
import { asCouchJson, couchjsSandbox, type Sandbox, type SandboxVerdict } from '../helpers/couchjs-sandbox.js';
import { FUZZ_WARD, WRITE_RULE_GROUPS, fuzzRuleCases, type RuleCase } from '../helpers/rule-cases.js';
import { recordArbitrary, validRecords } from '../helpers/record-arbitraries.js';

type Doc = Record<string, unknown> & { _id: string };
const sandboxes = new Map<string, Sandbox>();
test.after(() => {
  // A context whose rules threw mid-way (the old zod bundle did) can leave QuickJS objects behind, and
  // freeing such a runtime aborts: that must not hide the verdicts the tests reported.
  for (const s of sandboxes.values()) { try { s.dispose(); } catch { /* the process ends anyway */ } }
});

/** One sandbox per ward: the ward's code is part of its design document. */
async function sandboxFor(ward: string): Promise<Sandbox> {
  let sandbox = sandboxes.get(ward);
  if (!sandbox) { sandbox = await couchjsSandbox((await wardDesignDoc(ward)).validate_doc_update); sandboxes.set(ward, sandbox); }
  return sandbox;
}

/** Node's verdict on the documents as the sandbox receives them (JSON, as CouchDB hands them over). */
function nodeVerdict(c: Pick<RuleCase, 'newDoc' | 'oldDoc' | 'userCtx' | 'ward'>): WriteVerdict | { crash: string } {
  const { newDoc, oldDoc, userCtx } = JSON.parse(asCouchJson({ newDoc: c.newDoc, oldDoc: c.oldDoc, userCtx: c.userCtx })) as { newDoc: Doc; oldDoc: Doc | null; userCtx: UserCtx };
  try { return checkWrite(newDoc, oldDoc, userCtx, c.ward); } catch (err) { return { crash: String(err) }; }
}

async function compare(cases: RuleCase[]): Promise<string[]> {
  const differences: string[] = [];
  for (const c of cases) {
    const inSandbox: SandboxVerdict = (await sandboxFor(c.ward)).validate(c.newDoc, c.oldDoc, c.userCtx);
    const inNode = nodeVerdict(c);
    if (JSON.stringify(inSandbox) !== JSON.stringify(inNode)) differences.push(`${c.label}: couchjs ${JSON.stringify(inSandbox).slice(0, 300)}, node ${JSON.stringify(inNode).slice(0, 300)}`);
  }
  return differences;
}

test('the sandbox lacks what couchjs lacks', async () => {
  const sandbox = await sandboxFor(FUZZ_WARD);
  assert.equal(sandbox.present(['BigInt', 'Promise', 'Proxy', 'Reflect', 'Intl', 'Uint8Array', 'ArrayBuffer', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry']), []);
  assert.equal(sandbox.present(['Object', 'Array', 'String', 'Number', 'Boolean', 'Math', 'JSON', 'RegExp', 'Map', 'Set', 'Date', 'Error', 'TypeError', 'eval']).length, 14);
});

test('the rules build refuses a bundle that relies on what couchjs lacks, and the rules stay small', async () => {
  for (const bad of ['var x = BigInt(1);', 'var x = 10n;', 'new Promise(function () {})', 'async function f() {}', 'function* g() {}', 'new Uint8Array(2)', 'new Proxy({}, {})', 'Reflect.ownKeys(o)', 'new Intl.Collator()', 'a.includes(b)', "s.padStart(6, '0')", 'Object.entries(o)']) {
    assert.throws(() => assertCouchjsSafe(bad), /couchjs lacks/, bad);
  }
  assertCouchjsSafe('var ok = [1].indexOf(1) >= 0 && "x".startsWith("x");');
  const size = (await wardDesignDoc(FUZZ_WARD)).validate_doc_update.length;
  assert.ok(size < 32 * 1024, `validate_doc_update is ${size} characters: has zod crept back in?`);
});

test('the installed validate_doc_update gives Node\'s verdict, message included, on every hand-picked write-rule case', async () => {
  const cases = WRITE_RULE_GROUPS.flatMap((g) => g.cases);
  assert.equal(await compare(cases), []);
  // And the verdicts are the expected ones, not merely the same.
  for (const c of cases) {
    const verdict = (await sandboxFor(c.ward)).validate(c.newDoc, c.oldDoc, c.userCtx);
    assert.is('ok' in verdict && verdict.ok, c.expect === 'ok', c.label);
  }
});

test('the installed validate_doc_update gives Node\'s verdict on every document of the fuzz sweep', async () => {
  const cases = fuzzRuleCases();
  const differences = await compare(cases);
  assert.equal(differences.slice(0, 5), [], `${differences.length} of ${cases.length} differ`);
});

test('the installed validate_doc_update gives Node\'s verdict on generated writes: valid and mutated records, by the ward, another ward or the city, new or over an old revision', async () => {
  const ward = 'phuc-xa';
  const sandbox = await sandboxFor(ward);
  const users: UserCtx[] = [{ name: `ward-${ward}`, roles: [] }, { name: 'ward-cong-vi', roles: [] }, { name: 'cityadmin', roles: ['_admin'] }, { name: 'hub', roles: ['city'] }, { name: null, roles: null }];
  const write = fc.record({
    record: recordArbitrary(ward),
    user: fc.constantFrom(...users),
    old: fc.constantFrom('none', 'same', 'sealed', 'deleted', 'valid'),
    origin: fc.boolean(),
  });
  const valid = validRecords(ward);
  let forbidden = 0;
  fc.assert(fc.property(write, ({ record, user, old, origin }) => {
    // CouchDB refuses a non-string _id before any validate_doc_update runs.
    const newDoc: Doc = { ...record.doc, _id: String(record.doc._id), ...(origin ? { origin: 'city' } : {}) };
    const oldDoc = old === 'none' ? null : old === 'same' ? { ...newDoc, _rev: '1-a' } : old === 'sealed' ? { ...newDoc, _rev: '1-a', sealed: true } : old === 'deleted' ? { _id: newDoc._id, _rev: '2-a', _deleted: true } : { ...valid[record.kind]!, _rev: '1-a' };
    const c = { label: record.kind, newDoc, oldDoc, userCtx: user, ward };
    const inSandbox = sandbox.validate(newDoc, oldDoc, user);
    const inNode = nodeVerdict(c);
    if ('ok' in inSandbox && !inSandbox.ok) forbidden += 1;
    assert.equal(inSandbox, inNode);
  }), { seed: 20261203, numRuns: 1500 });
  assert.ok(forbidden > 100 && forbidden < 1450, `${forbidden} of 1500 forbidden: both verdicts must be tried`);
});

test.run();
