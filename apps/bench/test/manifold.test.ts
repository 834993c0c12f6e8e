import { trainNetwork, crossEntropy } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { manifoldStep, permuteRows } from '../src/experiments/manifold';
import { segmentedResnet } from '../src/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('permuteRows', () => {
  const perm = Int32Array.from([2, 0, 3, 1]);
  it('permutes rows like x[perm]', () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(permuteRows(x, perm).arraySync()).toEqual([[5, 6], [1, 2], [7, 8], [3, 4]]);
  });

  it('has the gradient of a permutation: d/dx sum(w · x[perm]) = w[perm⁻¹], checked by finite differences', () => {
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
    const w = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(w, permuteRows(t, perm)));
    const g = tf.grad(f)(x).arraySync() as number[][];
    const xs = x.arraySync() as number[][];
    const eps = 1e-2;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        const plus = xs.map((r) => [...r]);
        const minus = xs.map((r) => [...r]);
        (plus[i] as number[])[j] = (xs[i]?.[j] as number) + eps;
        (minus[i] as number[])[j] = (xs[i]?.[j] as number) - eps;
        const fd = ((f(tf.tensor2d(plus)).arraySync() as number) - (f(tf.tensor2d(minus)).arraySync() as number)) / (2 * eps);
        expect(g[i]?.[j]).toBeCloseTo(fd, 2);
      }
    }
  });
});

describe('manifoldStep', () => {
  it('trains the segmented ReZero ResNet through trainNetwork without leaking tensors', async () => {
    const { model } = segmentedResnet({ inputShape: [8, 8, 3], width: 4, blocksPerStage: 0 });
    const batches = () => [0, 1].map(() => ({ xs: tf.randomUniform([4, 8, 8, 3]), ys: tf.tensor1d([0, 1, 2, 3], 'int32') }));
    const before = tf.memory().numTensors;
    const records = await trainNetwork(model, crossEntropy, { [Symbol.iterator]: () => batches()[Symbol.iterator]() }, { epochs: 2, step: manifoldStep(model), silent: true, seed: 3 });
    expect(records).toHaveLength(2);
    expect(Number.isFinite(records[1]?.trainLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a model without segments', () => {
    const input = tf.input({ shape: [2] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    expect(() => manifoldStep(model)).toThrow(/manifoldStep: model must come from segmentedResnet/);
  });
});
