import * as tf from '@tensorflow/tfjs';
import { targetRows, weighSides } from './targets';
import type { Targets } from './types';
import { assertClassIndices, assertLabels, assertMixupTargets, assertPositiveInt, assertTargets, assertUnitInterval, fail, isMixupTargets } from './validate';

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
  const sides: [string, tf.Tensor][] = isMixupTargets(targets) ? [['targets.yi', targets.yi], ['targets.yj', targets.yj]] : [['targets', targets]];
  for (const [name, y] of sides) assertLabels(fn, name, y);
  if (isMixupTargets(targets)) assertMixupTargets(fn, 'targets', targets);
  const first = (sides[0] as [string, tf.Tensor])[1];
  let k = numClasses;
  if (first.rank === 2) {
    if (k !== undefined && first.shape[1] !== k) {
      fail(fn, 'numClasses', k, `${first.shape[1]}, the columns of ${(sides[0] as [string, tf.Tensor])[0]}`);
    }
    k = first.shape[1] as number;
  } else if (k === undefined) {
    fail(fn, 'numClasses', k, `given for int32 labels ${(sides[0] as [string, tf.Tensor])[0]} [B]`);
  }
  const classes = k;
  for (const [name, y] of sides) assertClassIndices(fn, name, y, classes);
  // A fresh tensor even for unsmoothed soft targets, so the caller may dispose input and output independently.
  return tf.tidy(() => weighSides(targets, (y) => targetRows(y, classes, labelSmoothing).clone()));
}
