import type { FloatImage } from './png';

/** A 3×5 bitmap font for the characters the figures print (digits and '.'): rows top to bottom, 3 bits each. */
const FONT: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 1, 1],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2],
};

function setPixel(img: FloatImage, x: number, y: number, rgb: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const p = (y * img.width + x) * 3;
  img.data[p] = rgb[0];
  img.data[p + 1] = rgb[1];
  img.data[p + 2] = rgb[2];
}

/** Writes `text` at (x, y) with the bitmap font at `scale`, on a black box, in `colour`. */
export function stampText(img: FloatImage, text: string, x: number, y: number, scale: number, colour: readonly [number, number, number]): void {
  const w = text.length * 4 * scale + scale;
  const h = 7 * scale;
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) setPixel(img, x + i, y + j, [0, 0, 0]);
  [...text].forEach((ch, k) => {
    const rows = FONT[ch];
    if (!rows) throw new Error(`stampText: no glyph for '${ch}' (digits and '.' only).`);
    rows.forEach((bits, r) => {
      for (let c = 0; c < 3; c++) {
        if (!((bits >> (2 - c)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) setPixel(img, x + scale + (k * 4 + c) * scale + dx, y + scale + r * scale + dy, colour);
        }
      }
    });
  });
}

/**
 * The chapter's figure of a test image's shifted crops: an n×n grid of `[size, size, 3]` crops (values in
 * [0, 1], crop k at row ⌊k/n⌋, column k mod n), each enlarged `scale`× with its correct-class probability
 * printed in its corner (green at or above 0.5, red below).
 */
export function cropGrid(crops: Float32Array, probabilities: readonly number[], size = 24, scale = 3): FloatImage {
  const count = probabilities.length;
  const n = Math.round(Math.sqrt(count));
  if (n * n !== count || crops.length !== count * size * size * 3) {
    throw new Error(`cropGrid: expected a square number of ${size}x${size}x3 crops with one probability each, got ${crops.length} values and ${count} probabilities.`);
  }
  const gap = 2;
  const tile = size * scale;
  const side = n * tile + (n + 1) * gap;
  const img: FloatImage = { width: side, height: side, channels: 3, data: new Float32Array(side * side * 3).fill(1) };
  for (let k = 0; k < count; k++) {
    const top = gap + Math.floor(k / n) * (tile + gap);
    const left = gap + (k % n) * (tile + gap);
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const src = ((k * size + Math.floor(y / scale)) * size + Math.floor(x / scale)) * 3;
        setPixel(img, left + x, top + y, [crops[src] as number, crops[src + 1] as number, crops[src + 2] as number]);
      }
    }
    const p = probabilities[k] as number;
    stampText(img, p.toFixed(2), left, top + tile - 7 * 2, 2, p >= 0.5 ? [0.3, 1, 0.3] : [1, 0.35, 0.35]);
  }
  return img;
}
