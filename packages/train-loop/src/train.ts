import * as tf from '@tensorflow/tfjs';
import { AdamW } from './adamw';
import { loadCheckpoint, readOptimizerWeights, restoreModel, saveCheckpoint } from './checkpoint';
import { getLearningRate, setLearningRate } from './learningRate';
import { defaultProgressStream, formatEpochSummary, ProgressBar } from './progress';
import type { ProgressStream } from './progress';
import type { EpochRecord } from './records';
import { Rng } from './rng';
import type { LrSchedule } from './schedules';
import type { Batch, BatchSource, LossFn, ScoreFn, Stateful, Targets } from './types';
import { isMixupTargets } from './types';
import { checkBoolean, checkFunction, checkIterable, checkNumber, checkOneOf, fail, isNil } from './validate';

const FN = 'trainNetwork';

/** What a custom step receives besides the batch. */
export interface StepContext {
  /** The model being trained. */
  model: tf.LayersModel;
  /** The loss passed to `trainNetwork`. */
  loss: LossFn;
  /** Epoch index (0-based). */
  epoch: number;
  /** Batch index within the epoch (0-based). */
  batch: number;
  /** Uniform number in [0, 1) from the loop's seeded generator (saved in checkpoints), e.g. to pick a layer and λ. */
  random(): number;
}

/** What a custom step may return instead of a bare loss, so the loop can also score the batch. */
export interface StepOutput {
  /** The scalar loss to minimise. */
  loss: tf.Scalar;
  /** Predictions `[B, K]` to score (train scores are `null` without them). */
  predictions?: tf.Tensor;
  /** Targets the predictions answer (e.g. MixUp targets built by the step); default: the batch's `ys`. */
  targets?: Targets;
}

/**
 * A custom training step, run inside the optimizer's gradient computation: it does its own forward
 * pass (e.g. Manifold MixUp mixing hidden states, with `model.apply(x, {training: true})` or layer by
 * layer) and returns the loss. The loop still does the update, schedule, records, progress, checkpoints.
 * Tensors it creates are freed after the step; the batch belongs to the loop and is disposed afterwards.
 */
export type StepFn = (batch: Batch, ctx: StepContext) => tf.Scalar | StepOutput;

/** Options of {@link trainNetwork}. */
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
  /** Custom training step (e.g. Manifold MixUp); default `loss(ys, model.apply(xs, {training: true}))`. */
  step?: StepFn;
  /** Directory for checkpoints; none written without it. */
  checkpointDir?: string;
  /** Write a checkpoint every this many epochs (and after the last). Default 1. */
  checkpointEvery?: number;
  /** How many checkpoints to keep. Default 1. */
  checkpointKeep?: number;
  /** Continue from the latest checkpoint in `checkpointDir` (from scratch when there is none). Default false. */
  resume?: boolean;
  /** Seed of the loop's random generator (`ctx.random` of a custom step). Default: random. */
  seed?: number;
  /** Objects whose state is checkpointed and restored with the run, e.g. a data loader's shuffling generator. */
  stateful?: Record<string, Stateful>;
  /** Cancels training; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Never print. Default false. Output also needs the stream to be a terminal. */
  silent?: boolean;
  /** Where the progress bar and epoch summaries go. Default `process.stderr`. */
  progressStream?: ProgressStream;
  /** Called with every epoch's record (after its checkpoint is written). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

/** Thrown when the training loss is NaN or infinite; the offending update is not applied. */
export class NonFiniteLossError extends Error {
  constructor(
    /** Epoch index (0-based). */
    readonly epoch: number,
    /** Batch index within the epoch (0-based). */
    readonly batch: number,
    /** The loss value. */
    readonly loss: number,
    /** The last checkpoint written (or resumed from), if any: it is left untouched. */
    readonly checkpoint: string | null,
  ) {
    super(
      `trainNetwork: the training loss is ${loss} at epoch ${epoch}, batch ${batch} (both counted from 0); ` +
        `training stopped before applying that update. ` +
        (checkpoint === null ? 'No checkpoint was written.' : `The last good checkpoint is ${checkpoint}.`),
    );
    this.name = 'NonFiniteLossError';
  }
}

