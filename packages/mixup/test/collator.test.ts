import * as tf from '@tensorflow/tfjs';
import { createRng, mixupBatch, mixupCollator, mixupDataset, withMixup } from '../src/index';
import type { Batch, MixedBatch, MixupTargets, XsYs } from '../src/index';
import { arangeLabels, expectClose, expectNoLeak, isPermutation, scriptedRng, seededTensor, seededValues, untouchableRng, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeBatch(b: Batch): void {
  tf.dispose(b.xs);
  if (b.ys instanceof tf.Tensor) {
    b.ys.dispose();
  } else {
    const t = b.ys as MixupTargets;
    tf.dispose([t.yi, t.yj]);
    if (typeof t.lambda !== 'number') t.lambda.dispose();
  }
}

const makeBatch = (seed: number, b = 4): Batch => ({ xs: seededTensor([b, 3, 3, 2], seed), ys: arangeLabels(b) });

function summary(b: Batch): { x: number[]; perm: number[]; lam: number[] } {
  const t = b.ys as MixupTargets;
  return { x: values(b.xs), perm: values(t.yj), lam: typeof t.lambda === 'number' ? [t.lambda] : values(t.lambda) };
}

describe('mixupCollator', () => {
  test('mixes like mixupBatch with the same generator and disposes the inputs it does not return', () => {
    const collate = mixupCollator({ alpha: 0.3, seed: 5 });
    const input = makeBatch(1);
    const reference = mixupBatch(input.xs, input.ys as tf.Tensor, { alpha: 0.3, rng: createRng(5) });
    const out = collate(input);
    expect(input.xs.isDisposed).toBe(true);
    expect((input.ys as tf.Tensor).isDisposed).toBe(true);
    expect(out.xs.isDisposed).toBe(false);
    expect(summary(out)).toEqual(summary(reference));
    expect(isPermutation(summary(out).perm, 4)).toBe(true);
    disposeBatch(out);
    disposeBatch(reference);
  });

  test('the same seed gives the same sequence; the sequence moves on between calls', () => {
    const run = (seed: number) => {
      const collate = mixupCollator({ seed, mode: 'elem' });
      return [1, 2, 3].map((s) => {
        const out = collate(makeBatch(s));
        const r = summary(out);
        disposeBatch(out);
        return r;
      });
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    expect(a[0]!.lam).not.toEqual(a[1]!.lam);
  });

  test("method 'cutmix' pastes boxes behind the same interface", () => {
    const collate = mixupCollator({ method: 'cutmix', seed: 3 });
    const out = collate(makeBatch(2));
    const lam = (out.ys as MixupTargets).lambda as number;
    // 3×3 images: λ is a multiple of 1/9.
    expect(Math.abs(lam * 9 - Math.round(lam * 9))).toBeLessThan(1e-9);
    disposeBatch(out);
    const flatCollate = mixupCollator({ method: 'cutmix' });
    const flatBatch = { xs: seededTensor([2, 5], 1), ys: arangeLabels(2) };
    expect(() => flatCollate(flatBatch)).toThrow(/mixupCollator: batch.xs must be a float32 tensor \[B, H, W, C\] \(rank 4\) with at least one sample, got a float32 tensor of shape \[2, 5\]\./);
    disposeBatch(flatBatch);
  });

  test('leaves nothing behind: inputs freed, outputs owned by the caller', async () => {
    const collate = mixupCollator({ seed: 1, mode: 'elem' });
    await expectNoLeak(() => disposeBatch(collate(makeBatch(3))));
    const plain = mixupCollator({ alpha: 0 });
    await expectNoLeak(() => disposeBatch(plain(makeBatch(3))));
  });

  test('reports bad options and already-mixed or malformed batches', () => {
    expect(() => mixupCollator({ alpha: -2 })).toThrow(/mixupCollator: alpha must be a finite number >= 0.*got -2/);
    expect(() => mixupCollator({ method: 'cutout' as 'cutmix' })).toThrow(/mixupCollator: method must be one of 'mixup', 'cutmix', got 'cutout'/);
    expect(() => mixupCollator({ mode: 'row' as 'elem' })).toThrow(/mixupCollator: mode must be one of 'batch', 'pair', 'elem', got 'row'/);
    expect(() => mixupCollator({ seed: -3 })).toThrow(/mixupCollator: seed must be an integer in \[0, 4294967295\], got -3/);
    const collate = mixupCollator({ seed: 1 });
    const mixed = collate(makeBatch(4));
    expect(() => collate(mixed)).toThrow(/mixupCollator: batch.ys must be int32 labels \[4\] or float32 soft targets \[4, K\] \(is the batch mixed twice\?\)/);
    expect(() => collate(mixed)).toThrow(/\(is the batch mixed twice\?\), got \{"yi":"<int32 tensor \[4\]>","yj":"<int32 tensor \[4\]>","lambda":[0-9.e-]+\}\.$/);
    expect(() => collate(null as unknown as Batch)).toThrow(/mixupCollator: batch must be an object \{xs, ys\}, got null/);
    disposeBatch(mixed);
  });
});

/** A re-iterable source that makes fresh tensors each epoch and counts how many batches it produced. */
function syncSource(batches: number): Iterable<Batch> & { length: number; made: number } {
  const source = {
    length: batches,
    made: 0,
    *[Symbol.iterator]() {
      for (let i = 0; i < batches; i++) {
        source.made++;
        yield makeBatch(10 + i, 3);
      }
    },
  };
  return source;
}

describe('withMixup', () => {
  test('mixes every batch of a sync source, keeps length, and continues the λ sequence across epochs', async () => {
    const source = syncSource(3);
    const wrapped = withMixup(source, { seed: 11 });
    expect(wrapped.length).toBe(3);
    const reference = mixupCollator({ seed: 11 });
    await expectNoLeak(() => {
      for (let epoch = 0; epoch < 2; epoch++) {
        let count = 0;
        for (const batch of wrapped) {
          const expected = reference(makeBatch(10 + count, 3));
          expect(summary(batch)).toEqual(summary(expected));
          disposeBatch(batch);
          disposeBatch(expected);
          count++;
        }
        expect(count).toBe(3);
      }
    });
    expect(source.made).toBe(6);
  });

  test('the same seed gives identical batches (MixUp and CutMix); another seed does not', () => {
    const epoch = (options: Parameters<typeof withMixup>[1]) => {
      const out: ReturnType<typeof summary>[] = [];
      for (const batch of withMixup(syncSource(3), options)) {
        out.push(summary(batch));
        disposeBatch(batch);
      }
      return out;
    };
    for (const method of ['mixup', 'cutmix'] as const) {
      const a = epoch({ method, seed: 5, mode: 'elem' });
      expect(epoch({ method, seed: 5, mode: 'elem' })).toEqual(a);
      expect(epoch({ method, seed: 6, mode: 'elem' })).not.toEqual(a);
    }
  });

  test('every draw comes from the given rng: restoring its state replays the batches (a checkpoint resumes the λ sequence)', () => {
    const rng = createRng(9);
    const wrapped = withMixup(syncSource(2), { rng, mode: 'elem' });
    const run = () => {
      const out: ReturnType<typeof summary>[] = [];
      for (const batch of wrapped) {
        out.push(summary(batch));
        disposeBatch(batch);
      }
      return out;
    };
    run();
    const saved = JSON.parse(JSON.stringify(rng.getState())) as number[];
    const second = run();
    rng.setState(saved);
    expect(run()).toEqual(second);
    // A fresh generator with the state of the first: the same batches from another object.
    const other = createRng(0);
    other.setState(saved);
    const replay: ReturnType<typeof summary>[] = [];
    for (const batch of withMixup(syncSource(2), { rng: other, mode: 'elem' })) {
      replay.push(summary(batch));
      disposeBatch(batch);
    }
    expect(replay).toEqual(second);
  });

  test('works with async sources and a caller-supplied transform', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 2; i++) yield makeBatch(20 + i);
      },
    };
    const wrapped = withMixup(source, mixupCollator({ mode: 'elem', seed: 2 }));
    expect(wrapped.length).toBeUndefined();
    await expectNoLeak(async () => {
      let count = 0;
      for await (const batch of wrapped) {
        const t = batch.ys as MixupTargets;
        expect(t.lambda).toBeInstanceOf(tf.Tensor);
        expect(isPermutation(values(t.yj), 4)).toBe(true);
        disposeBatch(batch);
        count++;
      }
      expect(count).toBe(2);
    });
  });

  test('stopping early pulls no further batches', async () => {
    const source = syncSource(5);
    await expectNoLeak(() => {
      for (const batch of withMixup(source, { seed: 1 })) {
        disposeBatch(batch);
        break;
      }
    });
    expect(source.made).toBe(1);
  });

  test('reports sources that are not iterable', () => {
    expect(() => withMixup(42 as unknown as Iterable<Batch>)).toThrow(/withMixup: source must be an Iterable or AsyncIterable of batches \{xs, ys\}, got 42/);
  });
});

