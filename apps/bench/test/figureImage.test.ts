import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import jpeg from 'jpeg-js';

import { EMBED_MAX_BYTES, pageImage } from '../src/report/figureImage';
import { encodePng, type FloatImage } from '../src/report/png';
import { resizeArea } from '../src/report/resize';

const dir = mkdtempSync(join(tmpdir(), 'aa-bench-figure-'));
const grey = (width: number, height: number, f: (x: number, y: number) => number): FloatImage => ({
  width,
  height,
  channels: 1,
  data: Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width))),
});
const decodeUri = (src: string) => Buffer.from(src.slice(src.indexOf(',') + 1), 'base64');

describe('resizeArea', () => {
  it('averages the covered input area, with fractional weights at the edges', () => {
    const row = grey(4, 1, (x) => x);
    expect(Array.from(resizeArea(row, 2, 1).data)).toEqual([0.5, 2.5]);
    const three = grey(3, 1, (x) => [3, 6, 9][x] as number);
    const got = Array.from(resizeArea(three, 2, 1).data);
    // Output 0 covers [0, 1.5): all of input 0 and half of input 1; output 1 the rest.
    expect(got[0]).toBeCloseTo((3 + 6 * 0.5) / 1.5, 5);
    expect(got[1]).toBeCloseTo((6 * 0.5 + 9) / 1.5, 5);
  });

  it('refuses to enlarge', () => {
    expect(() => resizeArea(grey(2, 2, () => 0), 3, 2)).toThrow('resizeArea: width and height must be integers from 1 to the image\'s 2x2, got 3x2.');
  });
});

describe('pageImage', () => {
  it('embeds a small PNG as it is, at its natural size', () => {
    const png = encodePng(grey(30, 20, (x, y) => (x + y) / 50));
    writeFileSync(join(dir, 'small.png'), png);
    const img = pageImage(dir, 'small.png', 300);
    expect(img.src.startsWith('data:image/png;base64,')).toBe(true);
    expect(decodeUri(img.src).equals(png)).toBe(true);
    // 300 px asked of a 30 px image: enlarged by the whole factor 10, with square pixels.
    expect([img.width, img.height, img.pixelated, img.full]).toEqual([300, 200, true, undefined]);
    expect(pageImage(dir, 'small.png', 45)).toMatchObject({ width: 30, height: 20, pixelated: false });
  });

  it('shows a wider PNG as an area-averaged JPEG preview linked to the full file, without aliasing', () => {
    // A one-pixel checkerboard: any subsampling shows solid black or white, an area average an even grey.
    writeFileSync(join(dir, 'checker.png'), encodePng(grey(100, 60, (x, y) => (x + y) % 2)));
    const img = pageImage(dir, 'checker.png', 40);
    expect(img.src.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect([img.width, img.height]).toEqual([40, 24]);
    expect(img.full).toEqual({ file: 'checker.png', width: 100, height: 60 });
    const preview = jpeg.decode(decodeUri(img.src), { useTArray: true });
    expect([preview.width, preview.height]).toEqual([40, 24]);
    // A 2.5-pixel window holds 48-52% white (±5/255), plus JPEG's error; subsampling would be off by 127.
    for (let p = 0; p < 40 * 24; p++) expect(Math.abs((preview.data[p * 4] as number) - 127.5)).toBeLessThan(12);
  });

  it('re-encodes a PNG too large to embed, at its natural size, and links the original', () => {
    let s = 1;
    const noise = grey(420, 420, () => ((s = (s * 16807) % 2147483647) / 2147483647));
    writeFileSync(join(dir, 'noise.png'), encodePng(noise));
    expect(readFileSync(join(dir, 'noise.png')).length).toBeGreaterThan(EMBED_MAX_BYTES);
    const img = pageImage(dir, 'noise.png', 420);
    expect(img.src.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect([img.width, img.height, img.full?.file]).toEqual([420, 420, 'noise.png']);
  });
});
