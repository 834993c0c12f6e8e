import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../types';
import { fail } from '../validate';
import { abortIfAsked, assertBatch, maybeYield, ScoreSums } from './engine';
import { FN } from './options';
import type { Run } from './run';

/** The test pass of an epoch: mean loss and scores over the samples. */
export interface Evaluation {
  loss: number;
  scores: Record<string, number | null>;
}

/** Evaluates the model on `data` in inference mode (`predict`: BatchNorm uses its moving statistics). */
export async function evaluate(run: Run, data: BatchSource, epoch: number): Promise<Evaluation> {
  const { model, loss, settings } = run;
  const sums = new ScoreSums(Object.keys(settings.scores));
  let lastYield = performance.now();
  let lossSum = 0;
  let samples = 0;
  let index = 0;
  for await (const batch of data) {
    try {
      abortIfAsked(settings.signal);
      assertBatch(FN, 'options.testData', batch, epoch, index);
      const size = batch.xs.shape[0] as number;
      const predictions = model.predict(batch.xs, { batchSize: size });
      if (!(predictions instanceof tf.Tensor)) fail(FN, 'model', model, 'a model with a single output tensor');
      try {
        const l = tf.tidy(() => loss(batch.ys, predictions));
        lossSum += ((await l.data())[0] as number) * size;
        l.dispose();
        const scores: Record<string, number> = {};
        for (const [name, fn] of Object.entries(settings.scores)) scores[name] = tf.tidy(() => fn(batch.ys, predictions));
        sums.add(scores, size);
      } finally {
        predictions.dispose();
      }
      samples += size;
    } finally {
      tf.dispose(batch as unknown as tf.TensorContainer);
    }
    index++;
    lastYield = await maybeYield(lastYield);
  }
  abortIfAsked(settings.signal);
  if (index === 0) throw new Error(`${FN}: options.testData yielded no batches after epoch ${epoch}.`);
  return { loss: lossSum / samples, scores: sums.means() };
}
