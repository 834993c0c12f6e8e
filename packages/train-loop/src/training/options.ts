import * as tf from '@tensorflow/tfjs';
import { checkpointDirStore } from '../checkpoint/store';
import type { CheckpointStore } from '../checkpoint/store';
import { defaultProgressStream } from '../progress';
import type { ProgressStream } from '../progress';
import type { EpochRecord } from '../records';
import { assertSeed } from '../rng';
import type { LrSchedule } from '../schedules';
import type { BatchSource, ScoreFn, Stateful } from '../types';
import { assertBoolean, assertFunction, assertIterable, assertNumber, assertObject, assertOneOf, describe, fail, isNil } from '../validate';
import type { StepFn } from './step';

export const FN = 'trainNetwork';

/** What {@link TrainOptions.onBatchEnd} receives after every training step. */
export interface BatchEndInfo {
  /** Epoch index (0-based). */
  epoch: number;
  /** Index of the batch just trained within its epoch (0-based, like the step context's `batch`). */
  batch: number;
  /** Batches per epoch, when the training data has a `length`. */
  batches?: number;
  /** Samples trained on so far in this epoch. */
  samples: number;
  /** Seconds since the epoch began. */
  seconds: number;
  /** Mean training loss of the epoch so far, over its samples (at the last batch: the epoch's `trainLoss`). */
  loss: number;
}

