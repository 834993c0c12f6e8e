import * as tf from '@tensorflow/tfjs';
import { AdamW, accuracy, cosineAnnealing, crossEntropy, recordsToCsv, trainNetwork } from '@aa/train-loop';
import type { Batch, BatchSource } from '@aa/train-loop';

// Two noisy classes in 2-D. A batch source is re-iterable (one pass per epoch) and yields
// fresh tensors every time: the loop owns and disposes each batch it receives.
function twoBlobs(n: number, batchSize: number, seed: number): BatchSource {
  let s = seed;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const points = labels.flatMap((y) => [y * 2 - 1 + rand(), y * 2 - 1 + rand()]);
  return {
    length: Math.ceil(n / batchSize),
    *[Symbol.iterator](): Iterator<Batch> {
      for (let i = 0; i < n; i += batchSize) {
        const ys = labels.slice(i, i + batchSize);
        yield { xs: tf.tensor2d(points.slice(2 * i, 2 * (i + ys.length)), [ys.length, 2]), ys: tf.tensor1d(ys, 'int32') };
      }
    },
  };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }), tf.layers.dense({ units: 2 })],
  });
  const epochs = 5;
  const records = await trainNetwork(model, crossEntropy, twoBlobs(256, 32, 1), {
    epochs,
    optimizer: new AdamW({ learningRate: 0.01 }),
    schedule: cosineAnnealing({ tMax: epochs }), // stepped once per epoch, as in the chapter
    testData: twoBlobs(128, 64, 2),
    scores: { Accuracy: accuracy },
  });
  console.log(recordsToCsv(records));
  console.log(`final test accuracy: ${records[epochs - 1]?.testScores.Accuracy}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
