// The signature and seal image check: real transparency measured on the
// decoded pixels (an RGBA file that is opaque everywhere is refused), the
// byte and pixel limits checked before decoding, broken files refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PNG } from 'pngjs';
import { sampleSealPng, sampleSignaturePng } from '../../certs/sample-images.js';
import { checkSignatureImage } from '../../certs/signature-image.js';

function png(width: number, height: number, alpha: (x: number, y: number) => number, colorType?: 0 | 2 | 6): Buffer {
  const p = new PNG({ width, height, ...(colorType !== undefined ? { colorType, inputHasAlpha: true } : {}) });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 4;
    p.data[i] = 20; p.data[i + 1] = 40; p.data[i + 2] = 160; p.data[i + 3] = alpha(x, y);
  }
  return PNG.sync.write(p, colorType !== undefined ? { colorType } : {});
}
const reason = (b: Buffer) => { const v = checkSignatureImage(b); return v.ok ? 'ok' : v.reason; };

test('the sample signature and seal pass, with their share of transparent pixels', () => {
  for (const b of [sampleSignaturePng(), sampleSealPng()]) {
    const v = checkSignatureImage(b);
    assert.ok(v.ok, JSON.stringify(v));
    if (v.ok) assert.ok(v.transparentShare > 0.5);
  }
});

test('an RGB PNG (no alpha channel) and an RGBA PNG opaque everywhere are refused as not transparent', () => {
  assert.is(reason(png(200, 80, () => 255, 2)), 'not-transparent');
  assert.is(reason(png(200, 80, () => 255)), 'not-transparent');
  assert.is(reason(png(200, 80, (x) => (x < 4 ? 0 : 255))), 'not-transparent', '2 % see-through is not enough');
  assert.is(reason(png(200, 80, (x) => (x < 40 ? 0 : 255))), 'ok', '20 % see-through');
});

test('too large in bytes or pixels, too small, not a PNG, or cut short: each has its own reason', () => {
  assert.is(reason(png(2001, 40, () => 0)), 'too-large');
  assert.is(reason(Buffer.alloc(600 * 1024, 1)), 'too-large');
  assert.is(reason(png(20, 20, () => 0)), 'too-small');
  assert.is(reason(Buffer.from('GIF89a not a png at all, not at all')), 'not-png');
  const good = sampleSignaturePng();
  assert.is(reason(good.subarray(0, 8)), 'unreadable');
  assert.is(reason(good.subarray(0, good.length - 40)), 'unreadable');
});

test.run();
