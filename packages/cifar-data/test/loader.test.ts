import * as tf from '@tensorflow/tfjs';
import { compose, dataLoader, randomCrop, randomHorizontalFlip, shiftedCrops, toTfDataset } from '../src/index';
import type { CifarBatch, LabeledImages, TfBatch } from '../src/index';

/** Ten hashed 32x32x3 images whose label is their own index, so a batch tells which images it holds. */
const ten: LabeledImages = (() => {
  const images = new Uint8Array(10 * 3072);
  for (let k = 0; k < images.length; k++) {
    const h = Math.imul(k ^ 0x2545f491, 0x9e3779b1) >>> 0;
    images[k] = (h ^ (h >>> 15)) & 255;
  }
  return { images, labels: Uint8Array.from({ length: 10 }, (_, i) => i), count: 10, height: 32, width: 32, channels: 3 };
})();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Reads and disposes a batch. */
function take(b: CifarBatch | TfBatch): { shape: number[]; xs: Float32Array; ys: number[]; dtype: string } {
  const out = { shape: b.xs.shape, xs: b.xs.dataSync() as Float32Array, ys: Array.from(b.ys.dataSync()), dtype: b.ys.dtype };
  tf.dispose([b.xs, b.ys]);
  return out;
}
const epoch = (it: Iterable<CifarBatch>): ReturnType<typeof take>[] => Array.from(it, take);

describe('dataLoader', () => {
  it('batches in order without shuffle, as float32 [0,1] with int32 labels, no leaks', () => {
    const before = tf.memory().numTensors;
    const loader = dataLoader(ten, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(loader.batchShape).toEqual([4, 32, 32, 3]);
    const batches = epoch(loader);
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 32, 32, 3],
      [4, 32, 32, 3],
      [2, 32, 32, 3],
    ]);
    expect(batches.map((b) => b.ys)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[0]!.dtype).toBe('int32');
    const all = batches.flatMap((b) => Array.from(b.xs));
    expect(all).toEqual(Array.from(ten.images, (v) => Math.fround(v / 255)));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drops the last short batch with dropLast', () => {
    const loader = dataLoader(ten, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epoch(loader).map((b) => b.ys.length)).toEqual([4, 4]);
  });

  it('shuffles every epoch: each image once per epoch, a new order each time, with the right pixels', () => {
    const loader = dataLoader(ten, { batchSize: 3, shuffle: true, seed: 123 });
    const orders: number[][] = [];
    for (let e = 0; e < 4; e++) {
      const batches = epoch(loader);
      const order = batches.flatMap((b) => b.ys);
      expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // The pixels travel with their label.
      const xs = batches.flatMap((b) => Array.from(b.xs));
      order.forEach((img, k) => {
        for (const j of [0, 1000, 3071]) expect(xs[k * 3072 + j]).toBe(Math.fround(ten.images[img * 3072 + j]! / 255));
      });
      orders.push(order);
    }
    expect(loader.epoch).toBe(4);
    expect(new Set(orders.map((o) => o.join(','))).size).toBe(4);
  });

  it('same seed, same batches (order, crops and flips); another seed, other batches', () => {
    const make = (seed: number) => dataLoader(ten, { batchSize: 4, shuffle: true, seed, transform: compose(randomCrop(24), randomHorizontalFlip()) });
    const a = make(7);
    const b = make(7);
    for (let e = 0; e < 2; e++) {
      const ea = epoch(a);
      const eb = epoch(b);
      expect(ea.map((x) => x.ys)).toEqual(eb.map((x) => x.ys));
      ea.forEach((x, i) => expect(Buffer.from(x.xs.buffer).equals(Buffer.from(eb[i]!.xs.buffer))).toBe(true));
    }
    const c = epoch(make(8));
    const a2 = epoch(make(7));
    expect(c.map((x) => x.ys)).not.toEqual(a2.map((x) => x.ys));
    // Epoch k can be replayed on its own.
    const fresh = make(7);
    const e1 = epoch({ [Symbol.iterator]: () => fresh.epochIterator(1) });
    const ref = make(7);
    epoch(ref);
    const r1 = epoch(ref);
    expect(e1.map((x) => x.ys)).toEqual(r1.map((x) => x.ys));
    e1.forEach((x, i) => expect(Buffer.from(x.xs.buffer).equals(Buffer.from(r1[i]!.xs.buffer))).toBe(true));
  });

  it('applies the transform per batch and creates nothing for batches never asked for', () => {
    const before = tf.memory().numTensors;
    const loader = dataLoader(ten, { batchSize: 4, transform: randomCrop(24), seed: 1 });
    expect(loader.batchShape).toEqual([4, 24, 24, 3]);
    for (const b of loader) {
      expect(b.xs.shape).toEqual([4, 24, 24, 3]);
      tf.dispose([b.xs, b.ys]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => dataLoader(ten, { batchSize: 0 })).toThrow(/dataLoader: options\.batchSize must be an integer >= 1, got 0/);
    expect(() => dataLoader(ten, { shuffle: 'yes' as unknown as boolean })).toThrow(/dataLoader: options\.shuffle must be true or false, got 'yes'/);
    expect(() => dataLoader(ten, { seed: 1.5 })).toThrow(/dataLoader: options\.seed must be an integer/);
    expect(() => dataLoader({ ...ten, labels: [1, 2] })).toThrow(/dataLoader: images\.labels has 2 entries, expected count = 10/);
    expect(() => dataLoader(null as unknown as LabeledImages)).toThrow(/dataLoader: images must be a LabeledImages object/);
    expect(() => toTfDataset(5 as never)).toThrow(/toTfDataset: loader must be an iterable/);
    expect(() => dataLoader({ ...ten, labels: Array.from({ length: 10 }, (_, i) => i - 1) })).toThrow(/dataLoader: images\.labels\[0\] must be a class index .*got -1/);
    // At the call, not at the first next(): a generator body would run only then.
    expect(() => dataLoader(ten).epochIterator(-1)).toThrow(/DataLoader\.epochIterator: epoch must be an integer >= 0, got -1/);
  });
});

