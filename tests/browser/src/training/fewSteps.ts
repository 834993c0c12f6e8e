import { MaxBlurPool2D } from '@aa/blur';
import { accuracy, crossEntropy, withMixup } from '@aa/mixup';
import { residualBlock } from '@aa/rezero';
import { AdamW, cosineAnnealing, trainNetwork } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

/**
 * A few training steps of a small model built from the packages — conv, BatchNorm, MaxBlurPool2D, a ReZero residual
 * block, dense — trained by trainNetwork with AdamW, the cosine schedule and MixUp batches. Everything is seeded, so
 * Node and the browser start from the same weights and see the same batches: their losses must agree.
 */

const SIZE = 8;
const CLASSES = 3;

/** The model: every initializer seeded (tfjs's own and the packages'). */
export function fewStepsModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }), name: 'stem_conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  x = new MaxBlurPool2D({ poolSize: 2, name: 'stem_pool' }).apply(x) as tf.SymbolicTensor; // 8 -> 4
  x = residualBlock(x, { channels: 4, rezero: true, initialAlpha: 0.25, seed: 12, name: 'rb' });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: 13 }), name: 'logits' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'few_steps' });
}

/** mulberry32: a tiny seeded generator for the synthetic images (independent of the packages' own). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Labelled image batches, re-iterable: each pass yields fresh tensors (the training loop disposes what it gets). */
export type LabelledBatches = Iterable<{ xs: tf.Tensor4D; ys: tf.Tensor1D }> & { readonly length: number };

/** `n` noisy images whose class is where a bright horizontal band is (top, middle, bottom), in batches of `batchSize`. */
export function bandImages(n: number, batchSize: number, seed: number): LabelledBatches {
  const rand = mulberry32(seed);
  const labels = Array.from({ length: n }, (_, i) => i % CLASSES);
  const pixels = new Float32Array(n * SIZE * SIZE * 3);
  labels.forEach((label, i) => {
    for (let r = 0; r < SIZE; r++) {
      const band = Math.floor(r / (SIZE / CLASSES + 0.01)) === label ? 0.6 : 0;
      for (let c = 0; c < SIZE * 3; c++) pixels[(i * SIZE + r) * SIZE * 3 + c] = 0.2 * rand() + band;
    }
  });
  const per = SIZE * SIZE * 3;
  return {
    length: Math.ceil(n / batchSize),
    *[Symbol.iterator]() {
      for (let i = 0; i < n; i += batchSize) {
        const m = Math.min(batchSize, n - i);
        yield { xs: tf.tensor4d(pixels.slice(i * per, (i + m) * per), [m, SIZE, SIZE, 3]), ys: tf.tensor1d(labels.slice(i, i + m), 'int32') };
      }
    },
  };
}

/** What a run gives, to compare across backends and runtimes. */
export interface FewStepsOutcome {
  /** Mean training loss per epoch (MixUp batches). */
  trainLoss: number[];
  /** Test loss per epoch (clean batches). */
  testLoss: number[];
  /** Test loss of the untrained model. */
  initialTestLoss: number;
  /** The ReZero gate after training (it starts at 0.25). */
  alpha: number;
  /** Logits of the first test batch after training, row-major. */
  logits: number[];
}

/** Test loss of `model` on `data`. */
function meanLoss(model: tf.LayersModel, data: LabelledBatches): number {
  let sum = 0;
  let count = 0;
  for (const { xs, ys } of data) {
    const n = xs.shape[0] as number;
    sum += tf.tidy(() => crossEntropy(ys, model.predict(xs) as tf.Tensor).dataSync()[0] as number) * n;
    count += n;
    tf.dispose([xs, ys]);
  }
  return sum / count;
}

/** The first batch's logits. */
export function firstBatchLogits(model: tf.LayersModel, data: LabelledBatches): number[] {
  const first = data[Symbol.iterator]().next().value as { xs: tf.Tensor4D; ys: tf.Tensor1D };
  const logits = tf.tidy(() => Array.from((model.predict(first.xs) as tf.Tensor).dataSync()));
  tf.dispose([first.xs, first.ys]);
  return logits;
}

/** Trains {@link fewStepsModel} for 2 epochs × 3 MixUp batches of 8 and returns the model and what the run measured. */
export async function trainFewSteps(): Promise<{ model: tf.LayersModel; outcome: FewStepsOutcome; testData: LabelledBatches }> {
  const model = fewStepsModel();
  const train = bandImages(24, 8, 1);
  const testData = bandImages(12, 12, 2);
  const initialTestLoss = meanLoss(model, testData);
  const epochs = 2;
  // An optimizer passed in stays the caller's to dispose (its moment variables).
  const optimizer = new AdamW({ learningRate: 0.02 });
  const records = await trainNetwork(model, crossEntropy, withMixup(train, { alpha: 0.4, seed: 3 }), {
    epochs,
    optimizer,
    schedule: cosineAnnealing({ tMax: epochs }),
    testData,
    scores: { Accuracy: accuracy },
    seed: 7,
    silent: true,
  });
  optimizer.dispose();
  const alpha = tf.tidy(() => model.getLayer('rb_rezero').getWeights()[0]?.dataSync()[0] as number);
  return {
    model,
    testData,
    outcome: {
      trainLoss: records.map((r) => r.trainLoss as number),
      testLoss: records.map((r) => r.testLoss as number),
      initialTestLoss,
      alpha,
      logits: firstBatchLogits(model, testData),
    },
  };
}