describe('mixupDataset', () => {
  function labelledDataset(batches: number, b: number): tf.data.Dataset<XsYs> {
    return tf.data.generator(function* () {
      for (let i = 0; i < batches; i++) yield { xs: seededTensor([b, 2, 2, 1], 30 + i), ys: tf.tensor1d([0, 1, 2, 1, 0].slice(0, b), 'int32') };
    }) as unknown as tf.data.Dataset<XsYs>;
  }

  test('yields mixed inputs with mixed one-hot targets [B, K] consistent with them', async () => {
    const ds = mixupDataset(labelledDataset(2, 5), { numClasses: 3, alpha: 0.4, seed: 4 });
    await expectNoLeak(async () => {
      const elements = await ds.toArray();
      expect(elements).toHaveLength(2);
      for (const [k, el] of elements.entries()) {
        expect(el.xs.shape).toEqual([5, 2, 2, 1]);
        expect(el.ys.shape).toEqual([5, 3]);
        const sums = el.ys.sum(-1);
        expectClose(values(sums), [1, 1, 1, 1, 1], 1e-6, 1e-6);
        sums.dispose();
        // Every row puts λ on its own class and 1−λ on its partner's; find a partner and λ consistent with the inputs.
        const source = seededTensor([5, 2, 2, 1], 30 + k);
        const x = values(source);
        source.dispose();
        const mixedX = values(el.xs);
        const labels = [0, 1, 2, 1, 0];
        const rows = el.ys.arraySync() as number[][];
        // λ is the weight on a row's own class, read from a row whose partner has another class.
        const split = rows.findIndex((row) => row.filter((v) => v > 1e-6).length === 2);
        expect(split).toBeGreaterThanOrEqual(0);
        const lam = rows[split]![labels[split] as number] as number;
        rows.forEach((row, i) => {
          const partners = [0, 1, 2, 3, 4].filter((j) =>
            [0, 1, 2, 3].every((p) => Math.abs((mixedX[i * 4 + p] as number) - (lam * (x[i * 4 + p] as number) + (1 - lam) * (x[j * 4 + p] as number))) < 1e-5),
          );
          expect(partners.length).toBeGreaterThan(0);
          const j = partners[0] as number;
          const expected = [0, 0, 0];
          expected[labels[i] as number]! += lam;
          expected[labels[j] as number]! += 1 - lam;
          expectClose(row, expected, 1e-5, 1e-6);
        });
        tf.dispose([el.xs, el.ys]);
      }
    });
  });

  /** The elements of a dataset as plain arrays (disposing the tensors). */
  async function read(ds: tf.data.Dataset<XsYs>): Promise<{ xs: number[]; ys: number[] }[]> {
    const out: { xs: number[]; ys: number[] }[] = [];
    await ds.forEachAsync((el) => {
      out.push({ xs: values(el.xs), ys: values(el.ys) });
      tf.dispose([el.xs, el.ys]);
    });
    return out;
  }

  test("forwards rng, 'elem' mode and label smoothing: by hand for a scripted λ per sample and π", async () => {
    const lams = [0.9, 0.2, 0.6, 0.35, 0.75];
    // Fisher–Yates with every draw 0 swaps each position with 0: π = [1, 2, 3, 4, 0].
    const perm = [1, 2, 3, 4, 0];
    const labels = [0, 1, 2, 1, 0];
    const eps = 0.1;
    // α = 1: Beta(1, 1) is the uniform itself, so each λ is one scripted draw; then the permutation's four.
    const rng = scriptedRng([...lams, 0, 0, 0, 0]);
    const [el] = await read(mixupDataset(labelledDataset(1, 5), { numClasses: 3, alpha: 1, mode: 'elem', labelSmoothing: eps, rng }));
    expect(rng.used()).toBe(9);
    const x = Array.from(seededValues(20, 30));
    const xs = x.map((v, idx) => {
      const i = Math.floor(idx / 4);
      return lams[i]! * v + (1 - lams[i]!) * x[perm[i]! * 4 + (idx % 4)]!;
    });
    expectClose(el!.xs, xs, 1e-5, 1e-6);
    const ys = labels.flatMap((y, i) =>
      [0, 1, 2].map((k) => (1 - eps) * (lams[i]! * Number(k === y) + (1 - lams[i]!) * Number(k === labels[perm[i]!])) + eps / 3),
    );
    expectClose(el!.ys, ys, 1e-6, 1e-7);
  });

  test("method 'cutmix' pastes the box and mixes the targets by its area", async () => {
    // CutMix's α = 1 makes λ one uniform draw: λ = 0.75 gives 1×1 boxes in 2×2 images; π = [1, 0]; the centre (1, 1)
    // puts the box on pixel 3.
    const rng = scriptedRng([0.75, 0, 0.5, 0.5]);
    const [el] = await read(mixupDataset(labelledDataset(1, 2), { method: 'cutmix', numClasses: 3, rng }));
    expect(rng.used()).toBe(4);
    const x = Array.from(seededValues(8, 30));
    expect(el!.xs).toEqual([x[0], x[1], x[2], x[7], x[4], x[5], x[6], x[3]]);
    // Labels [0, 1]: each row puts 3/4 on its own class and 1/4 on its partner's.
    expectClose(el!.ys, [0.75, 0.25, 0, 0.25, 0.75, 0], 1e-6, 1e-7);
  });

  test('α = 0 gives one-hot targets and untouched inputs without drawing', async () => {
    const [el] = await read(mixupDataset(labelledDataset(1, 3), { alpha: 0, numClasses: 3, rng: untouchableRng }));
    expect(el!.xs).toEqual(Array.from(seededValues(12, 30)));
    expect(el!.ys).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  test('the same seed gives the same elements, epoch after epoch; another seed does not', async () => {
    const make = (seed: number) => mixupDataset(labelledDataset(2, 5), { numClasses: 3, seed });
    const a = make(21);
    const first = await read(a);
    const again = await read(a); // a second epoch continues the generator
    expect(await read(make(21))).toEqual(first);
    expect(again).not.toEqual(first);
    expect(await read(make(22))).not.toEqual(first);
  });

  test('feeds model.fitDataset with categoricalCrossentropy', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const ds = mixupDataset(labelledDataset(3, 5), { numClasses: 3, labelSmoothing: 0.1, mode: 'elem', seed: 1 });
    const history = await model.fitDataset(ds, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(history.history.loss?.[0] as number)).toBe(true);
    model.dispose();
  });

  test('reports bad datasets and options', () => {
    expect(() => mixupDataset([] as unknown as tf.data.Dataset<XsYs>)).toThrow(/mixupDataset: dataset must be a tf.data.Dataset/);
    const ds = labelledDataset(1, 2);
    expect(() => mixupDataset(ds, { alpha: -1 })).toThrow(/mixupDataset: alpha must be a finite number >= 0/);
    expect(() => mixupDataset(ds, { labelSmoothing: 2 })).toThrow(/mixupDataset: labelSmoothing must be a number in \[0, 1\), got 2/);
  });

  test('reports int labels without numClasses when iterated', async () => {
    await expect(mixupDataset(labelledDataset(1, 2), { seed: 1 }).toArray()).rejects.toThrow(/numClasses must be given for int32 labels/);
  });
});

// Keep the type import used: a MixedBatch is a Batch.
const _typecheck: (b: MixedBatch) => Batch = (b) => b;
void _typecheck;
