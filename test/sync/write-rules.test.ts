// The city's write rules as pure functions, and the same rules as the bundled
// validate_doc_update evaluated in a bare JavaScript context (no Node globals).
// test/sync/couchjs-sandbox.test.ts runs them where couchjs's globals are missing too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createContext, runInContext } from 'node:vm';
import { checkWrite } from '../../sync/write-rules.js';
import { validateDocUpdateSource } from '../../sync/validate-doc-update.js';
import { WARD, WRITE_RULE_GROUPS, event, numberEvent, record } from '../helpers/rule-cases.js';

// The cases are data (test/helpers/rule-cases.ts), so the couchjs sandbox test runs the very same list.
for (const { title, cases } of WRITE_RULE_GROUPS) {
  test(title, () => {
    for (const { label, newDoc, oldDoc, userCtx, ward, expect } of cases) {
      const verdict = checkWrite(newDoc, oldDoc, userCtx, ward);
      if (expect === 'ok') { assert.equal(verdict, { ok: true }, label); continue; }
      assert.equal(verdict.ok, false, label);
      if (!verdict.ok && expect instanceof RegExp) assert.match(verdict.forbidden, expect, label);
    }
  });
}

const ward = { name: 'ward-phuc-xa', roles: [] };

test('the bundled validate_doc_update runs in a bare context and throws {forbidden}', async () => {
  const source = await validateDocUpdateSource(WARD);
  const fn = runInContext(`(${source})`, createContext({})) as (n: unknown, o: unknown, u: unknown, s: unknown) => void;
  fn(record(), null, ward, {});
  fn(numberEvent(1), null, ward, {});
  let thrown: unknown = null;
  try { fn(event({ comment: 'x' }), event({ _rev: '1-a' }), ward, {}); } catch (err) { thrown = err; }
  assert.ok(thrown && typeof thrown === 'object' && 'forbidden' in thrown, 'throws an object with forbidden');
  assert.match(String((thrown as { forbidden: string }).forbidden), /written once/);
  assert.throws(() => fn(record({ ward: 'cong-vi' }), null, ward, {}));
});

test.run();
