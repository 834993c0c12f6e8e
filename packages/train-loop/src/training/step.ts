import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { Batch, Bivariant, LossFn, ScoreFn, Targets } from '../types';
import { fail, isNil } from '../validate';
import { freeAbandonedTape, keepAll } from './engine';
import { NonFiniteLossError } from './nonFiniteLossError';
import { FN } from './options';
import type { Run } from './run';
import { stepSchedule } from './run';

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
  /** The loop's seeded generator (saved in checkpoints), e.g. to pick a layer and λ; the `Rng` of every @aa package. */
  rng: Rng;
  /** `rng.random()`: a uniform number in [0, 1). */
  random(): number;
}

/** What a custom step may return instead of a bare loss, so the loop can also score the batch. */
export interface StepOutput {
  /** The scalar loss to minimise. */
  loss: tf.Scalar;
  /** Predictions `[B, K]` to score (train scores are `null` without them). */
  predictions?: tf.Tensor;
  /** Targets the predictions answer (e.g. targets built by the step); default: the batch's `ys`. */
  targets?: Targets;
}

/**
 * A custom training step, run inside the optimizer's gradient computation: it does its own forward
 * pass (e.g. mixing hidden states between samples, with `model.apply(x, {training: true})` or layer by
 * layer) and returns the loss. The loop still does the update, schedule, records, progress, checkpoints.
 * Tensors it creates are freed after the step; the batch belongs to the loop and is disposed afterwards.
 * It may type the batch for the targets it knows (`(batch: {xs: tf.Tensor; ys: tf.Tensor}, ctx) => …`).
 */
export type StepFn = Bivariant<(batch: Batch, ctx: StepContext) => tf.Scalar | StepOutput>;

/** What one training step gives the epoch: its loss, its size and its scores (null when there was nothing to score). */
export interface StepResult {
  loss: number;
  size: number;
  scores: Record<string, number> | null;
}

/** The forward pass's loss and, when scores are wanted, the predictions and targets kept out of the gradient's tidy. */
interface Forward {
  loss: tf.Scalar;
  predictions?: tf.Tensor;
  targets?: Targets;
}

function forward(run: Run, batch: Batch, ctx: StepContext): Forward {
  const { model, loss, settings } = run;
  const scoring = Object.keys(settings.scores).length > 0;
  if (settings.step === undefined) {
    const out = model.apply(batch.xs, { training: true });
    if (!(out instanceof tf.Tensor)) fail(FN, 'model', model, 'a model with a single output tensor');
    return { loss: loss(batch.ys, out), predictions: scoring ? tf.keep(out) : undefined };
  }
  const out = settings.step(batch, ctx);
  if (out instanceof tf.Tensor) return { loss: out as tf.Scalar };
  if (isNil(out) || !(out.loss instanceof tf.Tensor)) fail(FN, 'options.step', out, 'a function returning a scalar loss or {loss, predictions?, targets?}');
  if (!scoring || !(out.predictions instanceof tf.Tensor)) return { loss: out.loss };
  return { loss: out.loss, predictions: tf.keep(out.predictions), targets: out.targets === undefined ? undefined : keepAll(out.targets) };
}

function score(scores: Record<string, ScoreFn>, targets: Targets, predictions: tf.Tensor): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(scores)) out[name] = tf.tidy(() => fn(targets, predictions));
  return out;
}

/**
 * One training step: the forward pass and loss under the optimizer's gradient computation, a finite-loss check, the
 * update, the per-batch schedule step and the batch's scores. A forward pass that throws, or a loss that is not finite,
 * changes nothing (BatchNorm statistics are put back). The batch's tensors are the caller's to dispose.
 */
export async function trainStep(run: Run, batch: Batch, epoch: number, index: number): Promise<StepResult> {
  const { model, loss, optimizer, vars, frozen, rng, settings } = run;
  const ctx: StepContext = { model, loss, epoch, batch: index, rng, random: () => rng.random() };
  // Clones share data with the variables (assign swaps the data rather than writing into it): no copy.
  const saved = frozen.map((v) => tf.clone(v));
  let kept: Forward | undefined;
  try {
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      // computeGradients only takes a function returning the loss: the kept predictions come out through `kept`.
      computed = optimizer.computeGradients(() => (kept = forward(run, batch, ctx)).loss, vars);
    } catch (e) {
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
      throw new NonFiniteLossError(epoch, index, lossValue, run.lastCheckpoint);
    }
    // Same call as Optimizer.minimize with a variable list.
    optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    tf.dispose(grads);
    if (settings.scheduleStep === 'batch') stepSchedule(run);
    const size = batch.xs.shape[0] as number;
    const predictions = kept?.predictions;
    return { loss: lossValue, size, scores: predictions === undefined ? null : score(settings.scores, kept?.targets ?? batch.ys, predictions) };
  } finally {
    tf.dispose([saved, kept?.predictions, kept?.targets as tf.TensorContainer]);
  }
}
