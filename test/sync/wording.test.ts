// The words officials read, checked across every source file that carries
// them: one convention for tone marks (the traditional placement that Decree
// 30's own national title uses, "HÒA", so "khóa", "xóa", "thủy", not "khoá",
// "xoá", "thuỷ"), "máy chủ phường" for the ward's server (officials never
// called it a "nút"), and no Vietnamese label used for two different things
// in the app's catalogue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['pwa/src', 'sync', 'node', 'certs'];
/** oa, oe, uy closing a syllable with the mark on the second vowel; "qu" is a consonant, so "quý" is right. */
const NEW_STYLE_TONE = /\p{L}*(?<![qQ])(o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?!\p{L})/gu;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fonts' ? [] : sources(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

function findAll(pattern: RegExp): string[] {
  return ROOTS.flatMap(sources).flatMap((file) => readFileSync(file, 'utf8').split('\n')
    .flatMap((line, i) => [...line.matchAll(pattern)].map((m) => `${file}:${i + 1}: ${m[0]}`)));
}

test('tone marks sit where Decree 30\'s own text puts them: "khóa", "hóa", "xóa", "hủy", "tùy", never "khoá", "hoá", "xoá", "huỷ", "tuỳ"', () => {
  assert.equal(['khoá sổ', 'đã xoá', 'thuỷ lợi', 'quý', 'khóa', 'hoàn'].map((w) => w.match(NEW_STYLE_TONE)?.[0] ?? ''), ['khoá', 'xoá', 'thuỷ', '', '', ''], 'the check itself');
  assert.equal(findAll(NEW_STYLE_TONE), []);
});

test('the ward\'s server is "máy chủ phường" everywhere, never "nút phường"', () => {
  assert.equal(findAll(/[Nn]út phường/gu), []);
});

test('no Vietnamese label in the app\'s catalogue means two different things', () => {
  const catalogue = readFileSync('pwa/src/i18n.ts', 'utf8');
  const labels = new Map<string, string[]>();
  for (const m of catalogue.matchAll(/^\s+(\w+): \['([^']{1,40})', '([^']*)'\]/gmu)) {
    const [, key, vi, en] = m as unknown as [string, string, string, string];
    const meanings = labels.get(vi) ?? [];
    const sense = en.toLowerCase().replace(/s$/u, '');
    if (!meanings.some((m) => m.toLowerCase().replace(/s$/u, '') === sense)) meanings.push(en);
    labels.set(vi, meanings);
    void key;
  }
  const ambiguous = [...labels].filter(([, en]) => en.length > 1).map(([vi, en]) => `${vi} = ${en.join(' / ')}`);
  assert.equal(ambiguous, []);
});

test.run();
