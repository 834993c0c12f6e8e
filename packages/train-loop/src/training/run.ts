import type * as tf from '@tensorflow/tfjs';
import { AdamW } from '../adamw';
import { getLearningRate, setLearningRate } from '../learningRate';
import { ProgressBar } from '../progress';
import { createRng } from '../rng';
import type { Rng } from '../rng';
import type { LossFn } from '../types';
import { assertNumber, fail } from '../validate';
import { FN } from './options';
import type { Settings } from './options';

/** Everything one `trainNetwork` call works with; the mutable parts are the schedule position and the last checkpoint. */
export interface Run {
  readonly model: tf.LayersModel;
  readonly loss: LossFn;
  readonly settings: Settings;
  readonly optimizer: tf.Optimizer;
  /** The trainable variables the optimizer updates. */
  readonly vars: tf.Variable[];
  /** The non-trainable ones (BatchNorm moving statistics), put back when a step fails. */
  readonly frozen: tf.Variable[];
  /** The loop's generator (the step context's `rng`), saved in checkpoints. */
  readonly rng: Rng;
  readonly bar: ProgressBar;
  /** Schedule steps taken and the base learning rate the schedule scales. */
  readonly schedule: { step: number; baseLr: number | null };
  /** The last checkpoint written or resumed from. */
  lastCheckpoint: string | null;
}

/** Collects the model's variables and makes the optimizer (a new AdamW unless one is given), generator and progress bar. */
export function startRun(model: tf.LayersModel, loss: LossFn, settings: Settings): Run {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) fail(FN, 'model', model, 'a model with trainable weights');
  const optimizer = settings.optimizer ?? new AdamW();
  const baseLr = getLearningRate(optimizer);
  if (settings.schedule !== undefined && baseLr === null) {
    if (settings.optimizer === undefined) optimizer.dispose();
    fail(FN, 'options.optimizer', optimizer, 'an optimizer with a readable learning rate when options.schedule is given');
  }
  return {
    model,
    loss,
    settings,
    optimizer,
    vars,
    frozen: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    rng: createRng(settings.seed),
    bar: new ProgressBar(settings.progressStream, settings.silent),
    schedule: { step: 0, baseLr },
    lastCheckpoint: null,
  };
}

/** Sets the learning rate the schedule gives for its current step (nothing without a schedule). */
export function applySchedule(run: Run): void {
  const { schedule } = run.settings;
  if (schedule === undefined) return;
  const lr = schedule(run.schedule.step, run.schedule.baseLr as number);
  assertNumber(FN, `the learning rate returned by options.schedule(${run.schedule.step}, ${String(run.schedule.baseLr)})`, lr, { min: 0 });
  setLearningRate(run.optimizer, lr);
}

/** Moves the schedule one step on and applies it. */
export function stepSchedule(run: Run): void {
  if (run.settings.schedule === undefined) return;
  run.schedule.step++;
  applySchedule(run);
}
