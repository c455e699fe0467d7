// Text in appearance streams added after signing (the clerk's number and
// date, the attachment stamp) needs Vietnamese glyphs, so the font is embedded
// as a TrueType subset (Type0 / CIDFontType2, Identity-H) with a ToUnicode map
// so text extractors read it back. fontkit (pdfkit's own font engine) lays the
// text out and makes the subset; the PDF objects around it are written here
// because pdfkit cannot add to an existing file.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import { dict, name, type Ref } from './pdf-objects.js';
import type { IncrementalUpdate } from './pdf-file.js';

export interface EmbeddedFont {
  ref: Ref;
  /** Hex-encoded glyph string for a Tj operator, and the text's width at `size`. */
  show(text: string, size: number): { hex: string; width: number };
}

// @types/fontkit says includeGlyph returns boolean; fontkit 2 returns the glyph's id in the subset.
type Subset = { includeGlyph(g: fontkit.Glyph): number; encode(): Uint8Array };

/** Embeds the subset of `fontFile` needed for every string in `texts`. */
export function embedFont(update: IncrementalUpdate, fontFile: string, texts: string[]): EmbeddedFont {
  const font = fontkit.create(readFileSync(fontFile)) as fontkit.Font;
  const subset = font.createSubset() as unknown as Subset;
  const cids = new Map<number, { cid: number; width: number; unicode: number[] }>();
  for (const t of texts) {
    const run = font.layout(t);
    run.glyphs.forEach((g) => {
      if (!cids.has(g.id)) cids.set(g.id, { cid: subset.includeGlyph(g), width: Math.round((g.advanceWidth * 1000) / font.unitsPerEm), unicode: g.codePoints });
    });
  }
  const ttf = Buffer.from(subset.encode());
  const fontFileRef = update.add(dict({ Length1: ttf.length, Filter: name('FlateDecode') }), deflateSync(ttf));
  const scale = 1000 / font.unitsPerEm;
  const descriptor = update.add(dict({
    Type: name('FontDescriptor'), FontName: name(`WDSUBS+${font.postscriptName}`), Flags: 4,
    FontBBox: [font.bbox.minX * scale, font.bbox.minY * scale, font.bbox.maxX * scale, font.bbox.maxY * scale].map(Math.round),
    ItalicAngle: font.italicAngle, Ascent: Math.round(font.ascent * scale), Descent: Math.round(font.descent * scale),
    CapHeight: Math.round((font.capHeight || font.ascent) * scale), StemV: 80, FontFile2: fontFileRef,
  }));
  const entries = [...cids.values()].sort((a, b) => a.cid - b.cid);
  const cidFont = update.add(dict({
    Type: name('Font'), Subtype: name('CIDFontType2'), BaseFont: name(`WDSUBS+${font.postscriptName}`),
    CIDSystemInfo: dict({ Registry: 'Adobe', Ordering: 'Identity', Supplement: 0 }), FontDescriptor: descriptor,
    W: entries.flatMap((e) => [e.cid, [e.width]]), CIDToGIDMap: name('Identity'),
  }));
  const toUnicode = update.add(dict({ Filter: name('FlateDecode') }), deflateSync(Buffer.from(cmap(entries), 'latin1')));
  const ref = update.add(dict({ Type: name('Font'), Subtype: name('Type0'), BaseFont: name(`WDSUBS+${font.postscriptName}`), Encoding: name('Identity-H'), DescendantFonts: [cidFont], ToUnicode: toUnicode }));
  return {
    ref,
    show(text, size) {
      const run = font.layout(text);
      const hex = run.glyphs.map((g) => cids.get(g.id)!.cid.toString(16).padStart(4, '0')).join('');
      const width = run.glyphs.reduce((w, g) => w + cids.get(g.id)!.width, 0) * size / 1000;
      return { hex, width };
    },
  };
}

function cmap(entries: { cid: number; unicode: number[] }[]): string {
  const hex4 = (n: number) => n.toString(16).padStart(4, '0');
  const utf16 = (cps: number[]) => Buffer.from(String.fromCodePoint(...cps), 'utf16le').swap16().toString('hex');
  const lines = entries.filter((e) => e.unicode.length > 0).map((e) => `<${hex4(e.cid)}> <${utf16(e.unicode)}>`);
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 100) chunks.push(`${Math.min(100, lines.length - i)} beginbfchar\n${lines.slice(i, i + 100).join('\n')}\nendbfchar`);
  return `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n${chunks.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n`;
}
