import type * as tf from '@tensorflow/tfjs';
import { getLearningRate } from './learningRate';
import { formatEpochSummary } from './progress';
import type { EpochRecord } from './records';
import { checkpointDue, resumeFromCheckpoint, saveEpochCheckpoint } from './training/checkpoints';
import { abortIfAsked } from './training/engine';
import { evaluate } from './training/evaluate';
import { checkOptions } from './training/options';
import type { TrainOptions } from './training/options';
import { applySchedule, startRun, stepSchedule } from './training/run';
import { trainOneEpoch } from './training/trainOneEpoch';
import type { BatchSource, LossFn } from './types';

export { NonFiniteLossError } from './training/nonFiniteLossError';
export type { BatchEndInfo, TrainOptions } from './training/options';
export type { StepContext, StepFn, StepOutput } from './training/step';

/**
 * The chapter's `train_network` for TensorFlow.js: trains `model` on `trainData` for `options.epochs`
 * epochs, evaluates on `options.testData` after each, and returns one {@link EpochRecord} per epoch
 * (the book's results table; see `recordsToCsv`).
 *
 * Each training step runs `loss(ys, model.apply(xs, {training: true}))` (or `options.step`) under the
 * optimizer's gradient computation, checks the loss is finite, then applies the update. BatchNorm layers
 * therefore update their moving statistics while training, and evaluation (`model.predict`) uses them.
 * Train loss and scores are means over the epoch's samples, measured on the training-mode predictions
 * made just before each update (as the book does). The loop does not look inside the targets: any loss and
 * scores that understand the batches' `ys` work (e.g. those of a package whose batch transform builds the targets).
 *
 * @param model A tfjs `LayersModel` (Sequential or functional) with a single output.
 * @param loss `(targets, predictions) => Scalar`, e.g. {@link crossEntropy}.
 * @param trainData Batches `{xs, ys}`; iterated once per epoch; each batch (every tensor in it) is disposed after use.
 * @param options See {@link TrainOptions}.
 * @returns The records of every epoch, those restored from a checkpoint included.
 * @throws NonFiniteLossError when a training loss is NaN or infinite (the model keeps the weights and BatchNorm
 *   statistics of the previous step; the last checkpoint is kept). Rejects with `signal.reason` when aborted.
 */
export async function trainNetwork(
  model: tf.LayersModel,
  loss: LossFn,
  trainData: BatchSource,
  options: TrainOptions = {},
): Promise<EpochRecord[]> {
  const settings = checkOptions(model, loss, trainData, options);
  const { epochs, store, testData, scheduleStep } = settings;
  const run = startRun(model, loss, settings);
  try {
    const resumed = settings.resume && store !== undefined ? await resumeFromCheckpoint(run, store) : null;
    const records = resumed?.records ?? [];
    let totalTime = resumed?.totalTime ?? 0;
    for (let epoch = resumed?.firstEpoch ?? 0; epoch < epochs; epoch++) {
      abortIfAsked(settings.signal);
      applySchedule(run);
      const lr = getLearningRate(run.optimizer);
      const train = await trainOneEpoch(run, trainData, epoch);
      totalTime += train.seconds;
      if (scheduleStep === 'epoch') stepSchedule(run);
      const test = testData === undefined ? null : await evaluate(run, testData, epoch);
      const record: EpochRecord = {
        epoch,
        totalTime,
        epochTime: train.seconds,
        lr,
        trainLoss: train.loss,
        testLoss: test === null ? null : test.loss,
        trainScores: train.scores,
        testScores: test === null ? {} : test.scores,
      };
      records.push(record);
      run.bar.line(formatEpochSummary(record, epochs));
      if (store !== undefined && checkpointDue(run, epoch)) run.lastCheckpoint = await saveEpochCheckpoint(run, store, epoch, totalTime, records);
      await settings.onEpochEnd?.(record);
    }
    return records;
  } catch (e) {
    run.bar.clear();
    throw e;
  } finally {
    if (settings.optimizer === undefined) run.optimizer.dispose();
  }
}
