import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { getLearningRate, setLearningRate } from '../src/learningRate';
import { crossEntropy } from '../src/losses';
import type { EpochRecord } from '../src/records';
import { cosineAnnealing } from '../src/schedules';
import { accuracy } from '../src/scores';
import { NonFiniteLossError, trainNetwork } from '../src/train';
import type { BatchEndInfo } from '../src/train';
import type { CheckpointStore, StoredCheckpoint } from '../src/checkpoint/store';
import { ArraySource, argmax, blobs, ce, maxAbsDiff, mlp, pairAccuracy, pairLoss, reversePair, weightValues } from './helpers';
import type { PairTargets, TestBatch, TestTargets } from './helpers';

const D = 4;
const K = 3;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function data<T = tf.Tensor>(n: number, seed: number, batchSize: number, shuffle = true, shift = 0): ArraySource<T> {
  const { x, y } = blobs(n, D, K, seed, shift);
  return new ArraySource<T>(x, y, D, batchSize, shuffle, seed);
}

/** Mean cross-entropy and accuracy of a linear model (kernel [D, K], bias [K]) in float64. */
function linearStats(
  kernel: number[],
  bias: number[],
  x: Float32Array,
  y: Int32Array,
  partner?: (i: number) => { j: number; lam: number },
): { loss: number; acc: number } {
  let loss = 0;
  let acc = 0;
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: K }, (_, k) => bias[k]! + Array.from({ length: D }, (_, d) => x[i * D + d]! * kernel[d * K + k]!).reduce((a, b) => a + b, 0));
    const p = argmax(logits);
    if (partner) {
      const { j, lam } = partner(i);
      loss += lam * ce(logits, y[i]!) + (1 - lam) * ce(logits, y[j]!);
      acc += lam * (p === y[i] ? 1 : 0) + (1 - lam) * (p === y[j] ? 1 : 0);
    } else {
      loss += ce(logits, y[i]!);
      acc += p === y[i] ? 1 : 0;
    }
  }
  return { loss: loss / n, acc: acc / n };
}

function linearModel(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [D], units: K, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), biasInitializer: 'ones' })] });
}

