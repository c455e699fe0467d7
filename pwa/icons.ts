// The app's icons, drawn in code at build time (no binary files in the repo):
// a red square with a yellow five-pointed star, the star inside the central
// 60 % so the same image works as a maskable icon. pngjs encodes; the star is
// a point-in-polygon test per pixel (4×4 supersampled for smooth edges).
import { PNG } from 'pngjs';

const RED: [number, number, number] = [0xb7, 0x1c, 0x1c];
const YELLOW: [number, number, number] = [0xff, 0xd5, 0x4f];

function starPolygon(cx: number, cy: number, outer: number): [number, number][] {
  const inner = outer * 0.382;
  return Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as [number, number];
  });
}

function inside(poly: [number, number][], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

export function iconPng(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const star = starPolygon(size / 2, size * 0.53, size * 0.3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let covered = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(star, x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) covered++;
      const k = covered / 16;
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = Math.round(RED[c]! * (1 - k) + YELLOW[c]! * k);
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

export const ICON_SIZES = [192, 512] as const;
