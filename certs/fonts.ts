// Paths of the shipped Times-New-Roman-metric fonts (certs/fonts, OFL 1.1).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// From source (tsx) the fonts sit beside this file; from the build (dist/certs)
// they are two levels up, in the repository's certs/fonts.
const dir = [new URL('./fonts/', import.meta.url), new URL('../../certs/fonts/', import.meta.url)]
  .map((u) => fileURLToPath(u)).find((d) => existsSync(`${d}LiberationSerif-Regular.ttf`)) ?? fileURLToPath(new URL('./fonts/', import.meta.url));

export const FONTS = {
  regular: `${dir}LiberationSerif-Regular.ttf`,
  bold: `${dir}LiberationSerif-Bold.ttf`,
  italic: `${dir}LiberationSerif-Italic.ttf`,
  boldItalic: `${dir}LiberationSerif-BoldItalic.ttf`,
} as const;
