// Vietnamese search folding: officials type without accents on phones and
// keyboards without Telex, so "quyet dinh" must find "Quyết định". NFD splits
// the tone and vowel marks off the base letters; đ/Đ has no decomposition and
// is mapped by hand.

const COMBINING_MARKS = /[\u0300-\u036f]/g;

export function foldVietnamese(input: string): string {
  return input
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** Splits folded text into search terms; keeps number/symbol pieces like "12/qd-ubnd" searchable by part. */
export function searchTerms(input: string): string[] {
  return foldVietnamese(input).split(/[^a-z0-9]+/).filter((t) => t.length > 0);
}
