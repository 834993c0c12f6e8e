import * as tf from '@tensorflow/tfjs';
import type { Targets } from './types';
import { assertLabels, assertMixupTargets, assertPositiveInt, assertTargets, assertUnitInterval, isMixupTargets } from './validate';

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
 * `crossEntropy(mixupSoftTargets(t), ŷ)` equals the two-term `mixupLoss()(t, ŷ)`.
 *
 * @param targets int32 labels `[B]`, float32 soft targets `[B, K]`, or MixUp targets of either
 * @returns float32 `[B, K]`, rows summing to 1 (a new tensor)
 */
export function mixupSoftTargets(targets: Targets, { numClasses, labelSmoothing = 0 }: SoftTargetOptions = {}): tf.Tensor2D {
  const fn = 'mixupSoftTargets';
  assertTargets(fn, 'targets', targets);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  if (numClasses !== undefined) assertPositiveInt(fn, 'numClasses', numClasses);
  const rows = (y: tf.Tensor, name: string): tf.Tensor2D => {
    assertLabels(fn, name, y);
    let k = numClasses;
    if (y.rank === 2) {
      if (k !== undefined && y.shape[1] !== k) {
        throw new Error(`${fn}: ${name} has ${y.shape[1]} columns but numClasses is ${k}.`);
      }
      k = y.shape[1] as number;
    } else if (k === undefined) {
      throw new Error(`${fn}: numClasses is required for int32 labels ${name} [B], got undefined.`);
    }
    const t = (y.rank === 1 ? tf.oneHot(y as tf.Tensor1D, k).toFloat() : y) as tf.Tensor2D;
    return labelSmoothing > 0 ? t.mul<tf.Tensor2D>(1 - labelSmoothing).add<tf.Tensor2D>(labelSmoothing / k) : t;
  };
  return tf.tidy(() => {
    if (!isMixupTargets(targets)) {
      const t = rows(targets, 'targets');
      // A fresh tensor even without smoothing, so the caller may dispose input and output independently.
      return t === targets ? t.clone() : t;
    }
    assertMixupTargets(fn, 'targets', targets);
    const { yi, yj, lambda } = targets;
    const ti = rows(yi, 'targets.yi');
    const tj = rows(yj, 'targets.yj');
    const lam = typeof lambda === 'number' ? tf.scalar(lambda) : lambda.reshape([-1, 1]);
    return tf.add(tf.mul(lam, ti), tf.mul(tf.sub(1, lam), tj)) as tf.Tensor2D;
  });
}
