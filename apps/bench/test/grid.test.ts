import { drawText, textWidth } from '../src/report/bitmapFont';
import { cropGrid, cropGridSize } from '../src/report/grid';
import type { FloatImage } from '../src/report/png';

const px = (img: FloatImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const BLUE = [0, 114 / 255, 178 / 255].map(Math.fround);
const VERMILLION = [213 / 255, 94 / 255, 0].map(Math.fround);

describe('crop grid figure', () => {
  // Four 2×2 crops; crop k's pixel (y, x) channel c holds k + (y·2 + x)/10 + c/100, so every value names its source.
  const value = (k: number, y: number, x: number, c: number) => k / 10 + (y * 2 + x) / 100 + c / 1000;
  const crops = Float32Array.from({ length: 4 * 2 * 2 * 3 }, (_, i) => value(Math.floor(i / 12), Math.floor((i % 12) / 6), Math.floor((i % 6) / 3), i % 3));
  const img = cropGrid(crops, [0.1, 0.9, 0.5, 0.25], 2, 10);

  it('tiles the crops enlarged, each over a label strip, with 4-pixel gaps', () => {
    // 2 tiles of 20 px and 3 gaps across; each row is a 20 px tile plus a 20 px strip (14 px digits + 6).
    expect([img.width, img.height]).toEqual([2 * 20 + 3 * 4, 2 * (20 + 20) + 3 * 4]);
    expect(cropGridSize(4, 2, 10)).toEqual({ width: img.width, height: img.height });
    expect(px(img, 4, 4)).toEqual([0, 1, 2].map((c) => Math.fround(value(0, 0, 0, c))));
    expect(px(img, 4 + 9, 4 + 9)).toEqual([0, 1, 2].map((c) => Math.fround(value(0, 0, 0, c))));
    expect(px(img, 4 + 10, 4)).toEqual([0, 1, 2].map((c) => Math.fround(value(0, 0, 1, c))));
    expect(px(img, 4 + 20 + 4, 4)).toEqual([0, 1, 2].map((c) => Math.fround(value(1, 0, 0, c))));
    // Row 2 starts below tile, strip and gap: crop 2 at (4, 4 + 40 + 4); its pixel (1, 1) 10 px further on.
    expect(px(img, 4 + 10, 48 + 10)).toEqual([0, 1, 2].map((c) => Math.fround(value(2, 1, 1, c))));
    expect(px(img, 0, 0)).toEqual([1, 1, 1]);
  });

  it('colours each strip by the probability: blue from 0.5, vermillion below (colour-blind safe)', () => {
    expect(px(img, 4, 4 + 20)).toEqual(VERMILLION); // 0.1
    expect(px(img, 28, 4 + 20)).toEqual(BLUE); // 0.9
    expect(px(img, 4, 48 + 20)).toEqual(BLUE); // 0.5
    expect(px(img, 28, 48 + 39)).toEqual(VERMILLION); // 0.25
  });

  it('prints the probabilities at least 12 px tall at the chapter size (24 px crops, 3x)', () => {
    const crops64 = new Float32Array(64 * 24 * 24 * 3).fill(0.5);
    const big = cropGrid(crops64, Array.from({ length: 64 }, (_, k) => k / 64));
    expect(big.width).toBe(8 * 72 + 9 * 4);
    // White digit pixels in the first strip (tile 0: x 4-75, strip from y 76): their rows span the digit height.
    const rows = new Set<number>();
    for (let y = 76; y < 96; y++) for (let x = 4; x < 76; x++) if (px(big, x, y).every((v) => v === 1)) rows.add(y);
    expect(Math.max(...rows) - Math.min(...rows) + 1).toBe(14);
  });

  it('refuses crops that are not a square number with one probability each', () => {
    expect(() => cropGrid(crops, [0.1, 0.2, 0.3], 2, 10)).toThrow(/cropGrid: expected a square number/);
  });
});

describe('bitmap font', () => {
  it('draws glyph pixels at the scale, and measures text with one empty column between glyphs', () => {
    const img: FloatImage = { width: 20, height: 10, channels: 3, data: new Float32Array(600).fill(0.5) };
    drawText(img, '1', 1, 1, 1, [1, 1, 1]);
    // '1' is 0b00100 in its top row: only its middle column is lit.
    expect(px(img, 1 + 2, 1)).toEqual([1, 1, 1]);
    expect(px(img, 1 + 1, 1)).toEqual([0.5, 0.5, 0.5]);
    // Its bottom row, 0b01110, spans columns 1 to 3.
    expect([0, 1, 2, 3, 4].map((c) => px(img, 1 + c, 1 + 6)[0])).toEqual([0.5, 1, 1, 1, 0.5]);
    expect(textWidth('0.1', 2)).toBe((5 + 2 + 5) * 2 + 2 * 2);
    expect(() => drawText(img, 'x', 0, 0, 1, [1, 1, 1])).toThrow(`drawText: text must be digits and '.', got "x".`);
  });
});
