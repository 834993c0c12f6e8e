/**
 * Time to mix a [128, 24, 24, 3] batch next to one training step (forward + backward + update, batch 128)
 * of the chapter's small CNN, on the pure-JS cpu backend. Prints figures; asserts nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, cutmixBatch, mixupBatch, mixupCollator, mixupLoss } from '../src/index';
import type { MixedBatch } from '../src/index';

const B = 128;
const SHAPE: [number, number, number, number] = [B, 24, 24, 3];

function disposeBatch(b: MixedBatch): void {
  tf.dispose([b.xs, b.ys.yi, b.ys.yj]);
  if (typeof b.ys.lambda !== 'number') b.ys.lambda.dispose();
}

/** Median wall time of `reps` runs of `fn` after `warmup` runs, in ms. */
function timeIt(fn: () => void, reps = 20, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)] as number;
}

/** The chapter's CNN: (3x3 conv 'same' + BN + ReLU) x2, maxPool 2, x2, maxPool 2, x2, flatten, dense 10; 16 channels. */
function chapterCnn(): tf.LayersModel {
  const input = tf.input({ shape: [24, 24, 3] });
  let h: tf.SymbolicTensor = input;
  const cnnLayer = (x: tf.SymbolicTensor): tf.SymbolicTensor => {
    const conv = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
    return tf.layers.reLU().apply(bn) as tf.SymbolicTensor;
  };
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = cnnLayer(cnnLayer(h));
  }
  const logits = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, node ${process.version}`);
  const xs = tf.randomUniform(SHAPE, 0, 1, 'float32', 1);
  const ys = tf.randomUniform([B], 0, 10, 'int32', 2);
  const rng = createRng(3);

  const figures: [string, number][] = [
    ["mixupBatch 'batch'", timeIt(() => disposeBatch(mixupBatch(xs, ys, { rng })))],
    ["mixupBatch 'elem'", timeIt(() => disposeBatch(mixupBatch(xs, ys, { mode: 'elem', rng })))],
    ["cutmixBatch 'batch'", timeIt(() => disposeBatch(cutmixBatch(xs, ys, { rng })))],
    ["cutmixBatch 'elem'", timeIt(() => disposeBatch(cutmixBatch(xs, ys, { mode: 'elem', rng })))],
  ];
  const collate = mixupCollator({ seed: 4 });
  figures.push(['mixupCollator (incl. disposing the input)', timeIt(() => disposeBatch(collate({ xs: xs.clone(), ys: ys.clone() })))]);
  for (const [name, ms] of figures) console.log(`mix [${SHAPE.join(',')}] ${name.padEnd(42)} ${ms.toFixed(2)} ms (median of 20)`);

  const model = chapterCnn();
  const optimizer = tf.train.adam(1e-3);
  const loss = mixupLoss();
  const mixed = mixupBatch(xs, ys, { rng });
  const t0 = performance.now();
  const value = optimizer.minimize(() => loss(mixed.ys, model.apply(mixed.xs, { training: true }) as tf.Tensor), true) as tf.Scalar;
  const lossValue = value.dataSync()[0] as number;
  const stepMs = performance.now() - t0;
  console.log(`train step of the chapter's CNN, batch ${B} (forward+backward+Adam, first and only step): ${(stepMs / 1000).toFixed(1)} s, loss ${lossValue.toFixed(4)}`);
  const mixupMs = figures[0]![1];
  console.log(`mixing ('batch' MixUp) = ${((100 * mixupMs) / stepMs).toFixed(3)} % of one training step`);
  tf.dispose([value, xs, ys]);
  disposeBatch(mixed);
  model.dispose();
  optimizer.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
