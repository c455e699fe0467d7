// Sample signature and seal images drawn in code, for the demo and tests
// (real ones are scanned by the ward and uploaded). Transparent PNGs, as
// Decree 30 asks: a blue handwritten-looking stroke, a red round seal.
import { PNG } from 'pngjs';

function canvas(width: number, height: number) {
  const png = new PNG({ width, height });
  png.data.fill(0);
  const dot = (x: number, y: number, rgb: [number, number, number], r: number) => {
    for (let dy = -r; dy <= r; dy += 1) {
      for (let dx = -r; dx <= r; dx += 1) {
        const px = Math.round(x + dx);
        const py = Math.round(y + dy);
        if (px < 0 || py < 0 || px >= width || py >= height || dx * dx + dy * dy > r * r) continue;
        const i = (py * width + px) * 4;
        png.data[i] = rgb[0]; png.data[i + 1] = rgb[1]; png.data[i + 2] = rgb[2]; png.data[i + 3] = 255;
      }
    }
  };
  return { png, dot };
}

/** A blue signature-like stroke, 600 × 240 px. */
export function sampleSignaturePng(seed = 1): Buffer {
  const { png, dot } = canvas(600, 240);
  const blue: [number, number, number] = [16, 42, 170];
  for (let t = 0; t <= 1; t += 0.0005) {
    const x = 40 + 520 * t;
    const y = 120 + 60 * Math.sin(t * 14 + seed) * (1 - t) + 25 * Math.cos(t * 37 + seed * 2);
    dot(x, y, blue, 4);
  }
  for (let t = 0; t <= 1; t += 0.001) dot(120 + 360 * t, 190 - 10 * t, blue, 3);
  return PNG.sync.write(png);
}

/** A red round seal with a star, 400 × 400 px (drawn at its real diameter by the signer). */
export function sampleSealPng(): Buffer {
  const { png, dot } = canvas(400, 400);
  const red: [number, number, number] = [210, 20, 30];
  for (let a = 0; a < Math.PI * 2; a += 0.002) {
    dot(200 + 190 * Math.cos(a), 200 + 190 * Math.sin(a), red, 6);
    dot(200 + 150 * Math.cos(a), 200 + 150 * Math.sin(a), red, 3);
  }
  const star = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? 70 : 28;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return [200 + r * Math.cos(a), 200 + r * Math.sin(a)] as const;
  });
  for (let i = 0; i < star.length; i += 1) {
    const [x1, y1] = star[i]!;
    const [x2, y2] = star[(i + 1) % star.length]!;
    for (let t = 0; t <= 1; t += 0.005) dot(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, red, 4);
  }
  for (let a = 0; a < Math.PI * 2; a += Math.PI / 24) dot(200 + 170 * Math.cos(a), 200 + 170 * Math.sin(a), red, 5);
  return PNG.sync.write(png);
}
