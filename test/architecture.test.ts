// Holds the line on module direction: sync/ and certs/ know nothing of the
// node or the PWA, and sync/ stays free of Node-only imports so the PWA and
// the city's validate_doc_update can run it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  const abs = join(root, dir);
  try { statSync(abs); } catch { return []; }
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return sources(relative(root, p));
    return name.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
}

test('sync/ and certs/ never import node/ or pwa/', () => {
  for (const file of [...sources('sync'), ...sources('certs')]) {
    for (const spec of imports(file)) {
      assert.not.match(spec, /(^|\/)(node|pwa)\//, `${relative(root, file)} imports ${spec}`);
    }
  }
});

test('sync/ uses no Node-only module, so browsers and CouchDB can run it', () => {
  for (const file of sources('sync')) {
    for (const spec of imports(file)) {
      assert.not.match(spec, /^node:|^(fs|path|crypto|os|child_process|http|https|net)$/, `${relative(root, file)} imports ${spec}`);
    }
  }
});

test('the check sees imports at all (a guard against a silently empty scan)', () => {
  assert.ok(sources('sync').length >= 5);
  assert.ok(imports(join(root, 'sync/workflow.ts')).includes('./schema.js'));
});

test.run();
