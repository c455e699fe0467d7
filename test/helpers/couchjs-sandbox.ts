// A stand-in for CouchDB's couchjs (QuickJS): a QuickJS context (npm
// quickjs-emscripten) with only what couchjs gives a design document — base
// objects, eval, JSON, RegExp, Map/Set and Date — and none of BigInt,
// Promise, Proxy, typed arrays or Intl. Built-ins newer than ES2015 are
// deleted too, so the rules are also held to what a SpiderMonkey-era engine
// offers. A validate_doc_update is compiled from its source, as couchjs does,
// and called with (newDoc, oldDoc, userCtx, secObj); documents cross as JSON,
// as CouchDB hands them over.
import { getQuickJS, type QuickJSContext } from 'quickjs-emscripten';

export type SandboxVerdict = { ok: true } | { ok: false; forbidden: string } | { crash: string };

/** Globals deleted before the design document is evaluated (some are absent already without their intrinsic). */
const MISSING_GLOBALS = ['BigInt', 'Promise', 'Proxy', 'Reflect', 'Intl', 'WeakRef', 'FinalizationRegistry', 'Atomics', 'SharedArrayBuffer', 'ArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'queueMicrotask', 'setTimeout', 'console'];
/** [object, methods] newer than ES2015. */
const NEWER_THAN_ES2015: [string, string[]][] = [
  ['Object', ['entries', 'values', 'fromEntries', 'getOwnPropertyDescriptors', 'hasOwn', 'groupBy']],
  ['Array.prototype', ['includes', 'flat', 'flatMap', 'at', 'findLast', 'findLastIndex', 'toSorted', 'toReversed', 'with']],
  ['String.prototype', ['padStart', 'padEnd', 'trimStart', 'trimEnd', 'matchAll', 'replaceAll', 'at', 'isWellFormed', 'toWellFormed']],
];

const PRELUDE = `(function (g) {
  var names = ${JSON.stringify(MISSING_GLOBALS)};
  for (var i = 0; i < names.length; i += 1) delete g[names[i]];
  var newer = ${JSON.stringify(NEWER_THAN_ES2015)};
  for (var j = 0; j < newer.length; j += 1) {
    var target = eval(newer[j][0]);
    for (var k = 0; k < newer[j][1].length; k += 1) delete target[newer[j][1][k]];
  }
})(this);`;

const CALL = `(function (fn, json) {
  var c = JSON.parse(json);
  try { fn(c.newDoc, c.oldDoc, c.userCtx, { admins: { names: [], roles: ['_admin'] }, members: { names: [], roles: [] } }); return JSON.stringify({ ok: true }); }
  catch (e) {
    if (e && typeof e === 'object' && typeof e.forbidden === 'string') return JSON.stringify({ ok: false, forbidden: e.forbidden });
    return JSON.stringify({ crash: String(e) });
  }
})`;

export interface Sandbox {
  /** What the compiled validate_doc_update says of this write. */
  validate(newDoc: unknown, oldDoc: unknown, userCtx: unknown): SandboxVerdict;
  /** The names in `names` the sandbox's global object still has (to prove the deletions). */
  present(names: readonly string[]): string[];
  dispose(): void;
}

/** Documents as CouchDB would hand them: JSON, with bytes (the embedded server's attachment PUTs) as base64. */
export function asCouchJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return Buffer.from((v as { data: number[] }).data).toString('base64');
    return v;
  });
}

/** A couchjs-like context with `validateDocUpdate` (the design document's source) compiled in it. */
export async function couchjsSandbox(validateDocUpdate: string): Promise<Sandbox> {
  const quickjs = await getQuickJS();
  const vm: QuickJSContext = quickjs.newContext({ intrinsics: { BaseObjects: true, Date: true, Eval: true, RegExp: true, JSON: true, MapSet: true } });
  const run = (code: string) => vm.unwrapResult(vm.evalCode(code));
  run(PRELUDE).dispose();
  const source = vm.newString(validateDocUpdate);
  vm.setProp(vm.global, '__source', source);
  source.dispose();
  // couchjs compiles a design document's function from its source text.
  const fn = run('(0, eval)("(" + __source + ")")');
  const call = run(CALL);
  return {
    validate(newDoc, oldDoc, userCtx) {
      const json = vm.newString(asCouchJson({ newDoc, oldDoc, userCtx }));
      const result = vm.unwrapResult(vm.callFunction(call, vm.undefined, fn, json));
      json.dispose();
      const text = vm.getString(result);
      result.dispose();
      return JSON.parse(text) as SandboxVerdict;
    },
    present(names) {
      const probe = run(`JSON.stringify(${JSON.stringify(names)}.filter(function (n) { return typeof this[n] !== 'undefined'; }, this))`);
      const text = vm.getString(probe);
      probe.dispose();
      return JSON.parse(text) as string[];
    },
    dispose() { fn.dispose(); call.dispose(); vm.dispose(); },
  };
}
