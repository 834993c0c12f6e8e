import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import jpeg from 'jpeg-js';

import { EMBED_MAX_BYTES, pageImage } from '../src/report/figureImage';
import { encodePng, type FloatImage } from '../src/report/png';
import { shrinkImage } from '../src/report/resize';

const dir = mkdtempSync(join(tmpdir(), 'aa-bench-figure-'));
const grey = (width: number, height: number, f: (x: number, y: number) => number): FloatImage => ({
  width,
  height,
  channels: 1,
  data: Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width))),
});
const decodeUri = (src: string) => Buffer.from(src.slice(src.indexOf(',') + 1), 'base64');

describe('shrinkImage (Lanczos-3)', () => {
  it('keeps flat and slowly varying images as they are', () => {
    expect(Array.from(shrinkImage(grey(9, 3, () => 0.25), 3, 1).data).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.25, 0.25]);
    // A linear ramp along x is reproduced exactly away from the edges: the kernel is symmetric and normalised.
    const ramp = shrinkImage(grey(60, 2, (x) => x / 60), 20, 1);
    for (let i = 6; i < 14; i++) expect(ramp.data[i]).toBeCloseTo((i * 3 + 1) / 60, 4);
  });

  it('shrinks a zone plate without moiré: flat grey where its rings are finer than the preview can show', () => {
    // The zone plate of the aliasing experiment: local frequency r / size cycles per pixel.
    const size = 400;
    const zone = grey(size, size, (x, y) => 0.5 + 0.5 * Math.cos((Math.PI * ((x - size / 2) ** 2 + (y - size / 2) ** 2)) / size));
    const small = shrinkImage(zone, 144, 144);
    // Rings between radius 100 and 160 exceed the preview's Nyquist (0.18 cycles per source pixel): ideally flat 0.5.
    const ring: number[] = [];
    for (let y = 0; y < 144; y++) {
      for (let x = 0; x < 144; x++) {
        const r = (Math.hypot(x + 0.5 - 72, y + 0.5 - 72) * size) / 144;
        if (r > 100 && r < 160) ring.push(small.data[y * 144 + x] as number);
      }
    }
    const mean = ring.reduce((s, v) => s + v, 0) / ring.length;
    const std = Math.sqrt(ring.reduce((s, v) => s + (v - mean) ** 2, 0) / ring.length);
    expect(mean).toBeCloseTo(0.5, 2);
    // A box average leaves a moiré of std ≈ 0.06 there (measured); subsampling, the full ±0.35.
    expect(std).toBeLessThan(0.025);
    // The coarse centre survives.
    expect(small.data[72 * 144 + 72]).toBeGreaterThan(0.9);
  });

  it('refuses to enlarge', () => {
    expect(() => shrinkImage(grey(2, 2, () => 0), 3, 2)).toThrow("shrinkImage: width and height must be integers from 1 to the image's 2x2, got 3x2.");
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

  it('shows a wider PNG as a Lanczos-shrunk JPEG preview linked to the full file, without aliasing', () => {
    // A one-pixel checkerboard: any subsampling shows solid black or white, an area average an even grey.
    writeFileSync(join(dir, 'checker.png'), encodePng(grey(100, 60, (x, y) => (x + y) % 2)));
    const img = pageImage(dir, 'checker.png', 40);
    expect(img.src.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect([img.width, img.height]).toEqual([40, 24]);
    expect(img.full).toEqual({ file: 'checker.png', width: 100, height: 60 });
    const preview = jpeg.decode(decodeUri(img.src), { useTArray: true });
    expect([preview.width, preview.height]).toEqual([40, 24]);
    // The checkerboard is at the source's Nyquist frequency, far above the preview's: it must become flat grey.
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