function abortIfAsked(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('trainNetwork: aborted');
}

/** Lets timers and abort events run: the training loop is otherwise one long synchronous computation. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Yields to the event loop when more than 25 ms passed since `last`; returns the new reference time. */
async function maybeYield(last: number): Promise<number> {
  if (performance.now() - last <= 25) return last;
  await nextMacrotask();
  return performance.now();
}

/**
 * tfjs frees the tensors its gradient tape keeps for the backward pass only when that pass runs, so a forward pass
 * that throws inside `computeGradients` would leave them allocated for good. This frees them. It reads tfjs engine
 * state (`state.activeTape`, kept until the next gradient computation) and does nothing if that is not there.
 */
function freeAbandonedTape(): void {
  type TapeState = { gradientDepth?: unknown; activeTape?: Array<{ saved?: tf.Tensor[] }> | null };
  const state = (tf.engine() as unknown as { state?: TapeState }).state;
  if (isNil(state) || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) {
    if (Array.isArray(node.saved)) tf.dispose(node.saved);
    node.saved = [];
  }
}

function checkBatch(batch: unknown, arg: string, epoch: number, index: number): asserts batch is Batch {
  const b = batch as Partial<Batch> | null;
  const where = `${arg} (epoch ${epoch}, batch ${index})`;
  if (isNil(b) || !(b.xs instanceof tf.Tensor) || !(b.ys instanceof tf.Tensor || isMixupTargets(b.ys))) {
    fail(FN, where, batch, 'a batch {xs: Tensor, ys: Tensor | {yi, yj, lambda}}');
  }
  const tensors = [b.xs, ...(isMixupTargets(b.ys) ? [b.ys.yi, b.ys.yj] : [b.ys as tf.Tensor])];
  if (tensors.some((t) => t.isDisposed)) {
    throw new Error(
      `${FN}: ${where} holds a disposed tensor; the loop disposes every batch it receives, ` +
        'so a batch source must create fresh tensors on every iteration',
    );
  }
  if (b.xs.rank < 1 || b.xs.shape[0] === 0) fail(FN, `${where}.xs`, b.xs, 'a tensor [B, ...] with B >= 1');
}

function keepTargets(t: Targets): Targets {
  if (!isMixupTargets(t)) return tf.keep(t);
  return { yi: tf.keep(t.yi), yj: tf.keep(t.yj), lambda: typeof t.lambda === 'number' ? t.lambda : tf.keep(t.lambda) };
}

interface RunState {
  scheduleStep: number;
  baseLr: number | null;
}

interface EpochTotals {
  loss: number;
  scores: Record<string, number | null>;
  seconds: number;
}

function meanScores(names: string[], sums: Map<string, number>, count: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const n of names) out[n] = count > 0 ? (sums.get(n) as number) / count : null;
  return out;
}

/**
 * The chapter's `train_network` for TensorFlow.js: trains `model` on `trainData` for `options.epochs`
 * epochs, evaluates on `options.testData` after each, and returns one {@link EpochRecord} per epoch
 * (the book's results table; see `recordsToCsv`).
 *
 * Each training step runs `loss(ys, model.apply(xs, {training: true}))` (or `options.step`) under the
 * optimizer's gradient computation, checks the loss is finite, then applies the update. BatchNorm layers
 * therefore update their moving statistics while training, and evaluation (`model.predict`) uses them.
 * Train loss and scores are means over the epoch's samples, measured on the training-mode predictions
 * made just before each update (as the book does). With MixUp targets they are the mixed loss and the
 * λ-weighted score (see `accuracy`), not scores on clean data.
 *
 * @param model A tfjs `LayersModel` (Sequential or functional) with a single output.
 * @param loss `(targets, predictions) => Scalar`, e.g. {@link crossEntropy}, which understands MixUp targets.
 * @param trainData Batches `{xs, ys}`; iterated once per epoch; each batch is disposed after use.
 * @param options See {@link TrainOptions}.
 * @returns The records of every epoch, those restored from a checkpoint included.
 * @throws NonFiniteLossError when a training loss is NaN or infinite (the model keeps the weights and BatchNorm
 *   statistics of the previous step; the last checkpoint is kept). Rejects with `signal.reason` when aborted.
 */