/** Options of `trainNetwork`. */
export interface TrainOptions {
  /** Total epochs; a resumed run continues up to this number. Default 1. */
  epochs?: number;
  /** Optimizer; default a new `AdamW()` (PyTorch defaults), disposed at the end. A given one is left to the caller. */
  optimizer?: tf.Optimizer;
  /** Learning-rate schedule applied to the optimizer's initial learning rate. */
  schedule?: LrSchedule;
  /** Step the schedule after every `'epoch'` (the chapter) or every `'batch'`. Default `'epoch'`. */
  scheduleStep?: 'epoch' | 'batch';
  /** Data evaluated after every epoch in inference mode (`predict`: BatchNorm uses its moving statistics). */
  testData?: BatchSource;
  /** Score functions by name, e.g. `{Accuracy: accuracy}`: columns `train <name>` and `test <name>`. Default none. */
  scores?: Record<string, ScoreFn>;
  /** Custom training step (e.g. one mixing hidden states); default `loss(ys, model.apply(xs, {training: true}))`. */
  step?: StepFn;
  /** Where checkpoints go; none are written without it (or `checkpointDir`). */
  checkpointStore?: CheckpointStore;
  /** A directory for checkpoints, in Node once `@aa/train-loop/node` is imported (it makes `fileCheckpointStore(dir)`). */
  checkpointDir?: string;
  /** Write a checkpoint every this many epochs (and after the last). Default 1. */
  checkpointEvery?: number;
  /** How many checkpoints to keep. Default 1. */
  checkpointKeep?: number;
  /** Continue from the latest checkpoint (from scratch when there is none). Default false. */
  resume?: boolean;
  /** Seed of the loop's random generator (the step context's `rng`), an integer in [0, 2^32 − 1]. Default: random. */
  seed?: number;
  /** Objects whose state is checkpointed and restored with the run, e.g. a data loader's or a batch transform's generator. */
  stateful?: Record<string, Stateful>;
  /** Cancels training; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Never print. Default false. Output also needs the stream to be a terminal. */
  silent?: boolean;
  /** Where the progress bar and epoch summaries go. Default `process.stderr`. */
  progressStream?: ProgressStream;
  /** Called after every training step, e.g. to show progress inside an epoch. */
  onBatchEnd?: (info: BatchEndInfo) => void;
  /** Called with every epoch's record (after its checkpoint is written). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** The options with their defaults, checked. */
export interface Settings {
  epochs: number;
  optimizer: tf.Optimizer | undefined;
  schedule: LrSchedule | undefined;
  scheduleStep: 'epoch' | 'batch';
  testData: BatchSource | undefined;
  scores: Record<string, ScoreFn>;
  step: StepFn | undefined;
  store: CheckpointStore | undefined;
  checkpointEvery: number;
  checkpointKeep: number;
  resume: boolean;
  seed: number;
  stateful: Record<string, Stateful>;
  signal: AbortSignal | undefined;
  silent: boolean;
  progressStream: ProgressStream | undefined;
  onBatchEnd: ((info: BatchEndInfo) => void) | undefined;
  onEpochEnd: ((record: EpochRecord) => void | Promise<void>) | undefined;
}

function assertStore(store: unknown): asserts store is CheckpointStore {
  const s = store as Partial<CheckpointStore> | null;
  if (isNil(s) || typeof s !== 'object' || typeof s.save !== 'function' || typeof s.latest !== 'function' || typeof s.location !== 'string') {
    fail(FN, 'options.checkpointStore', store, 'a CheckpointStore {location, save(epoch, files, keep), latest()}');
  }
}

/** The store of `checkpointStore` or `checkpointDir` (at most one of them), or undefined without either. */
function resolveStore(store: unknown, dir: unknown): CheckpointStore | undefined {
  if (store !== undefined && dir !== undefined) fail(FN, 'options.checkpointDir', dir, 'undefined when options.checkpointStore is given (pass one of them)');
  if (store !== undefined) {
    assertStore(store);
    return store;
  }
  if (dir === undefined) return undefined;
  if (typeof dir !== 'string' || dir.length === 0) fail(FN, 'options.checkpointDir', dir, 'a non-empty directory path');
  const fromDir = checkpointDirStore(dir);
  if (fromDir === undefined) {
    throw new Error(
      `${FN}: options.checkpointDir needs the Node file store: import '@aa/train-loop/node' once (or pass options.checkpointStore), got ${describe(dir)}.`,
    );
  }
  return fromDir;
}

/** Checks the arguments of `trainNetwork` and fills in the defaults. */
export function checkOptions(model: unknown, loss: unknown, trainData: unknown, options: unknown): Settings {
  const m = model as Partial<tf.LayersModel> | null;
  if (isNil(m) || typeof m.apply !== 'function' || typeof m.predict !== 'function' || !Array.isArray(m.trainableWeights)) {
    fail(FN, 'model', model, 'a tf.LayersModel');
  }
  assertFunction(FN, 'loss', loss);
  assertIterable(FN, 'trainData', trainData);
  assertObject(FN, 'options', options, 'an options object');
  const {
    epochs = 1,
    optimizer,
    schedule,
    scheduleStep = 'epoch',
    testData,
    scores = {},
    step,
    checkpointStore,
    checkpointDir,
    checkpointEvery = 1,
    checkpointKeep = 1,
    resume = false,
    seed = Math.floor(Math.random() * 2 ** 32),
    stateful = {},
    signal,
    silent = false,
    progressStream = defaultProgressStream(),
    onBatchEnd,
    onEpochEnd,
  } = options as TrainOptions;
  assertNumber(FN, 'options.epochs', epochs, { min: 1, integer: true });
  if (optimizer !== undefined && !(optimizer instanceof tf.Optimizer)) fail(FN, 'options.optimizer', optimizer, 'a tf.Optimizer');
  if (schedule !== undefined) assertFunction(FN, 'options.schedule', schedule);
  assertOneOf(FN, 'options.scheduleStep', scheduleStep, ['epoch', 'batch'] as const);
  if (testData !== undefined) assertIterable(FN, 'options.testData', testData);
  assertObject(FN, 'options.scores', scores, 'an object of score functions');
  for (const [name, fn] of Object.entries(scores)) assertFunction(FN, `options.scores.${name}`, fn);
  if (step !== undefined) assertFunction(FN, 'options.step', step);
  const store = resolveStore(checkpointStore, checkpointDir);
  assertNumber(FN, 'options.checkpointEvery', checkpointEvery, { min: 1, integer: true });
  assertNumber(FN, 'options.checkpointKeep', checkpointKeep, { min: 1, integer: true });
  assertBoolean(FN, 'options.resume', resume);
  if (resume && store === undefined) fail(FN, 'options.checkpointDir', checkpointDir, 'a directory when options.resume is true (or pass options.checkpointStore)');
  assertSeed(FN, 'options.seed', seed);
  assertObject(FN, 'options.stateful', stateful, 'an object of {getState, setState} objects');
  for (const [name, s] of Object.entries(stateful)) {
    if (isNil(s) || typeof s.getState !== 'function' || typeof s.setState !== 'function') {
      fail(FN, `options.stateful.${name}`, s, 'an object with getState() and setState(state)');
    }
  }
  if (signal !== undefined && (isNil(signal) || typeof signal.aborted !== 'boolean')) fail(FN, 'options.signal', signal, 'an AbortSignal');
  assertBoolean(FN, 'options.silent', silent);
  if (onBatchEnd !== undefined) assertFunction(FN, 'options.onBatchEnd', onBatchEnd);
  if (onEpochEnd !== undefined) assertFunction(FN, 'options.onEpochEnd', onEpochEnd);
  return {
    epochs,
    optimizer,
    schedule,
    scheduleStep,
    testData,
    scores,
    step,
    store,
    checkpointEvery,
    checkpointKeep,
    resume,
    seed,
    stateful,
    signal,
    silent,
    progressStream,
    onBatchEnd,
    onEpochEnd,
  };
}