describe('trainNetwork', () => {
  it('drives the loss down and accuracy up on separable synthetic data', async () => {
    const model = mlp(D, K, 11);
    const records = await trainNetwork(model, crossEntropy, data(96, 1, 16), {
      epochs: 5,
      optimizer: new AdamW({ learningRate: 0.05 }),
      testData: data(48, 2, 24, false),
      scores: { Accuracy: accuracy },
      silent: true,
      seed: 1,
    });
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4]);
    const first = records[0] as EpochRecord;
    const last = records[4] as EpochRecord;
    expect(last.trainLoss).toBeLessThan(0.6 * first.trainLoss);
    expect(last.testLoss as number).toBeLessThan(first.testLoss as number);
    expect(last.testScores.Accuracy as number).toBeGreaterThan(0.85);
    expect(last.trainScores.Accuracy as number).toBeGreaterThan(first.trainScores.Accuracy as number);
  });

  it('records losses and scores that match independent math (lr 0, uneven last batch)', async () => {
    const model = linearModel();
    const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
    const train = data(10, 3, 4); // batches of 4, 4, 2: the mean must weight by batch size
    const test = data(7, 4, 3, false);
    const opt = tf.train.sgd(0);
    const records = await trainNetwork(model, crossEntropy, train, {
      epochs: 2,
      optimizer: opt,
      testData: test,
      scores: { Accuracy: accuracy },
      silent: true,
    });
    const trainStats = linearStats(kernel!, bias!, train.x, train.y);
    const testStats = linearStats(kernel!, bias!, test.x, test.y);
    for (const r of records) {
      expect(Math.abs(r.trainLoss - trainStats.loss)).toBeLessThan(1e-5);
      expect(Math.abs((r.testLoss as number) - testStats.loss)).toBeLessThan(1e-5);
      expect(r.trainScores.Accuracy).toBeCloseTo(trainStats.acc, 6);
      expect(r.testScores.Accuracy).toBeCloseTo(testStats.acc, 6);
      expect(r.lr).toBe(0);
      expect(r.epochTime).toBeGreaterThan(0);
    }
    expect((records[1] as EpochRecord).totalTime).toBeCloseTo((records[0] as EpochRecord).epochTime + (records[1] as EpochRecord).epochTime, 9);
    opt.dispose();
  });

  it('passes any targets object through to the loss and scores (a pair loss defined in the test; one weight and per-sample weights)', async () => {
    for (const lambda of [0.3, [0.9, 0.2, 0.5, 0.1]]) {
      const model = linearModel();
      const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
      const train = data<TestTargets>(8, 6, 4, false);
      train.transform = (b) => reversePair(b, lambda);
      const opt = tf.train.sgd(0);
      const [r] = await trainNetwork(model, pairLoss, train, { optimizer: opt, scores: { Accuracy: pairAccuracy }, silent: true });
      // Partner of sample i is its mirror inside its batch of 4.
      const partner = (i: number): { j: number; lam: number } => {
        const base = Math.floor(i / 4) * 4;
        const pos = i - base;
        return { j: base + 3 - pos, lam: typeof lambda === 'number' ? lambda : (lambda[pos] as number) };
      };
      const expected = linearStats(kernel!, bias!, train.x, train.y, partner);
      expect(Math.abs((r as EpochRecord).trainLoss - expected.loss)).toBeLessThan(1e-5);
      expect((r as EpochRecord).trainScores.Accuracy).toBeCloseTo(expected.acc, 6);
      opt.dispose();
    }
  });

  it('calls onBatchEnd after every training step with the epoch, batch, batches, samples, seconds and running loss', async () => {
    const model = linearModel();
    const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
    const initial = weightValues(model);
    const train = data(10, 3, 4, false); // batches of 4, 4, 2 in order
    const infos: BatchEndInfo[] = [];
    const order: string[] = [];
    let movedAtFirstCall: boolean | undefined;
    const opt = tf.train.sgd(0);
    const records = await trainNetwork(model, crossEntropy, train, {
      epochs: 2,
      optimizer: opt,
      silent: true,
      onBatchEnd: (info) => {
        infos.push(info);
        order.push(`batch ${info.epoch}:${info.batch}`);
      },
      onEpochEnd: (r) => void order.push(`epoch ${r.epoch}`),
    });
    expect(order).toEqual(['batch 0:0', 'batch 0:1', 'batch 0:2', 'epoch 0', 'batch 1:0', 'batch 1:1', 'batch 1:2', 'epoch 1']);
    expect(infos.map((i) => i.samples)).toEqual([4, 8, 10, 4, 8, 10]);
    expect(infos.every((i) => i.batches === 3)).toBe(true);
    // The running mean over the samples so far, by independent float64 math on the first 4, 8 and 10 samples (lr 0).
    const upTo = (n: number) => linearStats(kernel!, bias!, train.x.slice(0, n * D), train.y.slice(0, n)).loss;
    const expected = [upTo(4), upTo(8), upTo(10)];
    infos.forEach((info, i) => expect(Math.abs(info.loss - (expected[i % 3] as number))).toBeLessThan(1e-5));
    expect(infos[2]!.loss).toBe(records[0]!.trainLoss);
    for (const e of [0, 3]) {
      expect(infos[e]!.seconds).toBeGreaterThan(0);
      expect(infos[e + 1]!.seconds).toBeGreaterThanOrEqual(infos[e]!.seconds);
      expect(infos[e + 2]!.seconds).toBeLessThanOrEqual(records[e / 3]!.epochTime);
    }
    opt.dispose();

    // Called after the update: a learning rate > 0 has moved the weights by the first call. Without `length`, no `batches`.
    const moving = linearModel();
    const sgd = tf.train.sgd(0.5);
    const unsized = {
      *[Symbol.iterator](): Iterator<TestBatch<tf.Tensor>> {
        yield* data(8, 3, 4, false);
      },
    };
    const seen: BatchEndInfo[] = [];
    await trainNetwork(moving, crossEntropy, unsized, {
      optimizer: sgd,
      silent: true,
      onBatchEnd: (info) => {
        if (movedAtFirstCall === undefined) movedAtFirstCall = maxAbsDiff(weightValues(moving), initial) > 1e-6;
        seen.push(info);
      },
    });
    expect(movedAtFirstCall).toBe(true);
    expect(seen.map((i) => 'batches' in i)).toEqual([false, false]);
    sgd.dispose();
  });

  it('keeps and disposes every tensor a batch holds, at any depth, without knowing what the targets are', async () => {
    type Nested = { labels: tf.Tensor; extra: [tf.Tensor, { deep: tf.Tensor; note: string }]; scale: number };
    const made: tf.Tensor[] = [];
    const nest = (b: TestBatch<tf.Tensor>): TestBatch<Nested> => {
      const extra: Nested['extra'] = [tf.ones([2]), { deep: tf.zeros([3]), note: 'kept as it is' }];
      made.push(b.ys, extra[0], extra[1].deep);
      return { xs: b.xs, ys: { labels: b.ys, extra, scale: 1 } };
    };
    const train = data<Nested>(12, 5, 4);
    train.transform = nest;
    const test = data<Nested>(6, 6, 3, false);
    test.transform = nest;
    const loss = (t: Nested, p: tf.Tensor): tf.Scalar => crossEntropy(t.labels, p);
    const score = (t: Nested, p: tf.Tensor): number => accuracy(t.labels, p);
    const model = mlp(D, K, 3);
    const opt = new AdamW();
    const start = tf.memory().numTensors;
    await trainNetwork(model, loss, train, { epochs: 2, optimizer: opt, testData: test, scores: { Accuracy: score }, silent: true });
    // A custom step returning targets of its own, holding new tensors and the batch's.
    await trainNetwork(model, loss, train, {
      optimizer: opt,
      scores: { Accuracy: score },
      silent: true,
      step: (batch, ctx) => {
        const predictions = ctx.model.apply(batch.xs, { training: true }) as tf.Tensor;
        const targets: Nested = { ...(batch.ys as Nested), extra: [tf.scalar(2), { deep: tf.ones([1]), note: 'new' }] };
        made.push(targets.extra[0], targets.extra[1].deep);
        return { loss: ctx.loss(targets, predictions), predictions, targets };
      },
    });
    expect(made.length).toBe(3 * (2 * 3 + 2 * 2 + 3) + 2 * 3);
    expect(made.filter((t) => !t.isDisposed)).toEqual([]);
    opt.dispose(); // its moments were made during training
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it("checkpointDir needs '@aa/train-loop/node'; a checkpointStore works without it (an in-memory store, resumed)", async () => {
    const src = data(8, 1, 4);
    await expect(trainNetwork(mlp(D, K, 1), crossEntropy, src, { checkpointDir: '/tmp/somewhere', silent: true })).rejects.toThrow(
      /^trainNetwork: options\.checkpointDir needs the Node file store: import '@aa\/train-loop\/node' once \(or pass options\.checkpointStore\), got "\/tmp\/somewhere"\.$/,
    );
    /** Keeps the files of the newest `keep` checkpoints in a Map, as a browser store might in IndexedDB. */
    const memoryStore = (): CheckpointStore & { saved: string[]; kept: Map<string, Readonly<Record<string, Uint8Array>>> } => {
      const kept = new Map<string, Readonly<Record<string, Uint8Array>>>();
      const saved: string[] = [];
      return {
        location: 'memory',
        saved,
        kept,
        async save(epoch, files, keep) {
          const path = `memory/epoch-${epoch}`;
          kept.set(path, { ...files });
          saved.push(path);
          for (const old of [...kept.keys()].slice(0, -keep)) kept.delete(old);
          return path;
        },
        async latest(): Promise<StoredCheckpoint | null> {
          const path = [...kept.keys()].pop();
          if (path === undefined) return null;
          const files = kept.get(path) as Readonly<Record<string, Uint8Array>>;
          return { path, read: async (file) => files[file] ?? null };
        },
      };
    };
    await expect(
      trainNetwork(mlp(D, K, 1), crossEntropy, src, { checkpointStore: memoryStore(), checkpointDir: '/tmp/x', silent: true }),
    ).rejects.toThrow(/^trainNetwork: options\.checkpointDir must be undefined when options\.checkpointStore is given \(pass one of them\), got "\/tmp\/x"\.$/);

    const run = async (epochs: number, model: tf.Sequential, store?: CheckpointStore, resume = false) => {
      const opt = new AdamW({ learningRate: 0.02 });
      const source = data(24, 9, 8);
      const records = await trainNetwork(model, crossEntropy, source, {
        epochs,
        optimizer: opt,
        seed: 3,
        silent: true,
        stateful: { data: source },
        ...(store === undefined ? {} : { checkpointStore: store, resume }),
      });
      opt.dispose();
      return records;
    };
    const straight = mlp(D, K, 7, { bn: true });
    const straightRecords = await run(3, straight);
    const store = memoryStore();
    const first = mlp(D, K, 7, { bn: true });
    await run(2, first, store);
    expect(store.saved).toEqual(['memory/epoch-0', 'memory/epoch-1']);
    expect([...store.kept.keys()]).toEqual(['memory/epoch-1']);
    const resumed = mlp(D, K, 42, { bn: true });
    const records = await run(3, resumed, store, true);
    expect(store.saved).toEqual(['memory/epoch-0', 'memory/epoch-1', 'memory/epoch-2']);
    expect(records.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(Math.abs(records[2]!.trainLoss - straightRecords[2]!.trainLoss)).toBeLessThan(1e-6);
    expect(maxAbsDiff(weightValues(resumed), weightValues(straight))).toBeLessThan(1e-6);
    [straight, first, resumed].forEach((m) => m.dispose());
  });

  it('steps the schedule once per epoch like the chapter, or per batch', async () => {
    const perEpoch = await trainNetwork(mlp(D, K, 3), crossEntropy, data(16, 7, 8), {
      epochs: 4,
      optimizer: new AdamW({ learningRate: 0.01 }),
      schedule: cosineAnnealing({ tMax: 4 }),
      silent: true,
    });
    perEpoch.forEach((r, t) => expect(r.lr).toBeCloseTo((0.01 * (1 + Math.cos((Math.PI * t) / 4))) / 2, 12));
    const opt = new AdamW({ learningRate: 0.01 });
    const perBatch = await trainNetwork(mlp(D, K, 3), crossEntropy, data(16, 7, 8), {
      epochs: 2,
      optimizer: opt,
      schedule: cosineAnnealing({ tMax: 4 }),
      scheduleStep: 'batch',
      silent: true,
    });
    // 2 batches per epoch: epoch 1 starts at step 2; after 4 steps the rate is at eta_min.
    expect(perBatch[1]?.lr).toBeCloseTo(0.005, 12);
    expect(opt.getLearningRate()).toBeCloseTo(0, 12);
    opt.dispose();
  });

  it('trains BatchNorm in training mode (moving statistics move) and evaluates with the moving statistics', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.batchNormalization({ inputShape: [D], momentum: 0.5 }),
        tf.layers.dense({ units: K, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
      ],
    });
    const bn = model.layers[0] as tf.layers.Layer;
    const [, , mean0] = bn.getWeights().map((w) => Array.from(w.dataSync()));
    expect(mean0).toEqual([0, 0, 0, 0]);
    const train = data(32, 9, 8, true, 5); // inputs around 5
    const test = data(6, 10, 6, false, 3); // a different mean: batch statistics would differ from the moving ones
    const opt = new AdamW({ learningRate: 0.01 });
    const records = await trainNetwork(model, crossEntropy, train, { epochs: 2, optimizer: opt, testData: test, silent: true });
    const [gamma, beta, mm, mv] = bn.getWeights().map((w) => Array.from(w.dataSync())) as number[][];
    mm!.forEach((v) => expect(v).toBeGreaterThan(4));
    const [kernel, bias] = (model.layers[1] as tf.layers.Layer).getWeights().map((w) => Array.from(w.dataSync()));
    const eps = (bn.getConfig() as { epsilon: number }).epsilon;
    const normalise = (stats: { mean: number[]; variance: number[] }): Float32Array =>
      Float32Array.from(test.x, (v, i) => {
        const d = i % D;
        return ((v - stats.mean[d]!) / Math.sqrt(stats.variance[d]! + eps)) * gamma![d]! + beta![d]!;
      });
    const withMoving = linearStats(kernel!, bias!, normalise({ mean: mm!, variance: mv! }), test.y);
    expect(Math.abs((records[1]?.testLoss as number) - withMoving.loss)).toBeLessThan(1e-4);
    // Control: normalising with the test batch's own statistics gives a clearly different loss.
    const batchMean = Array.from({ length: D }, (_, d) => test.x.filter((_, i) => i % D === d).reduce((a, b) => a + b, 0) / 6);
    const batchVar = batchMean.map((m, d) => test.x.filter((_, i) => i % D === d).reduce((a, b) => a + (b - m) ** 2, 0) / 6);
    const withBatch = linearStats(kernel!, bias!, normalise({ mean: batchMean, variance: batchVar }), test.y);
    expect(Math.abs(withBatch.loss - withMoving.loss)).toBeGreaterThan(0.05);
    opt.dispose();
  });

  it('runs a custom step (mixing hidden states) inside the update and scores what it returns', async () => {
    const run = async (seed: number): Promise<{ records: EpochRecord[]; weights: number[][]; seen: string[] }> => {
      const model = mlp(D, K, 12, { hidden: 6 });
      const [hidden, act, head] = model.layers as [tf.layers.Layer, tf.layers.Layer, tf.layers.Layer];
      const seen: string[] = [];
      const opt = new AdamW({ learningRate: 0.05 });
      const records = await trainNetwork(model, pairLoss, data<TestTargets>(48, 13, 12), {
        epochs: 4,
        optimizer: opt,
        scores: { Accuracy: pairAccuracy },
        silent: true,
        seed,
        step: (batch: TestBatch<TestTargets>, ctx) => {
          seen.push(`${ctx.epoch}:${ctx.batch}`);
          const b = batch.xs.shape[0] as number;
          const lam = ctx.random();
          const perm = tf.tensor1d(Array.from({ length: b }, (_, i) => (i + 1 + Math.floor(ctx.rng.random() * (b - 1))) % b), 'int32');
          // Mix hidden states rather than inputs.
          const h = act.apply(hidden.apply(batch.xs, { training: true }), { training: true }) as tf.Tensor;
          const mixed = tf.add(tf.mul(h, lam), tf.mul(tf.gather(h, perm), 1 - lam));
          const predictions = head.apply(mixed, { training: true }) as tf.Tensor;
          const targets: PairTargets = { first: batch.ys as tf.Tensor, second: tf.gather(batch.ys as tf.Tensor, perm), weight: lam };
          return { loss: ctx.loss(targets, predictions), predictions, targets };
        },
      });
      const weights = weightValues(model);
      opt.dispose();
      model.dispose();
      return { records, weights, seen };
    };
    const start = tf.memory().numTensors;
    const a = await run(5);
    expect(a.seen.slice(0, 5)).toEqual(['0:0', '0:1', '0:2', '0:3', '1:0']);
    expect(a.records[3]!.trainLoss).toBeLessThan(a.records[0]!.trainLoss);
    a.records.forEach((r) => expect(r.trainScores.Accuracy).toEqual(expect.any(Number)));
    const b = await run(5);
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    const c = await run(6);
    expect(maxAbsDiff(a.weights, c.weights)).toBeGreaterThan(1e-4);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('scores a custom step against the targets it returns, not the batch labels', async () => {
    const model = linearModel();
    const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
    const train = data<TestTargets>(8, 3, 4, false);
    const opt = tf.train.sgd(0);
    const [r] = await trainNetwork(model, pairLoss, train, {
      optimizer: opt,
      scores: { Accuracy: pairAccuracy },
      silent: true,
      step: (batch, ctx) => {
        const predictions = ctx.model.apply(batch.xs, { training: true }) as tf.Tensor;
        const targets = reversePair(batch as TestBatch<tf.Tensor>, 0.3).ys;
        return { loss: ctx.loss(targets, predictions), predictions, targets };
      },
    });
    const partner = (i: number): { j: number; lam: number } => ({ j: Math.floor(i / 4) * 4 + 3 - (i % 4), lam: 0.3 });
    const expected = linearStats(kernel!, bias!, train.x, train.y, partner);
    expect(Math.abs((r as EpochRecord).trainLoss - expected.loss)).toBeLessThan(1e-5);
    expect((r as EpochRecord).trainScores.Accuracy).toBeCloseTo(expected.acc, 6);
    // Control: the same predictions scored against the plain labels give another number.
    expect(Math.abs(linearStats(kernel!, bias!, train.x, train.y).acc - expected.acc)).toBeGreaterThan(0.05);
    opt.dispose();
  });

  it('reports null train scores when a custom step returns only a loss', async () => {
    const opt = new AdamW();
    const [r] = await trainNetwork(mlp(D, K, 1), crossEntropy, data(8, 1, 4), {
      optimizer: opt,
      scores: { Accuracy: accuracy },
      silent: true,
      step: (batch, ctx) => ctx.loss(batch.ys, ctx.model.apply(batch.xs, { training: true }) as tf.Tensor),
    });
    expect(r?.trainScores).toEqual({ Accuracy: null });
    opt.dispose();
  });

  it('keeps tf.memory().numTensors constant from epoch to epoch and frees everything at the end', async () => {
    const model = mlp(D, K, 2, { bn: true });
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    const opt = new AdamW({ learningRate: 0.01 });
    const train = data<TestTargets>(20, 2, 6);
    train.transform = (b, _e, i) => (i % 2 === 0 ? reversePair(b, [0.1, 0.5, 0.7, 0.2, 0.9, 1]) : b);
    await trainNetwork(model, pairLoss, train, {
      epochs: 4,
      optimizer: opt,
      schedule: cosineAnnealing({ tMax: 4 }),
      testData: data<TestTargets>(9, 3, 4, false),
      scores: { Accuracy: pairAccuracy },
      silent: true,
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    // The default optimizer is created and disposed by the loop itself.
    await trainNetwork(model, crossEntropy, data(8, 1, 4), { epochs: 2, silent: true });
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops on a NaN loss with an error naming the epoch and batch, without applying that update', async () => {
    const model = mlp(D, K, 4, { bn: true }); // BatchNorm statistics must not be poisoned either
    const start = tf.memory().numTensors;
    const train = data(16, 4, 4);
    let before: number[][] = [];
    train.transform = (b, epoch, i) => {
      if (epoch === 1 && i === 2) {
        before = weightValues(model);
        const xs = tf.fill(b.xs.shape as [number, number], Number.NaN);
        b.xs.dispose();
        return { xs, ys: b.ys };
      }
      return b;
    };
    const opt = new AdamW();
    const err = await trainNetwork(model, crossEntropy, train, { epochs: 3, optimizer: opt, silent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as NonFiniteLossError).message).toMatch(/loss is NaN at epoch 1, batch 2 \(both counted from 0\)/);
    expect(err).toMatchObject({ epoch: 1, batch: 2, checkpoint: null });
    expect(maxAbsDiff(weightValues(model), before)).toBe(0);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops on an infinite loss too', async () => {
    const model = mlp(D, K, 4);
    const opt = new AdamW();
    const err = await trainNetwork(model, () => tf.scalar(Number.POSITIVE_INFINITY).add(tf.sum(model.trainableWeights[0]!.read())) as tf.Scalar, data(8, 4, 4), {
      optimizer: opt,
      silent: true,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/loss is Infinity at epoch 0, batch 0/);
    opt.dispose();
  });

  it('cancels through an AbortSignal, from inside the data or from a timer, without leaking', async () => {
    const model = mlp(D, K, 4);
    const start = tf.memory().numTensors;
    const controller = new AbortController();
    const train = data(16, 4, 4);
    train.onBatch = (epoch, b) => {
      if (epoch === 1 && b === 1) controller.abort(new Error('stop now'));
    };
    const seen: number[] = [];
    const opt = new AdamW();
    await expect(
      trainNetwork(model, crossEntropy, train, { epochs: 5, optimizer: opt, silent: true, signal: controller.signal, onEpochEnd: (r) => void seen.push(r.epoch) }),
    ).rejects.toThrow('stop now');
    expect(seen).toEqual([0]);

    const timer = new AbortController();
    setTimeout(() => timer.abort(), 150);
    const t0 = Date.now();
    await expect(trainNetwork(model, crossEntropy, data(64, 4, 2), { epochs: 10_000, optimizer: opt, silent: true, signal: timer.signal })).rejects.toThrow(/abort/i);
    expect(Date.now() - t0).toBeLessThan(5000);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects a source that re-yields disposed tensors, and an empty source', async () => {
    const batches: TestBatch<tf.Tensor>[] = [{ xs: tf.zeros([2, D]), ys: tf.tensor1d([0, 1], 'int32') }];
    const opt = new AdamW();
    await expect(trainNetwork(mlp(D, K, 1), crossEntropy, batches, { epochs: 2, optimizer: opt, silent: true })).rejects.toThrow(
      /trainNetwork: trainData \(epoch 1, batch 0\) holds a disposed tensor; .* must create fresh tensors on every iteration/,
    );
    await expect(trainNetwork(mlp(D, K, 1), crossEntropy, [], { optimizer: opt, silent: true })).rejects.toThrow(/trainNetwork: trainData yielded no batches in epoch 0/);
    opt.dispose();
  });

  it('reads and sets the learning rate of AdamW and of tfjs optimizers, rejecting bad rates', () => {
    const adamw = new AdamW({ learningRate: 0.02 });
    const sgd = tf.train.sgd(0.1);
    const adam = tf.train.adam(0.01);
    expect([adamw, sgd, adam].map(getLearningRate)).toEqual([0.02, 0.1, 0.01]);
    [adamw, sgd, adam].forEach((o) => setLearningRate(o, 0.5));
    expect([adamw, sgd, adam].map(getLearningRate)).toEqual([0.5, 0.5, 0.5]);
    expect(() => setLearningRate(sgd, Number.NaN)).toThrow(/setLearningRate: lr must be a finite number >= 0, got NaN/);
    expect(() => setLearningRate(adam, -1)).toThrow(/setLearningRate: lr must be a finite number >= 0, got -1/);
    expect(getLearningRate(sgd)).toBe(0.5);
    [adamw, sgd, adam].forEach((o) => o.dispose());
  });

  it('validates its arguments with messages naming the argument and the allowed values', async () => {
    const model = mlp(D, K, 1);
    const src = data(4, 1, 4);
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => trainNetwork({} as tf.LayersModel, crossEntropy, src), /trainNetwork: model must be a tf.LayersModel, got an object/],
      [() => trainNetwork(model, 'ce' as never, src), /trainNetwork: loss must be a function, got "ce"/],
      [() => trainNetwork(model, crossEntropy, 3 as never), /trainNetwork: trainData must be an Iterable or AsyncIterable of \{xs, ys\} batches, got 3/],
      [() => trainNetwork(model, crossEntropy, src, { epochs: 0 }), /trainNetwork: options.epochs must be an integer >= 1, got 0/],
      [() => trainNetwork(model, crossEntropy, src, { scheduleStep: 'step' as never }), /trainNetwork: options.scheduleStep must be one of 'epoch', 'batch', got "step"/],
      [() => trainNetwork(model, crossEntropy, src, { resume: true }), /^trainNetwork: options\.checkpointDir must be a directory when options\.resume is true \(or pass options\.checkpointStore\), got undefined\.$/],
      [() => trainNetwork(model, crossEntropy, src, { seed: -1 }), /^trainNetwork: options\.seed must be an integer in \[0, 4294967295\], got -1\.$/],
      [() => trainNetwork(model, crossEntropy, src, { onBatchEnd: 'log' as never }), /^trainNetwork: options\.onBatchEnd must be a function, got "log"\.$/],
      [() => trainNetwork(model, crossEntropy, src, { checkpointStore: {} as CheckpointStore }), /^trainNetwork: options\.checkpointStore must be a CheckpointStore \{location, save\(epoch, files, keep\), latest\(\)\}, got an object\.$/],
      [() => trainNetwork(model, crossEntropy, src, { scores: { acc: 1 as never } }), /trainNetwork: options.scores.acc must be a function, got 1/],
      [() => trainNetwork(model, crossEntropy, src, { optimizer: {} as tf.Optimizer }), /trainNetwork: options.optimizer must be a tf.Optimizer, got an object/],
      [() => trainNetwork(model, crossEntropy, src, { stateful: { d: {} as never } }), /trainNetwork: options.stateful.d must be an object with getState\(\) and setState\(state\), got an object/],
      [() => trainNetwork(model, crossEntropy, [{ xs: tf.zeros([1, D]) } as TestBatch<tf.Tensor>]), /^trainNetwork: trainData \(epoch 0, batch 0\) must be a batch \{xs: Tensor, ys: targets for the loss\}, got an object\.$/],
      [
        () => trainNetwork(model, crossEntropy, data(4, 1, 4), { optimizer: tf.train.sgd(0.1), schedule: () => Number.NaN }),
        /trainNetwork: the learning rate returned by options.schedule\(0, 0.1\) must be a finite number >= 0, got NaN/,
      ],
    ];
    for (const [f, message] of cases) await expect(f()).rejects.toThrow(message);
  });

  it('stops on labels outside the model output classes, naming the loss and the index, changing nothing and leaking nothing', async () => {
    const model = mlp(D, K, 1, { bn: true }); // the forward pass moves BatchNorm statistics before the loss throws
    const start = tf.memory().numTensors;
    const opt = new AdamW();
    const train = data(8, 1, 4);
    let afterFirst: number[][] = [];
    train.transform = (b, _e, i) => {
      if (i !== 1) return b;
      afterFirst = weightValues(model);
      const ys = tf.tidy(() => tf.add(b.ys as tf.Tensor, tf.scalar(K, 'int32')));
      tf.dispose(b.ys as tf.Tensor);
      return { xs: b.xs, ys };
    };
    await expect(trainNetwork(model, crossEntropy, train, { optimizer: opt, silent: true })).rejects.toThrow(/^crossEntropy: targets must hold class indices in \[0, 2\], got [3-5] at index 0\.$/);
    expect(maxAbsDiff(weightValues(model), afterFirst)).toBe(0); // the bad batch changed nothing
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    // The same for a custom step that throws after its forward pass.
    const err = await trainNetwork(model, crossEntropy, data(8, 1, 4), {
      optimizer: opt,
      silent: true,
      step: (batch, ctx) => {
        ctx.model.apply(batch.xs, { training: true });
        throw new Error('step failed');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('step failed');
    expect(maxAbsDiff(weightValues(model), afterFirst)).toBe(0);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });
});
