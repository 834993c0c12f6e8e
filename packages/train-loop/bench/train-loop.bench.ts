/**
 * The loop's own overhead per batch (trainNetwork around a trivial model against bare
 * optimizer.minimize calls on the same batches), next to one training step of the chapter's small CNN.
 * Prints figures, asserts nothing. Run: pnpm --filter @aa/train-loop bench
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW, accuracy, crossEntropy, trainNetwork } from '../src/index';
import type { Batch, BatchSource } from '../src/index';

const B = 32;
const D = 16;
const K = 10;
const BATCHES = 100;
const ROUNDS = 5;

function makeData(): { x: Float32Array; y: Int32Array } {
  let s = 1;
  const rand = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return { x: Float32Array.from({ length: B * D }, rand), y: Int32Array.from({ length: B }, () => Math.floor(rand() * K)) };
}

/** Both sides pay the same tensor creation per batch. */
function batch(d: { x: Float32Array; y: Int32Array }): Batch {
  return { xs: tf.tensor2d(d.x, [B, D]), ys: tf.tensor1d(d.y, 'int32') };
}

function source(d: { x: Float32Array; y: Int32Array }): BatchSource {
  return {
    length: BATCHES,
    *[Symbol.iterator]() {
      for (let i = 0; i < BATCHES; i++) yield batch(d);
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function chapterCnn(): tf.LayersModel {
  // cnnLayer(3→16), cnnLayer(16→16), maxPool 2, ×2, maxPool 2, ×2, flatten, dense 10 (24x24x3 inputs).
  const model = tf.sequential();
  const cnnLayer = (first: boolean): void => {
    model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', ...(first ? { inputShape: [24, 24, 3] } : {}) }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.reLU());
  };
  cnnLayer(true);
  cnnLayer(false);
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  cnnLayer(false);
  cnnLayer(false);
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  cnnLayer(false);
  cnnLayer(false);
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, node ${process.version}`);
  const data = makeData();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [D], units: K })] });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW();

  const bare = async (readLoss: boolean): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < BATCHES; i++) {
      const b = batch(data);
      const cost = optimizer.minimize(() => crossEntropy(b.ys as tf.Tensor, model.apply(b.xs, { training: true }) as tf.Tensor), readLoss, vars);
      if (cost !== null) {
        await cost.data();
        cost.dispose();
      }
      tf.dispose(b as unknown as tf.TensorContainer);
    }
    return (performance.now() - t0) / BATCHES;
  };
  const loop = async (scores: boolean): Promise<number> => {
    const t0 = performance.now();
    await trainNetwork(model, crossEntropy, source(data), { optimizer, silent: true, ...(scores ? { scores: { Accuracy: accuracy } } : {}) });
    return (performance.now() - t0) / BATCHES;
  };

  await bare(false); // warm-up
  await loop(false);
  const start = tf.memory().numTensors;
  const t = { bare: [] as number[], bareRead: [] as number[], loop: [] as number[], loopScores: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    t.bare.push(await bare(false));
    t.bareRead.push(await bare(true));
    t.loop.push(await loop(false));
    t.loopScores.push(await loop(true));
  }
  const perBatch = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
  const overhead = perBatch.loop - perBatch.bare;
  console.log(`trivial model: dense ${D}->${K}, batch ${B}, ${BATCHES} batches x ${ROUNDS} rounds (medians)`);
  console.log(`  bare optimizer.minimize              ${perBatch.bare.toFixed(3)} ms/batch`);
  console.log(`  bare minimize + loss read-back       ${perBatch.bareRead.toFixed(3)} ms/batch`);
  console.log(`  trainNetwork                         ${perBatch.loop.toFixed(3)} ms/batch`);
  console.log(`  trainNetwork + Accuracy score        ${perBatch.loopScores.toFixed(3)} ms/batch`);
  console.log(`  loop overhead                        ${overhead.toFixed(3)} ms/batch (${(perBatch.loopScores - perBatch.bare).toFixed(3)} ms with the score)`);
  console.log(`  tensors leaked over the rounds       ${tf.memory().numTensors - start}`);

  const cnn = chapterCnn();
  const cnnVars = cnn.trainableWeights.map((w) => w.read() as tf.Variable);
  const cnnOpt = new AdamW();
  const xs = tf.randomUniform([128, 24, 24, 3], 0, 1, 'float32', 1);
  const ys = tf.randomUniform([128], 0, 10, 'int32', 2);
  const cnnStep = async (): Promise<number> => {
    const t0 = performance.now();
    cnnOpt.minimize(() => crossEntropy(ys, cnn.apply(xs, { training: true }) as tf.Tensor), false, cnnVars);
    await cnnVars[0]?.data();
    return performance.now() - t0;
  };
  // The first step also creates the optimizer's moments (and, on GPU backends, compiles kernels): a cold step would
  // overstate the step time and so understate the overhead. One warm-up step, then the median of three.
  await cnnStep();
  const step = median([await cnnStep(), await cnnStep(), await cnnStep()]);
  console.log(`chapter CNN (6 conv3x3+BN+ReLU, 16 ch, 2 max-pools, dense 10), batch 128 of 24x24x3, one AdamW step (median of 3 after a warm-up): ${(step / 1000).toFixed(2)} s`);
  console.log(`loop overhead per batch = ${((100 * overhead) / step).toFixed(4)}% of a CNN step (${((100 * (perBatch.loopScores - perBatch.bare)) / step).toFixed(4)}% with the Accuracy score); target < 5%`);
  tf.dispose([xs, ys]);
  cnnOpt.dispose();
  optimizer.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
