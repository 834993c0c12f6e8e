import * as tf from '@tensorflow/tfjs';
import { assertTargetsFor, targetRows, weighSides } from './targets';
import type { Targets } from './types';
import { assertLabels, assertPositiveInt, assertTargets, assertUnitInterval, fail, isMixupTargets } from './validate';

/** Options of {@link mixupSoftTargets}. */
export interface SoftTargetOptions {
  /** K, required when the labels are int32 class indices; checked against `[B, K]` soft targets. */
  numClasses?: number;
  /** ε: every one-hot row becomes `(1−ε)·onehot + ε/K` before mixing. Default 0. */
  labelSmoothing?: number;
}

/**
 * Soft targets for `model.fit` / `categoricalCrossentropy` users: one-hot (optionally label-smoothed) rows,
 * mixed as `λ·t(yi) + (1−λ)·t(yj)` for MixUp targets. Cross-entropy is linear in the targets, so
 * `crossEntropy(mixupSoftTargets(t), ŷ)` equals `crossEntropy(t, ŷ)`. Class indices outside `[0, K)` are an error.
 *
 * @param targets int32 labels `[B]`, float32 soft targets `[B, K]`, or MixUp targets of either
 * @returns float32 `[B, K]`, rows summing to 1 (a new tensor)
 */
export function mixupSoftTargets(targets: Targets, { numClasses, labelSmoothing = 0 }: SoftTargetOptions = {}): tf.Tensor2D {
  const fn = 'mixupSoftTargets';
  assertTargets(fn, 'targets', targets);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  if (numClasses !== undefined) assertPositiveInt(fn, 'numClasses', numClasses);
  const mixed = isMixupTargets(targets);
  const name = mixed ? 'targets.yi' : 'targets';
  const first = mixed ? targets.yi : targets;
  assertLabels(fn, name, first);
  // K from the soft targets' columns, else from numClasses; assertTargetsFor then checks both sides against it.
  const k = first.rank === 2 ? (first.shape[1] as number) : numClasses;
  if (k === undefined || (numClasses !== undefined && k !== numClasses)) {
    fail(fn, 'numClasses', numClasses, k === undefined ? `given for int32 labels ${name} [B]` : `${k}, the columns of ${name}`);
  }
  const classes = k;
  assertTargetsFor(fn, 'targets', targets, first.shape[0] as number, classes, 'numClasses');
  // A fresh tensor even for unsmoothed soft targets, so the caller may dispose input and output independently.
  return tf.tidy(() => weighSides(targets, (y) => targetRows(y, classes, labelSmoothing).clone()));
}
