import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../src/losses';
import type { Stateful } from '../src/types';

/** A batch whose targets are known to the test (the library's `Batch` keeps them opaque). */
export interface TestBatch<T = tf.Tensor> {
  xs: tf.Tensor;
  ys: T;
}

/** A tiny seeded generator for test data (mulberry32), independent of the library's own. */
export function mulberry32(seed: number): { next: () => number; state: () => number; setState: (s: number) => void } {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state: () => a,
    setState: (s: number) => {
      a = s >>> 0;
    },
  };
}

/** Deterministic blobs: `n` points in `d` dimensions, class k centred at +2 on axis k mod d. */
export function blobs(n: number, d: number, k: number, seed: number, shift = 0): { x: Float32Array; y: Int32Array } {
  const r = mulberry32(seed);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) {
      // Box-Muller for a normal draw.
      const g = Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
      x[i * d + j] = shift + (j === c % d ? 2 : 0) + 0.7 * g;
    }
  }
  return { x, y };
}

/**
 * An in-memory batch source following the shared contract: re-iterable, fresh tensors every time,
 * reshuffled per epoch by its own seeded generator (exposed as Stateful for checkpoints). Its batches hold int32
 * labels, unless `transform` turns them into other targets `T`.
 */
export class ArraySource<T = tf.Tensor> implements Iterable<TestBatch<T>>, Stateful {
  readonly length: number;
  private rng: ReturnType<typeof mulberry32>;
  /** Called before each batch is yielded: (epoch, batch) — lets tests inject faults. */
  onBatch?: (epoch: number, batch: number) => void;
  /** Transforms a batch before it is yielded. */
  transform?: (b: TestBatch<tf.Tensor>, epoch: number, batch: number) => TestBatch<T>;
  private epoch = 0;

  constructor(
    readonly x: Float32Array,
    readonly y: Int32Array,
    readonly d: number,
    readonly batchSize: number,
    private readonly shuffle: boolean,
    seed = 1,
  ) {
    this.length = Math.ceil(y.length / batchSize);
    this.rng = mulberry32(seed);
  }

  getState(): unknown {
    return { rng: this.rng.state(), epoch: this.epoch };
  }

  setState(state: unknown): void {
    const s = state as { rng: number; epoch: number };
    this.rng.setState(s.rng);
    this.epoch = s.epoch;
  }

  *[Symbol.iterator](): Iterator<TestBatch<T>> {
    const n = this.y.length;
    const order = Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    const epoch = this.epoch++;
    for (let b = 0; b < this.length; b++) {
      const idx = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      const xs = new Float32Array(idx.length * this.d);
      idx.forEach((i, r) => xs.set(this.x.subarray(i * this.d, (i + 1) * this.d), r * this.d));
      this.onBatch?.(epoch, b);
      const batch: TestBatch<tf.Tensor> = { xs: tf.tensor2d(xs, [idx.length, this.d]), ys: tf.tensor1d(idx.map((i) => this.y[i] as number), 'int32') };
      yield this.transform ? this.transform(batch, epoch, b) : (batch as unknown as TestBatch<T>);
    }
  }
}

/** A small MLP with seeded initialisers; `bn` adds a BatchNorm after the hidden layer. */
export function mlp(d: number, k: number, seed: number, { hidden = 8, bn = false, prefix = '' } = {}): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [d],
      units: hidden,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      name: prefix ? `${prefix}_h` : undefined,
    }),
  );
  if (bn) model.add(tf.layers.batchNormalization({ momentum: 0.5 }));
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.dense({ units: k, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

/** All weights of a model as plain arrays. */
export function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/** Largest absolute difference between two lists of arrays of equal shapes. */
export function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  a.forEach((row, i) => {
    const other = b[i] as number[];
    expect(row.length).toBe(other.length);
    row.forEach((v, j) => (m = Math.max(m, Math.abs(v - (other[j] as number)))));
  });
  return m;
}

/** log-sum-exp based cross-entropy of one row of logits against a class, in float64. */
export function ce(logits: ArrayLike<number>, cls: number): number {
  const arr = Array.from(logits);
  const mx = Math.max(...arr);
  const lse = mx + Math.log(arr.reduce((s, v) => s + Math.exp(v - mx), 0));
  return lse - (arr[cls] as number);
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/**
 * Targets of a loss defined here, not in the library: two label sets and the weight of the first (one number, or one per
 * sample). The loop must pass such objects through to the loss and scores, keep them across its tidy scopes and dispose
 * them, without knowing what they are.
 */
export interface PairTargets {
  first: tf.Tensor;
  second: tf.Tensor;
  weight: number | tf.Tensor1D;
}

export type TestTargets = tf.Tensor | PairTargets;

/** `w·CE(ŷ, first) + (1−w)·CE(ŷ, second)` per sample, averaged; the library's crossEntropy for plain labels. */
export function pairLoss(targets: TestTargets, logits: tf.Tensor): tf.Scalar {
  if (targets instanceof tf.Tensor) return crossEntropy(targets, logits);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits as tf.Tensor2D);
    const k = logits.shape[1] as number;
    const ce = (y: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, k), logp), -1));
    const w = typeof targets.weight === 'number' ? tf.scalar(targets.weight) : targets.weight;
    return tf.mean(tf.add(tf.mul(w, ce(targets.first)), tf.mul(tf.sub(1, w), ce(targets.second)))) as tf.Scalar;
  });
}

/** `w·[ŷ = first] + (1−w)·[ŷ = second]` per sample, averaged; plain accuracy for plain labels. */
export function pairAccuracy(targets: TestTargets, predictions: tf.Tensor): number {
  return tf.tidy(() => {
    const pred = tf.argMax(predictions, -1);
    const hit = (y: tf.Tensor) => tf.cast(tf.equal(pred, y), 'float32');
    if (targets instanceof tf.Tensor) return tf.mean(hit(targets)).dataSync()[0] as number;
    const w = typeof targets.weight === 'number' ? tf.scalar(targets.weight) : targets.weight;
    return tf.mean(tf.add(tf.mul(w, hit(targets.first)), tf.mul(tf.sub(1, w), hit(targets.second)))).dataSync()[0] as number;
  });
}

/** Pairs every sample with its mirror in the batch: `{first: labels, second: labels reversed, weight}`. */
export function reversePair(batch: TestBatch<tf.Tensor>, weight: number | number[]): TestBatch<TestTargets> {
  const first = batch.ys as tf.Tensor1D;
  const ys: PairTargets = {
    first,
    second: tf.reverse(first),
    weight: typeof weight === 'number' ? weight : tf.tensor1d(weight.slice(0, first.shape[0])),
  };
  return { xs: batch.xs, ys };
}
