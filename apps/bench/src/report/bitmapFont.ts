import type { FloatImage } from './png';

/**
 * A 5×7 bitmap font for the characters the raster figures print (digits and '.'): seven rows top to bottom,
 * 5 bits each (bit 4 = left column). Raster figures carry their own font so they need no canvas or font files.
 */
const GLYPHS: Record<string, number[]> = {
  '0': [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
  '1': [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
  '2': [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
  '3': [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
  '4': [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
  '5': [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
  '6': [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
  '7': [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
  '8': [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
  '9': [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
  '.': [0, 0, 0, 0, 0, 0b01100, 0b01100],
};

/** Glyph rows, and the columns a glyph occupies (the '.' is narrow, so numbers stay compact). */
export const GLYPH_HEIGHT = 7;
const glyphWidth = (ch: string) => (ch === '.' ? 2 : 5);
/** Columns of the glyph's bitmap it occupies, from the left. */
const glyphOffset = (ch: string) => (ch === '.' ? 1 : 0);

/** Width in pixels of `text` at `scale` (one empty column between glyphs). */
export function textWidth(text: string, scale: number): number {
  const chars = [...text];
  return chars.reduce((w, ch) => w + glyphWidth(ch), 0) * scale + Math.max(0, chars.length - 1) * scale;
}

/** Sets one pixel of an RGB (or grey) float image, ignoring points outside it. */
export function setPixel(img: FloatImage, x: number, y: number, rgb: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const p = (y * img.width + x) * img.channels;
  for (let c = 0; c < img.channels; c++) img.data[p + c] = rgb[c] as number;
}

/** Draws `text` with its top-left corner at (x, y), each font pixel `scale`×`scale`, in `colour`. */
export function drawText(img: FloatImage, text: string, x: number, y: number, scale: number, colour: readonly [number, number, number]): void {
  let left = x;
  for (const ch of text) {
    const rows = GLYPHS[ch];
    if (!rows) throw new Error(`drawText: text must be digits and '.', got ${JSON.stringify(text)}.`);
    const w = glyphWidth(ch);
    const skip = glyphOffset(ch);
    rows.forEach((bits, r) => {
      for (let c = 0; c < w; c++) {
        if (!((bits >> (4 - skip - c)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(img, left + c * scale + dx, y + r * scale + dy, colour);
      }
    });
    left += (w + 1) * scale;
  }
}
