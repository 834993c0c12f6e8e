/**
 * The batch-norm training fusion (kernels/moments.ts, deferred.ts, tapeMatch.ts, gradients.ts):
 * tf.moments' intermediates are deferred, batch norm's gradient folds the statistics' gradients into
 * dx when the tape shows they are x's own moments, and the ReLU gradient is one pass. Every result is
 * compared with the cpu backend, which runs tfjs-core's own step-by-step definitions.
 */
import * as tf from '@tensorflow/tfjs';

import { deferredStats } from '../src/deferred';
import { kernelStats, registerOneDnnBackend, resetKernelStats } from '../src/index';
import { compareBackends, describeNative, expectClose, rand, runOn } from './helpers';
import { createRng } from './rng';

/** Bit-exact equality, NaN matching NaN. */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);
}

/** conv - BN - ReLU twice (one with a residual add), dense: the chapter's blocks in miniature. */
function model(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [5, 5, 3] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(h) as tf.SymbolicTensor;
  const a = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  let f = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2) }).apply(a) as tf.SymbolicTensor;
  f = tf.layers.batchNormalization({ epsilon: 1e-5, gammaInitializer: tf.initializers.constant({ value: 0.7 }) }).apply(f) as tf.SymbolicTensor;
  h = tf.layers.reLU().apply(tf.layers.add().apply([a, f])) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describeNative('batch-norm training fusion', () => {
  afterEach(async () => {
    registerOneDnnBackend({ fuseGradients: true });
    await tf.setBackend('cpu');
  });

  test('a training step of conv-BN-ReLU layers: same loss and gradients as cpu, with the fused kernels and nothing deferred computed', async () => {
    const m = model();
    const step = () => {
      const xs = rand([6, 5, 5, 3], 1);
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0, 2], 'int32'), 3);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar);
      return [value, ...m.trainableWeights.map((w) => grads[w.originalName] as tf.Tensor)];
    };
    const computed = deferredStats.computed;
    const made = deferredStats.made;
    const conv = { ...(deferredStats.byKind.convInput ?? { made: 0, computed: 0 }) };
    const stats = await compareBackends(step, { atol: 1e-5, rtol: 1e-3 });
    // Two BNs: two training-mode gradients; the moments' square, tile and broadcast passes are gone.
    expect(stats.OneDnnBatchNormTrainGrad).toEqual({ native: 2, fallback: 0, errors: 0 });
    expect(stats.OneDnnFusedBatchNormGrad).toBeUndefined();
    expect(stats.OneDnnReluGrad).toEqual({ native: 2, fallback: 0, errors: 0 });
    expect(deferredStats.made - made).toBeGreaterThanOrEqual(2 * 2 + 2 * 4);
    // Both convolutions' input gradients are deferred; only the second one's is read (by the first
    // block's gradient): the first layer's input is data. Nothing else deferred is computed.
    const convNow = deferredStats.byKind.convInput ?? { made: 0, computed: 0 };
    expect(convNow.made - conv.made).toBe(2);
    expect(convNow.computed - conv.computed).toBe(1);
    expect(deferredStats.computed - computed).toBe(1);
    m.dispose();
  });

  test('the fused step leaves no tensor and no data buffer behind', async () => {
    await tf.setBackend('onednn');
    const m = model();
    const xs = rand([4, 5, 5, 3], 2);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const optimizer = tf.train.adam(0.01);
    const loss = () => tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
    optimizer.minimize(loss); // creates the optimizer's slots
    const before = tf.memory();
    for (let i = 0; i < 3; i++) tf.dispose(optimizer.minimize(loss, true) ?? []);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    tf.dispose([xs, ys]);
    optimizer.dispose();
    m.dispose();
  });

  test("moments' deferred intermediates read back bit for bit as cpu computes them, also after their input is disposed", async () => {
    const run = async (backend: 'cpu' | 'onednn') => {
      await tf.setBackend(backend);
      const before = tf.memory();
      const x = rand([3, 4, 5, 6], 3, -3, 3);
      const m = tf.mean(x, [0, 1, 2]);
      const m4 = tf.reshape(m, [1, 1, 1, 6]);
      const d = tf.sub(x, m4);
      const sq = tf.square(d);
      const v = tf.mean(sq, [0, 1, 2]);
      x.dispose(); // d and sq still need x's values
      const out = [d, sq, v].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([m, m4, d, sq, v]);
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
      return out;
    };
    const cpu = await run('cpu');
    registerOneDnnBackend({ fuseGradients: false });
    const plain = await run('onednn');
    registerOneDnnBackend({ fuseGradients: true });
    const made = deferredStats.made;
    const one = await run('onednn');
    expect(deferredStats.made - made).toBe(2);
    // Computed late from the same data, the centred values and squares are the bits the plain kernels give.
    expectSameBits(one[0] as Float32Array, plain[0] as Float32Array);
    expectSameBits(one[1] as Float32Array, plain[1] as Float32Array);
    // The variance comes from x and the mean in one pass: the same value, float rounding aside.
    for (let i = 0; i < 3; i++) expectClose(one[i] as Float32Array, cpu[i] as Float32Array, { atol: 1e-6, rtol: 1e-5 });
  });

  test('a deferred tensor disposed unread releases what it held', async () => {
    await tf.setBackend('onednn');
    const before = tf.memory();
    const x = rand([2, 3, 4], 4);
    const sq = tf.tidy(() => tf.square(tf.sub(x, tf.mean(x, [0, 1]))));
    x.dispose();
    // The square, and the data of x and of the mean that it holds.
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 3);
    sq.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  test('moments with special values and random channels-last shapes: forward and gradients as on cpu', async () => {
    const rng = createRng(11);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.random() * (hi - lo + 1));
    for (let trial = 0; trial < 12; trial++) {
      const rank = int(2, 4);
      const shape = Array.from({ length: rank }, () => int(1, 5));
      const n = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n).map(() => (rng.random() < 0.05 ? [NaN, Infinity, -Infinity, -0][int(0, 3)] as number : rng.random() * 6 - 3));
      const channels = shape[rank - 1] as number;
      const gamma = Float32Array.from({ length: channels }, (_, i) => 0.5 + i / 4);
      const beta = Float32Array.from({ length: channels }, (_, i) => i / 3 - 0.5);
      const f = () => {
        const x = tf.tensor(values, shape);
        const axes = Array.from({ length: rank - 1 }, (_, i) => i);
        const g = tf.grad((a: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, axes);
          return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, tf.tensor1d(beta), tf.tensor1d(gamma), 1e-3), tf.range(0, n).reshape(shape)));
        })(x);
        const { mean, variance } = tf.moments(x, axes);
        return [mean, variance, g];
      };
      await compareBackends(f, { atol: 1e-4, rtol: 1e-3 });
    }
  });

  test('statistics computed outside the tape are constants there: batch norm keeps the plain gradient', async () => {
    const x = rand([4, 3, 2], 5, -2, 2);
    const stats = await compareBackends(() => {
      const { mean, variance } = tf.moments(x, [0, 1]); // outside the gradient's tape
      return tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.batchNorm(a, mean, variance, tf.ones([2]), tf.ones([2])))))(x);
    });
    expect(stats.OneDnnFusedBatchNormGrad).toEqual({ native: 1, fallback: 0, errors: 0 });
    expect(stats.OneDnnBatchNormTrainGrad).toBeUndefined();
  });

  test('a variable that holds the batch mean is a constant too', async () => {
    const x = rand([5, 3], 6, -2, 2);
    const stats = await compareBackends(() => {
      const v = tf.variable(tf.zeros([3]));
      const g = tf.grad((a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0]);
        v.assign(mean); // the variable now shares the mean's data, but is a leaf of the tape
        return tf.sum(tf.square(tf.batchNorm(a, v.clone(), variance, tf.zeros([3]), tf.ones([3]))));
      })(x);
      v.dispose();
      return g;
    });
    expect(stats.OneDnnBatchNormTrainGrad).toBeUndefined();
  });

  test('other consumers of the statistics and the centred values still get their gradients', async () => {
    await compareBackends(() =>
      tf.grad((a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1]);
        const y = tf.batchNorm(a, mean, variance, tf.fill([2], 0.1), tf.fill([2], 1.5), 1e-3);
        return tf.addN([tf.sum(tf.square(y)), tf.mul(tf.sum(mean), 3), tf.sum(tf.sqrt(variance)), tf.sum(tf.sin(tf.sub(a, mean)))]);
      })(rand([3, 4, 2], 7, -2, 2)),
    );
  });

  test('ReLU gradient: dy * step(x) in one pass, NaN and signed zeros as on cpu', async () => {
    const x = tf.tensor([-2, -0, 0, 1e-30, 3, NaN, Infinity, -Infinity]);
    const dy = tf.tensor([1, 2, -3, 4, -5, 6, 7, 8]);
    const f = () => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x);
    const cpu = await runOn('cpu', f);
    resetKernelStats();
    const one = await runOn('onednn', f);
    expect(kernelStats().OneDnnReluGrad).toEqual({ native: 1, fallback: 0, errors: 0 });
    expectSameBits((one[0] as { values: Float32Array }).values, (cpu[0] as { values: Float32Array }).values);
    tf.dispose([x, dy]);
  });

  test('with fuseGradients: false nothing is deferred and tfjs-core computes every step', async () => {
    registerOneDnnBackend({ fuseGradients: false });
    const made = deferredStats.made;
    const m = model();
    const stats = await compareBackends(() => {
      const { grads } = tf.variableGrads(() => tf.sum(m.apply(rand([2, 5, 5, 3], 8), { training: true }) as tf.Tensor) as tf.Scalar);
      return Object.values(grads);
    });
    expect(deferredStats.made).toBe(made);
    expect(stats.OneDnnBatchNormTrainGrad).toBeUndefined();
    expect(stats.OneDnnReluGrad).toBeUndefined();
    m.dispose();
  });

  test('adding known zeros returns the other operand, and read zeros are zeros', async () => {
    await tf.setBackend('onednn');
    const zeros = tf.engine().runKernel('OneDnnZeros', {}, { shape: [2, 3] }) as tf.Tensor;
    const b = rand([2, 3], 9);
    const sum = tf.add(zeros, b);
    expectSameBits(Float32Array.from(sum.dataSync()), Float32Array.from(b.dataSync()));
    expect(Array.from(zeros.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([zeros, b, sum]);
  });
});
