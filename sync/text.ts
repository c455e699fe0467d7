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

/**
 * A word of a query. Officials who bother to type the marks mean them: "dời"
 * (move) must not find "đổi" (change), while "doi" still finds both. So a
 * word written with marks matches the accented text exactly; one without
 * marks matches the folded text.
 */
export interface QueryWord { term: string; exact: boolean }

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

/** The query's words: accented ones kept as typed (lower case, NFC), the rest folded. */
export function queryWords(input: string): QueryWord[] {
  const out: QueryWord[] = [];
  for (const token of accentedTokens(input)) {
    const folded = searchTerms(token);
    if (folded.length === 1 && folded[0] !== token) out.push({ term: token, exact: true });
    else for (const term of folded) out.push({ term, exact: false });
  }
  return out;
}

/** The text's accented words (lower case, NFC): what an accented query word is matched against. */
export function accentedTerms(input: string): string[] {
  return accentedTokens(input).filter(isAccentedWord);
}

/**
 * A language has few words and a ward's texts repeat them: remembering the
 * answer per word spares a Unicode normalisation for each of the ~300 words
 * of every document the node indexes (the bulk of a rebuild's CPU).
 */
const accentedWords = new Map<string, boolean>();
function isAccentedWord(token: string): boolean {
  let accented = accentedWords.get(token);
  if (accented === undefined) {
    const f = searchTerms(token);
    accented = f.length === 1 && f[0] !== token;
    if (accentedWords.size < 100_000) accentedWords.set(token, accented);
  }
  return accented;
}

/** Lower-cased NFC text, for substring matching of accented query words. */
export function accentedText(input: string): string {
  return input.normalize('NFC').toLowerCase();
}

function accentedTokens(input: string): string[] {
  return accentedText(input).split(WORD_SPLIT).filter((t) => t.length > 0);
}
