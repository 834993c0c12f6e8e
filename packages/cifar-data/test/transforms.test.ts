import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { centerCrop, channelStats, compose, crop, normalize, randomCrop, randomHorizontalFlip, transformImages } from '../src/index';
import type { LabeledImages } from '../src/index';
import { roundHalfEven } from '../src/transforms';

interface Fixture {
  image: number[];
  toTensor: number[][][];
  centerCrop: { size: number | [number, number]; out: number[][][] }[];
  normalize: { mean: number[]; std: number[]; centerCrop: number; out: number[][][] };
  hflipCrop: { out: number[][][] };
}
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'torchvision-transforms.json'), 'utf8')) as Fixture;

/** The fixture image as a one-image set. */
const one: LabeledImages = { images: Uint8Array.from(fx.image), labels: [0], count: 1, height: 32, width: 32, channels: 3 };

/** Four images of hashed values, so that no two windows of one image are alike. */
const four: LabeledImages = (() => {
  const images = new Uint8Array(4 * 32 * 32 * 3);
  for (let k = 0; k < images.length; k++) {
    const h = Math.imul(k ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
    images[k] = (h ^ (h >>> 13)) & 255;
  }
  return { images, labels: [0, 1, 2, 3], count: 4, height: 32, width: 32, channels: 3 };
})();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function run(set: LabeledImages, t: ReturnType<typeof compose>, indices: number[] = [0], seed = 1): { shape: number[]; values: Float32Array } {
  const before = tf.memory().numTensors;
  const x = transformImages(set, indices, { transform: t, seed });
  const out = { shape: x.shape, values: x.dataSync() as Float32Array };
  x.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('transforms against torchvision (float32 values, bit for bit)', () => {
  it('no transform = ToTensor', () => {
    const { shape, values } = run(one, compose());
    expect(shape).toEqual([1, 32, 32, 3]);
    expect(Array.from(values)).toEqual(fx.toTensor.flat(2));
  });

  it.each(fx.centerCrop.map((c) => [JSON.stringify(c.size), c] as const))('CenterCrop(%s)', (_name, c) => {
    const size = c.size;
    const { shape, values } = run(one, centerCrop(size));
    const [h, w] = typeof size === 'number' ? [size, size] : size;
    expect(shape).toEqual([1, h, w, 3]);
    expect(Array.from(values)).toEqual(c.out.flat(2));
  });

  it('CenterCrop(24) + Normalize', () => {
    const { values } = run(one, compose(centerCrop(fx.normalize.centerCrop), normalize({ mean: fx.normalize.mean, std: fx.normalize.std })));
    expect(Array.from(values)).toEqual(fx.normalize.out.flat(2));
  });

  it('a crop as large as the image is the whole image (ToTensor)', () => {
    for (const t of [centerCrop(32), randomCrop(32), crop(0, 0, 32), compose(centerCrop(32), randomCrop(32))]) {
      const { shape, values } = run(one, t);
      expect(shape).toEqual([1, 32, 32, 3]);
      expect(Array.from(values)).toEqual(fx.toTensor.flat(2));
    }
  });

  it('hflip then crop (crop coordinates are in the flipped view)', () => {
    const { shape, values } = run(one, compose(randomHorizontalFlip({ p: 1 }), crop(3, 5, [20, 22])));
    expect(shape).toEqual([1, 20, 22, 3]);
    expect(Array.from(values)).toEqual(fx.hflipCrop.out.flat(2));
  });
});

describe('transforms against direct indexing', () => {
  const px = (i: number, y: number, x: number, c: number): number => Math.fround(four.images[((i * 32 + y) * 32 + x) * 3 + c]! / 255);

  it('crop(top, left, size) takes exactly that window of each chosen image', () => {
    const { shape, values } = run(four, crop(2, 7, [5, 4]), [3, 1]);
    expect(shape).toEqual([2, 5, 4, 3]);
    let k = 0;
    for (const i of [3, 1]) for (let y = 0; y < 5; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) expect(values[k++]).toBe(px(i, 2 + y, 7 + x, c));
  });

  it('crop then flip mirrors the window; flip then crop then flip again is a plain crop on the other side', () => {
    const a = run(four, compose(crop(1, 2, 6), randomHorizontalFlip({ p: 1 }))).values;
    let k = 0;
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < 3; c++) expect(a[k++]).toBe(px(0, 1 + y, 2 + 5 - x, c));
    const b = run(four, compose(randomHorizontalFlip({ p: 1 }), crop(0, 0, 4), randomHorizontalFlip({ p: 1 }))).values;
    k = 0;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) expect(b[k++]).toBe(px(0, y, 28 + x, c));
  });

  it('randomCrop stays inside the image, reaches every offset 0..8, and is reproducible from the seed', () => {
    const offsets = new Set<string>();
    // 1000 seeds leave one of 81 equally likely offsets unseen with probability about 81 * (80/81)^1000 = 3e-4.
    for (let seed = 0; seed < 1000; seed++) {
      const { shape, values } = run(four, randomCrop(24), [2], seed);
      expect(shape).toEqual([1, 24, 24, 3]);
      // Find the window among all 81 legal offsets that equals the output exactly; there must be one.
      const matches: string[] = [];
      for (let t = 0; t <= 8; t++) {
        for (let l = 0; l <= 8; l++) {
          let ok = true;
          for (let y = 0; y < 24 && ok; y++) for (let x = 0; x < 24 && ok; x++) for (let c = 0; c < 3 && ok; c++) ok = values[(y * 24 + x) * 3 + c] === px(2, t + y, l + x, c);
          if (ok) matches.push(`${t},${l}`);
        }
      }
      expect(matches).toHaveLength(1);
      offsets.add(matches[0]!);
    }
    expect(offsets.size).toBe(81);
    const a = run(four, compose(randomCrop(20), randomHorizontalFlip()), [0, 1, 2, 3], 99).values;
    const b = run(four, compose(randomCrop(20), randomHorizontalFlip()), [0, 1, 2, 3], 99).values;
    const c = run(four, compose(randomCrop(20), randomHorizontalFlip()), [0, 1, 2, 3], 100).values;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('randomHorizontalFlip flips about a fraction p of the images', () => {
    let flipped = 0;
    const n = 400;
    const { values } = run(four, compose(crop(0, 0, [1, 2]), randomHorizontalFlip({ p: 0.3 })), Array.from({ length: n }, () => 0), 5);
    for (let i = 0; i < n; i++) if (values[i * 6] === px(0, 0, 1, 0)) flipped++;
    expect(flipped / n).toBeGreaterThan(0.22);
    expect(flipped / n).toBeLessThan(0.38);
  });

  it('normalize broadcasts a single mean/std and composes with a second normalize', () => {
    const f = Math.fround;
    const { values } = run(four, compose(crop(0, 0, 1), normalize({ mean: [0.5], std: [0.25] }), normalize({ mean: [0, 1, 2], std: [1, 2, 4] })));
    for (let c = 0; c < 3; c++) {
      const v = f(f(f(px(0, 0, 0, c) - 0.5) / 0.25) - f(c));
      expect(values[c]).toBe(f(v / f([1, 2, 4][c]!)));
    }
  });

  it('works on other image sizes and channel counts', () => {
    const gray: LabeledImages = { images: Uint8Array.from({ length: 2 * 5 * 6 }, (_, k) => k * 4), labels: [0, 1], count: 2, height: 5, width: 6, channels: 1 };
    const { shape, values } = run(gray, compose(crop(1, 2, [2, 3]), randomHorizontalFlip({ p: 1 })), [1]);
    expect(shape).toEqual([1, 2, 3, 1]);
    const at = (y: number, x: number): number => Math.fround(((30 + y * 6 + x) * 4) / 255);
    expect(Array.from(values)).toEqual([at(1, 4), at(1, 3), at(1, 2), at(2, 4), at(2, 3), at(2, 2)]);
  });

  it('rounds half to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 3.4, 3.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 3, 4]);
  });
});

describe('transform validation', () => {
  it('rejects bad sizes, probabilities, statistics and crops that do not fit', () => {
    expect(() => randomCrop(0)).toThrow(/randomCrop: size must be an integer >= 1, got 0/);
    expect(() => centerCrop([24, 2.5] as unknown as [number, number])).toThrow(/centerCrop: size\[1\] must be an integer >= 1, got 2\.5/);
    expect(() => crop(-1, 0, 3)).toThrow(/crop: top must be an integer >= 0, got -1/);
    expect(() => randomHorizontalFlip({ p: 1.5 })).toThrow(/randomHorizontalFlip: p must be a number in \[0, 1\], got 1\.5/);
    expect(() => normalize({ mean: [0.5], std: [0] })).toThrow(/normalize: std\[0\] must be a finite number > 0, got 0/);
    expect(() => normalize({ mean: [], std: [1] })).toThrow(/normalize: mean must be a non-empty array/);
    expect(() => compose(randomCrop(3), 'x' as never)).toThrow(/compose: transforms\[1\] must be a Transform/);
    expect(() => transformImages(four, [0], { transform: randomCrop(33) })).toThrow(/transformImages: transform step randomCrop\(\[33, 33\]\) does not fit the 32x32 image/);
    expect(() => transformImages(four, [0], { transform: compose(centerCrop(24), crop(10, 0, 20)) })).toThrow(/crop\(10, 0, \[20, 20\]\) does not fit the 24x24 image it receives \(from 32x32 inputs\)/);
    expect(() => transformImages(four, [0], { transform: normalize({ mean: [0, 0], std: [1, 1] }) })).toThrow(/normalize mean has 2 values but the images have 3 channels/);
    expect(() => transformImages(four, [4])).toThrow(/transformImages: indices\[0\] must be an integer in \[0, 3\], got 4/);
    expect(() => transformImages({ ...four, count: 5 }, [0])).toThrow(/images\.images has 12288 bytes but count x height x width x channels = 5 x 32 x 32 x 3 = 15360/);
  });
});

describe('transform steps given as plain data', () => {
  it('runs a pipeline stored as JSON and read back exactly like the original', () => {
    const t = compose(randomCrop(20), randomHorizontalFlip(), centerCrop(16), normalize({ mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.4] }));
    const stored = JSON.parse(JSON.stringify(t)) as typeof t;
    const a = run(four, t, [0, 1, 2, 3], 9).values;
    const b = run(four, stored, [0, 1, 2, 3], 9).values;
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it.each([
    [{ kind: 'crop', top: -1, left: 0, height: 4, width: 4 }, /transformImages: transform step 'crop' top must be an integer >= 0, got -1/],
    [{ kind: 'crop', top: 0, left: 1.5, height: 4, width: 4 }, /transform step 'crop' left must be an integer >= 0, got 1\.5/],
    [{ kind: 'randomCrop', height: 0, width: 4 }, /transform step 'randomCrop' height must be an integer >= 1, got 0/],
    [{ kind: 'centerCrop', height: 4 }, /transform step 'centerCrop' width must be an integer >= 1, got undefined/],
    [{ kind: 'horizontalFlip', p: '1' }, /transform step 'horizontalFlip' p must be a number in \[0, 1\], got '1'/],
    [{ kind: 'normalize', mean: [0], std: [0] }, /transform step 'normalize' std\[0\] must be a finite number > 0, got 0/],
    [{ kind: 'rotate', degrees: 90 }, /transformImages: unknown transform step .*allowed kinds are crop, randomCrop, centerCrop, horizontalFlip, normalize/],
    [null, /transformImages: transform step must be a step object/],
  ])('rejects the hand-made step %j instead of reading outside the window', (step, message) => {
    expect(() => transformImages(four, [1], { transform: { steps: [step as never] } })).toThrow(message);
  });

  it('rejects non-object options to the builders, naming the function', () => {
    expect(() => normalize(undefined as never)).toThrow(/normalize: options must be an object \{ mean, std \}/);
    expect(() => randomHorizontalFlip(null as never)).toThrow(/randomHorizontalFlip: options must be an options object/);
  });

  it('rejects labels that an int32 batch would silently change', () => {
    expect(() => transformImages({ ...four, labels: [0, 1.5, 2, 3] }, [0])).toThrow(/transformImages: images\.labels\[1\] must be a class index \(an integer >= 0\), got 1\.5/);
    expect(() => transformImages({ ...four, labels: Int32Array.of(0, 1, -1, 3) }, [0])).toThrow(/images\.labels\[2\] must be a class index .*got -1/);
    expect(() => transformImages({ ...four, labels: [0, 1, 2, Number.NaN] }, [0])).toThrow(/images\.labels\[3\] .*got NaN/);
    expect(() => transformImages({ ...four, labels: Uint8Array.of(0, 1, 2, 3) }, [0]).dispose()).not.toThrow();
  });
});

describe('channelStats', () => {
  it('matches a direct computation', () => {
    const s = channelStats(four);
    for (let c = 0; c < 3; c++) {
      const vals: number[] = [];
      for (let k = c; k < four.images.length; k += 3) vals.push(four.images[k]! / 255);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
      expect(s.mean[c]).toBeCloseTo(m, 12);
      expect(s.std[c]).toBeCloseTo(sd, 12);
    }
  });
});
