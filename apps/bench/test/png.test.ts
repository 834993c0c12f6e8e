import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import { decodeImageFile, encodePng } from '../src/report/png';

const dir = mkdtempSync(join(tmpdir(), 'aa-bench-png-'));

describe('PNG and JPEG', () => {
  it('encodes float RGB and grey images to 8-bit PNG that decodes back within 1/255', () => {
    const rgb = Float32Array.from({ length: 5 * 3 * 3 }, (_, i) => (i % 7) / 6);
    const file = join(dir, 'rgb.png');
    writeFileSync(file, encodePng({ width: 5, height: 3, channels: 3, data: rgb }));
    const back = decodeImageFile(file);
    expect([back.width, back.height, back.channels]).toEqual([5, 3, 3]);
    back.data.forEach((v, i) => expect(Math.abs(v - (rgb[i] as number))).toBeLessThanOrEqual(0.5 / 255 + 1e-7));
    const grey = Float32Array.from([0, 0.5, 1, 2, -1, 0.25]);
    const png = PNG.sync.read(encodePng({ width: 3, height: 2, channels: 1, data: grey }));
    // Grey is written to R, G and B; out-of-range values are clipped.
    expect(Array.from(png.data.filter((_, i) => i % 4 === 0))).toEqual([0, 128, 255, 255, 0, 64]);
  });

  it('decodes JPEG by its signature', () => {
    const w = 16;
    const h = 8;
    const rgba = Buffer.alloc(w * h * 4, 200);
    const file = join(dir, 'image.bin');
    writeFileSync(file, jpeg.encode({ data: rgba, width: w, height: h }, 95).data);
    const img = decodeImageFile(file);
    expect([img.width, img.height, img.channels]).toEqual([16, 8, 3]);
    img.data.forEach((v) => expect(Math.abs(v - 200 / 255)).toBeLessThan(0.02));
  });

  it('rejects other files and inconsistent data with clear errors', () => {
    const file = join(dir, 'not-an-image.png');
    writeFileSync(file, 'hello');
    expect(() => decodeImageFile(file)).toThrow(/--image .*not-an-image.png: not a PNG or JPEG file/);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Float32Array(5) })).toThrow(/encodePng: data has 5 values, expected 2x2x3/);
  });
});
