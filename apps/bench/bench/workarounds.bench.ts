/**
 * Times the two workarounds the bench used to carry for kernels @aa/backend-onednn lacked, against the plain library
 * code they stood in for (prints figures, asserts nothing): Manifold MixUp's hidden-state permutation (tf.gather,
 * whose gradient is UnsortedSegmentSum, against a custom permutation gradient) and reflect-padded blur pooling
 * (tf.gather again) against zero padding. `pnpm --filter @aa/bench exec tsx bench/workarounds.bench.ts`
 */
import { BlurPool } from '@aa/blur';
import { crossEntropy, manifoldMixupForward, createRng } from '@aa/mixup';
import { chapterResnet, segmentedResnet } from '@aa/rezero';
import { AdamW } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { selectBackend } from '../src/backend';

const BATCH = 128;

/** `x[perm]` with the gradient written out as the inverse permutation (the bench's old workaround). */
function permuteRows(x: tf.Tensor, perm: Int32Array): tf.Tensor {
  const inverse = new Int32Array(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  const f = tf.customGrad((...args) => ({
    value: tf.gather(args[0] as tf.Tensor, tf.tensor1d(perm, 'int32'), 0),
    gradFunc: (dy: tf.Tensor) => tf.gather(dy, tf.tensor1d(inverse, 'int32'), 0),
  }));
  return f(x);
}

function imagesPerSecond(vars: tf.Variable[], loss: () => tf.Scalar, steps = 4): number {
  const optimizer = new AdamW();
  const step = () => tf.tidy(() => void optimizer.minimize(loss, false, vars));
  step();
  const t = performance.now();
  for (let i = 0; i < steps; i++) step();
  optimizer.dispose();
  return (BATCH * steps) / ((performance.now() - t) / 1000);
}

async function main(): Promise<void> {
  const info = await selectBackend('auto');
  console.log(`backend: ${info.name}`);
  const xs = tf.randomUniform([BATCH, 24, 24, 3], 0, 1, 'float32', 1);
  const ys = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const { model, segments } = segmentedResnet({ inputShape: [24, 24, 3], classes: 10, seed: 0 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = createRng(0);
  const library = imagesPerSecond(vars, () => {
    const r = manifoldMixupForward(segments, xs, ys, { alpha: 2, rng, boundaries: [2] });
    return crossEntropy(r.targets, r.predictions);
  });
  const perm = Int32Array.from({ length: BATCH }, (_, i) => (i * 37) % BATCH);
  const workaround = imagesPerSecond(vars, () => {
    let h: tf.Tensor = xs;
    h = (segments[0] as tf.LayersModel).apply(h, { training: true }) as tf.Tensor;
    h = (segments[1] as tf.LayersModel).apply(h, { training: true }) as tf.Tensor;
    h = tf.add(tf.mul(h, 0.7), tf.mul(permuteRows(h, perm), 0.3));
    for (const s of segments.slice(2)) h = (s as tf.LayersModel).apply(h, { training: true }) as tf.Tensor;
    return crossEntropy(ys, h);
  });
  console.log(`Manifold MixUp (mixing after stage 2), training img/s: @aa/mixup manifoldMixupForward ${library.toFixed(0)}, custom permutation gradient ${workaround.toFixed(0)}`);
  model.dispose();
  for (const padding of ['same', 'reflect'] as const) {
    const net = chapterResnet({
      rezero: true,
      inputShape: [24, 24, 3],
      seed: 0,
      downsample: (x, d) => new BlurPool({ kernelSize: 3, stride: d.stride, padding, name: d.name }).apply(x) as tf.SymbolicTensor,
    });
    const v = net.trainableWeights.map((w) => w.read() as tf.Variable);
    const ips = imagesPerSecond(v, () => crossEntropy(ys, net.apply(xs, { training: true }) as tf.Tensor));
    console.log(`exercise 5 ReZero ResNet, blur padding '${padding}': ${ips.toFixed(0)} training img/s`);
    net.dispose();
  }
  tf.dispose([xs, ys]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