describe('toTfDataset', () => {
  it('yields the loader batches, one epoch per iteration, without leaks', async () => {
    const before = tf.memory().numTensors;
    const ds = toTfDataset(dataLoader(ten, { batchSize: 4, shuffle: true, seed: 3, transform: randomCrop(28) }));
    const ref = dataLoader(ten, { batchSize: 4, shuffle: true, seed: 3, transform: randomCrop(28) });
    for (let e = 0; e < 2; e++) {
      const got = (await ds.toArray()).map(take);
      const want = epoch(ref);
      expect(got.map((b) => b.ys)).toEqual(want.map((b) => b.ys));
      got.forEach((b, i) => expect(Buffer.from(b.xs.buffer).equals(Buffer.from(want[i]!.xs.buffer))).toBe(true));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('converts labels to float32 indices or one-hot rows, disposing the int32 ones', async () => {
    const before = tf.memory().numTensors;
    const loader = dataLoader(ten, { batchSize: 4 });
    const floats = await toTfDataset(loader, { labels: 'float32' }).toArray();
    const hots = await toTfDataset(loader, { labels: 'oneHot', numClasses: 10 }).toArray();
    // Only the xs and converted ys are alive: the int32 labels were disposed.
    expect(tf.memory().numTensors - before).toBe(2 * (floats.length + hots.length));
    const f = floats[2]!;
    expect(f.ys.dtype).toBe('float32');
    expect(Array.from(f.ys.dataSync())).toEqual([8, 9]);
    const o = hots[0]!;
    expect(o.ys.shape).toEqual([4, 10]);
    expect(o.ys.dtype).toBe('float32');
    expect(Array.from(o.ys.dataSync()).slice(10, 20)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    tf.dispose([...floats, ...hots].flatMap((b) => [b.xs, b.ys]));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTfDataset(loader, { labels: 'oneHot' })).toThrow(/toTfDataset: options\.numClasses must be an integer >= 1, got undefined/);
  });

  it('feeds model.fitDataset', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const ds = toTfDataset(dataLoader(ten, { batchSize: 5, shuffle: true, seed: 1, transform: randomCrop(8) }), { labels: 'float32' });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(ds, { epochs: 2, verbose: 0 });
    const loss = history.history.loss ?? [];
    expect(loss).toHaveLength(2);
    expect(Number.isFinite(loss[1] as number)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('shiftedCrops', () => {
  const px = (y: number, x: number, c: number): number => Math.fround(ten.images[6 * 3072 + (y * 32 + x) * 3 + c]! / 255);

  it('returns all (32-s+1)^2 crops, top-major, each the exact window', () => {
    const before = tf.memory().numTensors;
    const t = shiftedCrops(ten, 6, { size: 24 });
    expect(t.shape).toEqual([81, 24, 24, 3]);
    const v = t.dataSync();
    t.dispose();
    for (let top = 0; top < 9; top++) {
      for (let left = 0; left < 9; left++) {
        const k = top * 9 + left;
        for (const [y, x, c] of [
          [0, 0, 0],
          [23, 23, 2],
          [5, 17, 1],
        ] as const) {
          expect(v[((k * 24 + y) * 24 + x) * 3 + c]).toBe(px(top + y, left + x, c));
        }
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("takes the chapter's 8x8 = 64 shifts and an optional normalisation", () => {
    const t = shiftedCrops(ten, 6, { size: 24, shifts: 8, normalize: { mean: [0.5], std: [0.5] } });
    expect(t.shape).toEqual([64, 24, 24, 3]);
    const v = t.dataSync();
    t.dispose();
    const f = Math.fround;
    expect(v[(63 * 24 * 24 + 0) * 3 + 1]).toBe(f(f(px(7, 7, 1) - 0.5) / 0.5));
  });

  it('validates its arguments', () => {
    expect(() => shiftedCrops(ten, 10)).toThrow(/shiftedCrops: index must be an integer in \[0, 9\], got 10/);
    expect(() => shiftedCrops(ten, 0, { size: 24, shifts: 10 })).toThrow(/shiftedCrops: options\.shifts must be an integer in \[1, 9\], got 10/);
    expect(() => shiftedCrops(ten, 0, { size: 33 })).toThrow(/options\.size must be an integer in \[1, 32\]/);
    expect(() => shiftedCrops(ten, 0, { normalize: { mean: [0.5], std: [0] } })).toThrow(
      /shiftedCrops: options\.normalize is invalid \(normalize: std\[0\] must be a finite number > 0, got 0\.\)/,
    );
    expect(() => shiftedCrops(ten, 0, { normalize: { mean: [0, 0], std: [1] } })).toThrow(/shiftedCrops: normalize mean has 2 values but the images have 3 channels/);
  });
});
