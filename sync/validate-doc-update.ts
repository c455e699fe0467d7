// Builds the city's `validate_doc_update` from write-rules.ts: esbuild bundles
// the rules into one ES2015 IIFE, wrapped in the function CouchDB calls, which
// throws `{forbidden: msg}` as CouchDB requires. couchjs (CouchDB 3.4's
// QuickJS, or SpiderMonkey) gives base objects, eval, JSON, RegExp, Map/Set
// and Date only, so the build fails if the bundle names anything else it
// relies on (BigInt, Promise, Proxy, Intl, typed arrays, async functions,
// generators) or a built-in newer than ES2015. The rules once bundled zod
// (~400 KB, BigInt and Promise inside: a real CouchDB answered every ward
// write with 500); record-shapes.ts now checks the shapes by hand. The bundle
// is evaluated once per JavaScript process and kept under a versioned global
// name, so a write costs one call, not a compile.
//
// Build-time only: esbuild is a devDependency, loaded lazily so importing this
// module costs nothing where no design document is built.
import { DESIGN_DOC_ID, INBOX_SELECTOR, RULES_VERSION, WARD_CODE } from './city-names.js';

const ENTRY = `import { checkWrite } from './write-rules.js'; export { checkWrite };`;

let cached: Promise<string> | null = null;

/** The bundled rules as a script that defines `__warddeskRules` (an object with checkWrite). */
export function bundleRules(): Promise<string> {
  cached ??= (async () => {
    const esbuild = await import('esbuild');
    // This module's own folder: write-rules.ts (from source, via tsx) or .js (from dist/).
    const resolveDir = decodeURIComponent(new URL('.', import.meta.url).pathname);
    const out = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir, loader: 'ts', sourcefile: 'warddesk-rules-entry.ts' },
      bundle: true, write: false, format: 'iife', globalName: '__warddeskRules',
      target: 'es2015', platform: 'neutral', minify: true, legalComments: 'none', charset: 'utf8',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const file = out.outputFiles[0];
    if (!file) throw new Error('esbuild produced no output for the write rules');
    assertCouchjsSafe(file.text);
    return file.text;
  })();
  return cached;
}

/**
 * What couchjs lacks, or what an ES2015 engine lacks, as the bundle would name
 * it. A word inside a message would trip this too: better a false alarm at
 * build time than a 500 on every write at the city.
 */
const NOT_IN_COUCHJS: readonly [RegExp, string][] = [
  [/\bBigInt\b|\b\d+n\b/, 'BigInt'],
  [/\bPromise\b/, 'Promise'],
  [/\bProxy\b/, 'Proxy'],
  [/\bReflect\b/, 'Reflect'],
  [/\bIntl\b|\.toLocale\w*\(/, 'Intl (or a locale-dependent method)'],
  [/\b(?:Ui|I)nt(?:8|16|32)Array\b|\bUint8ClampedArray\b|\bFloat(?:32|64)Array\b|\bBig(?:Ui|I)nt64Array\b|\b(?:Shared)?ArrayBuffer\b|\bDataView\b|\bAtomics\b/, 'typed arrays'],
  [/\bWeakRef\b|\bFinalizationRegistry\b/, 'WeakRef'],
  [/\basync\b|\bawait\b/, 'async functions'],
  [/function\s*\*|\byield\b/, 'generators'],
  [/\.(?:includes|padStart|padEnd|flat|flatMap|trimStart|trimEnd|replaceAll|matchAll|at)\(|\bObject\.(?:entries|values|fromEntries|getOwnPropertyDescriptors|hasOwn)\b/, 'built-ins newer than ES2015'],
];

/** Throws, naming what it found, when the rules bundle relies on something couchjs lacks. */
export function assertCouchjsSafe(bundle: string): void {
  const found = NOT_IN_COUCHJS.filter(([pattern]) => pattern.test(bundle)).map(([pattern, name]) => `${name} (${bundle.match(pattern)?.[0] ?? ''})`);
  if (found.length > 0) throw new Error(`the write rules bundle uses what CouchDB's couchjs lacks: ${found.join(', ')}; keep zod and modern built-ins out of sync/write-rules.ts and what it imports`);
}

/** CouchDB's validate_doc_update source for the database of `wardCode`. */
export async function validateDocUpdateSource(wardCode: string): Promise<string> {
  if (!WARD_CODE.test(wardCode)) throw new Error(`not a ward code: ${wardCode}`);
  const bundle = await bundleRules();
  const key = `__warddesk_rules_v${RULES_VERSION}_${simpleHash(bundle)}`;
  return `function (newDoc, oldDoc, userCtx, secObj) {
  // Compiled once per process and kept on the global object: a strict-mode
  // evaluator gives no global through "this" (pouchdb-validation then re-ran
  // the whole bundle for every document).
  var root = typeof globalThis === 'object' && globalThis ? globalThis : ((function () { return this; })() || {});
  var rules = root[${JSON.stringify(key)}];
  if (!rules) {
    ${bundle}
    rules = __warddeskRules;
    try { root[${JSON.stringify(key)}] = rules; } catch (e) { /* a frozen global: evaluate per call */ }
  }
  var verdict = rules.checkWrite(newDoc, oldDoc, userCtx || {}, ${JSON.stringify(wardCode)});
  if (!verdict.ok) { throw ({ forbidden: verdict.forbidden }); }
}`;
}

/** The design document `city init` installs in each ward database. */
export async function wardDesignDoc(wardCode: string): Promise<{ _id: string; language: 'javascript'; rulesVersion: number; ward: string; inboxSelector: typeof INBOX_SELECTOR; validate_doc_update: string }> {
  return {
    _id: DESIGN_DOC_ID, language: 'javascript', rulesVersion: RULES_VERSION, ward: wardCode, inboxSelector: INBOX_SELECTOR,
    validate_doc_update: await validateDocUpdateSource(wardCode),
  };
}

/** A short stable tag of the bundle (FNV-1a), so a changed bundle never reuses an old cached copy. */
function simpleHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16);
}
