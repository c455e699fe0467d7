// A transparent PNG (the leader's blue signature, the agency's red seal) as a
// PDF image XObject with its alpha channel as a soft mask, so the seal shows
// the signature beneath it.
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { dict, name, type Ref } from './pdf-objects.js';
import type { IncrementalUpdate } from './pdf-file.js';

export interface PngSize { width: number; height: number }

export function pngSize(png: Buffer): PngSize {
  const { width, height } = PNG.sync.read(png);
  return { width, height };
}

/** Adds the image (and its soft mask) to the update; returns the image's reference. */
export function addPngImage(update: IncrementalUpdate, png: Buffer): { ref: Ref; width: number; height: number } {
  const { width, height, data } = PNG.sync.read(png);
  const rgb = Buffer.alloc(width * height * 3);
  const alpha = Buffer.alloc(width * height);
  for (let i = 0; i < width * height; i += 1) {
    rgb[i * 3] = data[i * 4]!;
    rgb[i * 3 + 1] = data[i * 4 + 1]!;
    rgb[i * 3 + 2] = data[i * 4 + 2]!;
    alpha[i] = data[i * 4 + 3]!;
  }
  const image = (colorSpace: string) => dict({
    Type: name('XObject'), Subtype: name('Image'), Width: width, Height: height, ColorSpace: name(colorSpace), BitsPerComponent: 8, Filter: name('FlateDecode'),
  });
  const mask = update.add(image('DeviceGray'), deflateSync(alpha));
  const img = image('DeviceRGB');
  img.set('SMask', mask);
  return { ref: update.add(img, deflateSync(rgb)), width, height };
}
