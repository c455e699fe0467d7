// How a document's body and its nơi nhận are set under Decree 30/2020
// (Appendix I): the basis lines ("Căn cứ …") in italics, the operative word
// of a decision ("QUYẾT ĐỊNH:") bold and centred on its own line, each article
// opening with "Điều N." in bold; recipients one per line, each ending with
// ";" and the last with ".". Authors type these loosely, so the shapes are
// recognised and normalised here, once, for the renderer and the app.

export type BodyParagraph =
  | { kind: 'basis'; text: string }
  | { kind: 'operative'; text: string }
  | { kind: 'article'; label: string; text: string }
  | { kind: 'plain'; text: string };

/** The words a Decree 30 text sets alone, bold and centred, before its articles. */
const OPERATIVE = /^(quyết định|quyết nghị)\s*:?$/iu;
const ARTICLE = /^(Điều\s+\d+[a-z]?)\s*[.:]\s*/u;
const BASIS = /^(căn cứ|xét đề nghị|theo đề nghị)(?=[\s:,]|$)/iu;

export function bodyParagraphs(body: string): BodyParagraph[] {
  return body.split(/\n\s*\n|\n/).map((p) => p.trim()).filter(Boolean).map((text): BodyParagraph => {
    if (OPERATIVE.test(text)) return { kind: 'operative', text: `${text.replace(/\s*:?$/u, '').toLocaleUpperCase('vi')}:` };
    const article = ARTICLE.exec(text);
    if (article) return { kind: 'article', label: `${article[1]!.replace(/\s+/gu, ' ')}.`, text: text.slice(article[0].length) };
    if (BASIS.test(text)) return { kind: 'basis', text };
    return { kind: 'plain', text };
  });
}

/** "- name;" lines, the last ending with "."; whatever punctuation the author typed at the ends is replaced, not doubled. */
export function recipientLines(names: readonly string[]): string[] {
  const clean = names.map((n) => n.trim().replace(/^[-–•+*]\s*/u, '').replace(/[\s;,.]+$/u, '')).filter(Boolean);
  return clean.map((n, i) => `- ${n}${i === clean.length - 1 ? '.' : ';'}`);
}
