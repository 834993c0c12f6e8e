import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../types';
import { abortIfAsked, assertBatch, maybeYield, ScoreSums } from './engine';
import { FN } from './options';
import type { Run } from './run';
import { trainStep } from './step';

/** An epoch's training pass: mean loss and scores over its samples, and its seconds. */
export interface EpochTotals {
  loss: number;
  scores: Record<string, number | null>;
  seconds: number;
}

/**
 * One pass over `trainData`: a training step per batch (each batch disposed after it), the progress bar and
 * `onBatchEnd` after every step. Train loss and scores are means over the epoch's samples.
 */
export async function trainOneEpoch(run: Run, trainData: BatchSource, epoch: number): Promise<EpochTotals> {
  const { settings, bar } = run;
  const batches = typeof trainData.length === 'number' ? trainData.length : undefined;
  const sums = new ScoreSums(Object.keys(settings.scores));
  const start = performance.now();
  let lastYield = start;
  let lossSum = 0;
  let samples = 0;
  let index = 0;
  for await (const batch of trainData) {
    try {
      abortIfAsked(settings.signal);
      assertBatch(FN, 'trainData', batch, epoch, index);
      const step = await trainStep(run, batch, epoch, index);
      lossSum += step.loss * step.size;
      samples += step.size;
      if (step.scores !== null) sums.add(step.scores, step.size);
    } finally {
      tf.dispose(batch as unknown as tf.TensorContainer);
    }
    const seconds = (performance.now() - start) / 1000;
    bar.update({ epoch, epochs: settings.epochs, batch: index + 1, batches, loss: lossSum / samples, samples, elapsed: seconds }, index + 1 === batches);
    settings.onBatchEnd?.({ epoch, batch: index, ...(batches === undefined ? {} : { batches }), samples, seconds, loss: lossSum / samples });
    index++;
    lastYield = await maybeYield(lastYield);
  }
  abortIfAsked(settings.signal);
  if (index === 0) throw new Error(`${FN}: trainData yielded no batches in epoch ${epoch}.`);
  return { loss: lossSum / samples, scores: sums.means(), seconds: (performance.now() - start) / 1000 };
}
