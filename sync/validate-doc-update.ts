// Builds the city's `validate_doc_update` from write-rules.ts: esbuild bundles
// the rules with zod into one ES2017 IIFE, wrapped in the function CouchDB
// calls, which throws `{forbidden: msg}` as CouchDB requires. The bundle is
// evaluated once per JavaScript process (couchjs, or the embedded server's
// Node process) and kept under a versioned global name, because building the
// zod schemas on every write would cost milliseconds per document.
//
// Build-time only: esbuild is a devDependency, loaded lazily so importing this
// module costs nothing where no design document is built.
import { DESIGN_DOC_ID, INBOX_SELECTOR, RULES_VERSION, WARD_CODE } from './city-contract.js';

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
      target: 'es2017', platform: 'neutral', minify: true, legalComments: 'none', charset: 'utf8',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    const file = out.outputFiles[0];
    if (!file) throw new Error('esbuild produced no output for the write rules');
    return file.text;
  })();
  return cached;
}

/** CouchDB's validate_doc_update source for the database of `wardCode`. */
export async function validateDocUpdateSource(wardCode: string): Promise<string> {
  if (!WARD_CODE.test(wardCode)) throw new Error(`not a ward code: ${wardCode}`);
  const bundle = await bundleRules();
  const key = `__warddesk_rules_v${RULES_VERSION}_${simpleHash(bundle)}`;
  return `function (newDoc, oldDoc, userCtx, secObj) {
  // Compiled once per process and kept on the global object: the bundle is large,
  // and a strict-mode evaluator gives no global through "this" (pouchdb-validation
  // then re-ran the whole bundle for every document: ~20 ms each).
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