export async function trainNetwork(model: tf.LayersModel, loss: LossFn, trainData: BatchSource, options: TrainOptions = {}): Promise<EpochRecord[]> {
  const m = model as Partial<tf.LayersModel> | null;
  if (isNil(m) || typeof m.apply !== 'function' || typeof m.predict !== 'function' || !Array.isArray(m.trainableWeights)) {
    fail(FN, 'model', model, 'a tf.LayersModel');
  }
  checkFunction(FN, 'loss', loss);
  checkIterable(FN, 'trainData', trainData);
  if (isNil(options) || typeof options !== 'object') fail(FN, 'options', options, 'an options object');
  const {
    epochs = 1,
    optimizer: givenOptimizer,
    schedule,
    scheduleStep = 'epoch',
    testData,
    scores = {},
    step,
    checkpointDir,
    checkpointEvery = 1,
    checkpointKeep = 1,
    resume = false,
    seed = Math.floor(Math.random() * 2 ** 32),
    stateful = {},
    signal,
    silent = false,
    progressStream = defaultProgressStream(),
    onEpochEnd,
  } = options;
  checkNumber(FN, 'options.epochs', epochs, { min: 1, integer: true });
  if (givenOptimizer !== undefined && !(givenOptimizer instanceof tf.Optimizer)) {
    fail(FN, 'options.optimizer', givenOptimizer, 'a tf.Optimizer');
  }
  if (schedule !== undefined) checkFunction(FN, 'options.schedule', schedule);
  checkOneOf(FN, 'options.scheduleStep', scheduleStep, ['epoch', 'batch'] as const);
  if (testData !== undefined) checkIterable(FN, 'options.testData', testData);
  if (isNil(scores) || typeof scores !== 'object') fail(FN, 'options.scores', scores, 'an object of score functions');
  for (const [name, fn] of Object.entries(scores)) checkFunction(FN, `options.scores.${name}`, fn);
  if (step !== undefined) checkFunction(FN, 'options.step', step);
  if (checkpointDir !== undefined && (typeof checkpointDir !== 'string' || checkpointDir.length === 0)) {
    fail(FN, 'options.checkpointDir', checkpointDir, 'a non-empty directory path');
  }
  checkNumber(FN, 'options.checkpointEvery', checkpointEvery, { min: 1, integer: true });
  checkNumber(FN, 'options.checkpointKeep', checkpointKeep, { min: 1, integer: true });
  checkBoolean(FN, 'options.resume', resume);
  if (resume && checkpointDir === undefined) fail(FN, 'options.checkpointDir', checkpointDir, 'a directory when options.resume is true');
  checkNumber(FN, 'options.seed', seed);
  if (isNil(stateful) || typeof stateful !== 'object') fail(FN, 'options.stateful', stateful, 'an object of {getState, setState} objects');
  for (const [name, s] of Object.entries(stateful)) {
    if (isNil(s) || typeof s.getState !== 'function' || typeof s.setState !== 'function') {
      fail(FN, `options.stateful.${name}`, s, 'an object with getState() and setState(state)');
    }
  }
  if (signal !== undefined && (isNil(signal) || typeof signal.aborted !== 'boolean')) fail(FN, 'options.signal', signal, 'an AbortSignal');
  checkBoolean(FN, 'options.silent', silent);
  if (onEpochEnd !== undefined) checkFunction(FN, 'options.onEpochEnd', onEpochEnd);

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) fail(FN, 'model', model, 'a model with trainable weights');
  // BatchNorm moving statistics change during the forward pass itself; they are put back if the loss is not finite.
  const frozen = model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = givenOptimizer ?? new AdamW();
  const rng = new Rng(seed);
  const run: RunState = { scheduleStep: 0, baseLr: getLearningRate(optimizer) };
  if (schedule !== undefined && run.baseLr === null) {
    fail(FN, 'options.optimizer', optimizer, 'an optimizer with a readable learning rate when options.schedule is given');
  }
  const scoreNames = Object.keys(scores);
  const bar = new ProgressBar(progressStream, silent);
  let records: EpochRecord[] = [];
  let totalTime = 0;
  let first = 0;
  let lastCheckpoint: string | null = null;

  const applySchedule = (): void => {
    if (schedule === undefined) return;
    const lr = schedule(run.scheduleStep, run.baseLr as number);
    checkNumber(FN, `the learning rate returned by options.schedule(${run.scheduleStep}, ${String(run.baseLr)})`, lr, { min: 0 });
    setLearningRate(optimizer, lr);
  };

  const trainEpoch = async (epoch: number): Promise<EpochTotals> => {
    let lossSum = 0;
    let samples = 0;
    let scored = 0;
    let index = 0;
    const sums = new Map(scoreNames.map((n) => [n, 0]));
    const batches = typeof trainData.length === 'number' ? trainData.length : undefined;
    const start = performance.now();
    let lastYield = start;
    for await (const batch of trainData) {
      let predictions: tf.Tensor | undefined;
      let targets: Targets | undefined;
      let saved: tf.Tensor[] = [];
      try {
        abortIfAsked(signal);
        checkBatch(batch, 'trainData', epoch, index);
        const size = batch.xs.shape[0] as number;
        const ctx: StepContext = { model, loss, epoch, batch: index, random: () => rng.random() };
        // Clones share data with the variables (assign swaps the data rather than writing into it): no copy.
        saved = frozen.map((v) => tf.clone(v));
        const forward = (): tf.Scalar => {
          if (step === undefined) {
            const out = model.apply(batch.xs, { training: true });
            if (!(out instanceof tf.Tensor)) fail(FN, 'model', model, 'a model with a single output tensor');
            if (scoreNames.length > 0) predictions = tf.keep(out);
            return loss(batch.ys, out);
          }
          const out = step(batch, ctx);
          if (out instanceof tf.Tensor) return out as tf.Scalar;
          if (isNil(out) || !(out.loss instanceof tf.Tensor)) fail(FN, 'options.step', out, 'a function returning a scalar loss or {loss, predictions?, targets?}');
          if (scoreNames.length > 0 && out.predictions instanceof tf.Tensor) {
            predictions = tf.keep(out.predictions);
            if (out.targets !== undefined) targets = keepTargets(out.targets);
          }
          return out.loss;
        };
        let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          computed = optimizer.computeGradients(forward, vars);
        } catch (e) {
          // A forward pass that threw changes nothing: BatchNorm statistics are put back, and the tensors kept
          // for the backward pass that will not run are freed.
          frozen.forEach((v, i) => v.assign(saved[i] as tf.Tensor));
          freeAbandonedTape();
          throw e;
        }
        const { value, grads } = computed;
        let lossValue: number;
        try {
          lossValue = (await value.data())[0] as number;
        } finally {
          value.dispose();
        }
        if (!Number.isFinite(lossValue)) {
          tf.dispose(grads);
          frozen.forEach((v, i) => v.assign(saved[i] as tf.Tensor));
          throw new NonFiniteLossError(epoch, index, lossValue, lastCheckpoint);
        }
        // Same call as Optimizer.minimize with a variable list.
        optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
        tf.dispose(grads);
        if (scheduleStep === 'batch' && schedule !== undefined) {
          run.scheduleStep++;
          applySchedule();
        }
        lossSum += lossValue * size;
        samples += size;
        if (predictions !== undefined) {
          for (const n of scoreNames) {
            const p = predictions;
            const t = targets ?? batch.ys;
            const s = tf.tidy(() => (scores[n] as ScoreFn)(t, p));
            sums.set(n, (sums.get(n) as number) + s * size);
          }
          scored += size;
        }
      } finally {
        tf.dispose([batch as unknown as tf.TensorContainer, predictions, targets as tf.TensorContainer, saved]);
      }
      index++;
      const now = performance.now();
      bar.update({ epoch, epochs, batch: index, batches, loss: lossSum / samples, samples, elapsed: (now - start) / 1000 }, index === batches);
      lastYield = await maybeYield(lastYield);
    }
    abortIfAsked(signal);
    if (index === 0) throw new Error(`${FN}: trainData yielded no batches in epoch ${epoch}`);
    return { loss: lossSum / samples, scores: meanScores(scoreNames, sums, scored), seconds: (performance.now() - start) / 1000 };
  };

  const evaluate = async (data: BatchSource, epoch: number): Promise<Omit<EpochTotals, 'seconds'>> => {
    let lossSum = 0;
    let samples = 0;
    let index = 0;
    const sums = new Map(scoreNames.map((n) => [n, 0]));
    let lastYield = performance.now();
    for await (const batch of data) {
      try {
        abortIfAsked(signal);
        checkBatch(batch, 'options.testData', epoch, index);
        const size = batch.xs.shape[0] as number;
        const predictions = model.predict(batch.xs, { batchSize: size });
        if (!(predictions instanceof tf.Tensor)) fail(FN, 'model', model, 'a model with a single output tensor');
        try {
          const l = tf.tidy(() => loss(batch.ys, predictions));
          lossSum += ((await l.data())[0] as number) * size;
          l.dispose();
          for (const n of scoreNames) {
            const s = tf.tidy(() => (scores[n] as ScoreFn)(batch.ys, predictions));
            sums.set(n, (sums.get(n) as number) + s * size);
          }
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
    abortIfAsked(signal);
    if (index === 0) throw new Error(`${FN}: options.testData yielded no batches after epoch ${epoch}`);
    return { loss: lossSum / samples, scores: meanScores(scoreNames, sums, samples) };
  };

  try {
    if (resume) {
      const cp = await loadCheckpoint(checkpointDir as string);
      if (cp !== null) {
        const s = cp.state;
        for (const name of Object.keys(stateful)) {
          if (!(name in s.stateful)) {
            fail(FN, `options.stateful.${name}`, stateful[name], `one of the objects saved in ${cp.path} (${Object.keys(s.stateful).join(', ') || 'none'})`);
          }
        }
        // Everything is read and checked before the model and optimizer change.
        const optimizerWeights = await readOptimizerWeights(optimizer, cp);
        try {
          await restoreModel(model, cp.path);
          await optimizer.setWeights(optimizerWeights);
        } finally {
          tf.dispose(optimizerWeights.map((w) => w.tensor));
        }
        if (s.learningRate !== null && getLearningRate(optimizer) !== null) setLearningRate(optimizer, s.learningRate);
        run.scheduleStep = s.schedule.step;
        run.baseLr = s.schedule.baseLr ?? run.baseLr;
        rng.setState(s.rng);
        for (const [name, obj] of Object.entries(stateful)) obj.setState(s.stateful[name]);
        records = s.records;
        totalTime = s.totalTime;
        first = s.epoch + 1;
        lastCheckpoint = cp.path;
      }
    }
    for (let epoch = first; epoch < epochs; epoch++) {
      abortIfAsked(signal);
      applySchedule();
      const lr = getLearningRate(optimizer);
      const train = await trainEpoch(epoch);
      totalTime += train.seconds;
      if (scheduleStep === 'epoch' && schedule !== undefined) {
        run.scheduleStep++;
        applySchedule();
      }
      const test = testData === undefined ? null : await evaluate(testData, epoch);
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
      bar.line(formatEpochSummary(record, epochs));
      if (checkpointDir !== undefined && ((epoch + 1) % checkpointEvery === 0 || epoch === epochs - 1)) {
        const states: Record<string, unknown> = {};
        for (const [name, obj] of Object.entries(stateful)) states[name] = obj.getState();
        lastCheckpoint = await saveCheckpoint(
          checkpointDir,
          model,
          optimizer,
          {
            epoch,
            totalTime,
            schedule: { step: run.scheduleStep, baseLr: run.baseLr },
            learningRate: getLearningRate(optimizer),
            rng: rng.getState(),
            stateful: states,
            records,
          },
          checkpointKeep,
        );
      }
      if (onEpochEnd !== undefined) await onEpochEnd(record);
    }
  } catch (e) {
    bar.clear();
    throw e;
  } finally {
    if (givenOptimizer === undefined) optimizer.dispose();
  }
  return records;
}
