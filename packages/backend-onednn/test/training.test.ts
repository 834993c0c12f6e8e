/** A few epochs of a small CNN give the same losses and weights on onednn as on cpu. */
import * as tf from '@tensorflow/tfjs';

import { describeNative, expectClose, seeded } from './helpers';

/** conv-BN-ReLU, max pool, depthwise blur, conv, global average pool, dense: every overridden family. */
function buildModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [11, 11, 3] });
  // No bias before BatchNorm: its true gradient is 0, so Adam would turn float noise into full steps.
  let h = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, useBias: false, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init(4) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function train(backend: 'cpu' | 'onednn'): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend(backend);
  const model = buildModel();
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let b = 0; b < 4; b++) {
      const [xs, ys] = tf.tidy(() => {
        const x = tf.tensor4d(seeded(6 * 11 * 11 * 3, 100 + b, 0, 1), [6, 11, 11, 3]);
        const y = tf.oneHot(tf.tensor1d(Array.from({ length: 6 }, (_, i) => (i + b) % 3), 'int32'), 3);
        return [x, y];
      });
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys as tf.Tensor, model.apply(xs as tf.Tensor, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      ) as tf.Scalar;
      losses.push(loss.dataSync()[0] as number);
      tf.dispose([xs as tf.Tensor, ys as tf.Tensor, loss]);
    }
  }
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  optimizer.dispose();
  model.dispose();
  return { losses, weights };
}

describeNative('training a small CNN', () => {
  test('3 epochs of Adam: same losses and final weights on both backends', async () => {
    const cpu = await train('cpu');
    const onednn = await train('onednn');
    await tf.setBackend('cpu');
    expect(cpu.losses).toHaveLength(12);
    // The model learns (so the comparison is not between two constant sequences).
    expect(cpu.losses[11] as number).toBeLessThan(cpu.losses[0] as number);
    expectClose(Float32Array.from(onednn.losses), Float32Array.from(cpu.losses), { atol: 1e-4, rtol: 1e-3 });
    expect(onednn.weights).toHaveLength(cpu.weights.length);
    onednn.weights.forEach((w, i) => {
      try {
        expectClose(w, cpu.weights[i] as Float32Array, { atol: 2e-3, rtol: 1e-2 });
      } catch (err) {
        throw new Error(`weight ${i}: ${(err as Error).message}`);
      }
    });
  });
});
