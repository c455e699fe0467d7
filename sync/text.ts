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
  return piecewise(input, 'folded');
}

function foldedTerms(input: string): string[] {
  return foldVietnamese(input).split(/[^a-z0-9]+/).filter((t) => t.length > 0);
}

/**
 * Indexing a ward's documents is mostly working out these terms (a rebuild
 * of 200,000 documents spent ~22 of its ~56 s normalising and splitting
 * 2,000-character bodies). A body is long but made of few distinct pieces —
 * Vietnamese writes each syllable apart — so the terms are worked out per
 * whitespace-separated piece and remembered. The answer is the same as for
 * the whole text: whitespace is a separator after folding; normalisation
 * (NFD, NFC) never joins or reorders across it, as it is a starter with no
 * composition; lower-casing reads no context across it that could give a
 * letter or digit. (test/sync/text-and-numbers.test.ts checks both ways
 * agree on a corpus.)
 */
const PIECES_KEPT = 30_000;
const pieces = new Map<string, { folded: string[]; accented: string[] }>();
const WHITESPACE = /\s+/;

/** The last text's pieces: the index asks for its folded and then its accented terms, one after the other. */
let last: { input: string; terms: { folded: string[]; accented: string[] }[] } = { input: '', terms: [] };

function piecewise(input: string, kind: 'folded' | 'accented'): string[] {
  if (last.input !== input) last = { input, terms: termsOfPieces(input) };
  const out: string[] = [];
  for (const terms of last.terms) for (const t of terms[kind]) out.push(t);
  return out;
}

function termsOfPieces(input: string): { folded: string[]; accented: string[] }[] {
  const out: { folded: string[]; accented: string[] }[] = [];
  for (const piece of input.split(WHITESPACE)) {
    if (piece.length === 0) continue;
    let terms = pieces.get(piece);
    if (terms === undefined) {
      terms = { folded: foldedTerms(piece), accented: accentedTokens(piece).filter(isAccentedWord) };
      // A bound on memory: a node indexes for years; the common pieces come back within a few documents.
      if (pieces.size >= PIECES_KEPT) pieces.clear();
      pieces.set(piece, terms);
    }
    out.push(terms);
  }
  return out;
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
  return piecewise(input, 'accented');
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
    const f = foldedTerms(token);
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
