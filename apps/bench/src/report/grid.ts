import { drawText, GLYPH_HEIGHT, setPixel, textWidth } from './bitmapFont';
import type { FloatImage } from './png';

/** Okabe–Ito blue and vermillion: label backgrounds that stay distinct for colour-blind readers. */
const HIGH: [number, number, number] = [0, 114 / 255, 178 / 255];
const LOW: [number, number, number] = [213 / 255, 94 / 255, 0];
const WHITE: [number, number, number] = [1, 1, 1];
const GAP = 4;
/** Font pixels are this many image pixels: 7 × 2 = 14 px tall digits, legible at the grid's natural size. */
const DIGIT_SCALE = 2;
const LABEL_HEIGHT = GLYPH_HEIGHT * DIGIT_SCALE + 6;

/** Pixel size of {@link cropGrid}'s image for `count` crops of `size`×`size` enlarged `scale`×. */
export function cropGridSize(count: number, size = 24, scale = 3): { width: number; height: number } {
  const n = Math.round(Math.sqrt(count));
  const tile = size * scale;
  return { width: n * tile + (n + 1) * GAP, height: n * (tile + LABEL_HEIGHT) + (n + 1) * GAP };
}

/**
 * The chapter's figure of a test image's shifted crops: an n×n grid of `[size, size, 3]` crops (values in
 * [0, 1], crop k at row ⌊k/n⌋, column k mod n), each enlarged `scale`× with its correct-class probability printed
 * on a strip below it (blue at or above 0.5, vermillion below), so the number never hides the crop.
 */
export function cropGrid(crops: Float32Array, probabilities: readonly number[], size = 24, scale = 3): FloatImage {
  const count = probabilities.length;
  const n = Math.round(Math.sqrt(count));
  if (n * n !== count || crops.length !== count * size * size * 3) {
    throw new Error(`cropGrid: expected a square number of ${size}x${size}x3 crops with one probability each, got ${crops.length} values and ${count} probabilities.`);
  }
  const tile = size * scale;
  const { width, height } = cropGridSize(count, size, scale);
  const img: FloatImage = { width, height, channels: 3, data: new Float32Array(width * height * 3).fill(1) };
  for (let k = 0; k < count; k++) {
    const top = GAP + Math.floor(k / n) * (tile + LABEL_HEIGHT + GAP);
    const left = GAP + (k % n) * (tile + GAP);
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const src = ((k * size + Math.floor(y / scale)) * size + Math.floor(x / scale)) * 3;
        setPixel(img, left + x, top + y, [crops[src] as number, crops[src + 1] as number, crops[src + 2] as number]);
      }
    }
    const p = probabilities[k] as number;
    const strip = p >= 0.5 ? HIGH : LOW;
    for (let y = top + tile; y < top + tile + LABEL_HEIGHT; y++) for (let x = left; x < left + tile; x++) setPixel(img, x, y, strip);
    const text = Number.isFinite(p) ? p.toFixed(2) : '';
    // Narrow tiles (tests, tiny crops) get the smallest font rather than digits spilling onto the neighbour.
    const digitScale = textWidth(text, DIGIT_SCALE) <= tile ? DIGIT_SCALE : 1;
    const tx = left + Math.floor((tile - textWidth(text, digitScale)) / 2);
    const ty = top + tile + Math.floor((LABEL_HEIGHT - GLYPH_HEIGHT * digitScale) / 2);
    drawText(img, text, tx, ty, digitScale, WHITE);
  }
  return img;
}
