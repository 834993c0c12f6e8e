import * as tf from '@tensorflow/tfjs';
import type { Targets } from './types';
import { assertClassIndices, assertLabels, assertMixupTargets, assertTargets, fail, isMixupTargets } from './validate';

/**
 * Throws unless `targets` fit a batch of `b` samples and `k` classes: labels `[B]` with indices in `[0, K)` or soft
 * targets `[B, K]`, alone or as both sides of MixUp targets. Reads int32 labels back to check their range.
 * `against` names the tensor that fixes B and K (e.g. 'logits'), for the message.
 */
export function assertTargetsFor(fn: string, name: string, targets: unknown, b: number, k: number, against: string): asserts targets is Targets {
  assertTargets(fn, name, targets);
  const sides: [string, tf.Tensor][] = [];
  if (isMixupTargets(targets)) {
    assertMixupTargets(fn, name, targets, b);
    sides.push([`${name}.yi`, targets.yi], [`${name}.yj`, targets.yj]);
  } else {
    assertLabels(fn, name, targets, b);
    sides.push([name, targets]);
  }
  for (const [side, y] of sides) {
    if (y.rank === 2 && y.shape[1] !== k) {
      fail(fn, side, y, `[B, ${k}], as many columns as the ${against}`);
    }
    assertClassIndices(fn, side, y, k);
  }
}

/** Float32 target rows `[B, K]`: one-hot for int32 labels, as they are for soft targets, then `(1−ε)·t + ε/K`. */
export function targetRows(y: tf.Tensor, k: number, labelSmoothing = 0): tf.Tensor2D {
  const t = (y.rank === 1 ? tf.oneHot(y as tf.Tensor1D, k).toFloat() : y) as tf.Tensor2D;
  return labelSmoothing > 0 ? t.mul<tf.Tensor2D>(1 - labelSmoothing).add<tf.Tensor2D>(labelSmoothing / k) : t;
}

/**
 * `perSide(targets)` for plain targets; `λ·perSide(yi) + (1−λ)·perSide(yj)` for MixUp targets, a per-sample λ `[B]`
 * broadcast over the trailing axes of the result (so it weighs both per-sample values `[B]` and rows `[B, K]`).
 * Call it inside a tidy.
 */
export function weighSides<R extends tf.Tensor>(targets: Targets, perSide: (y: tf.Tensor) => R): R {
  if (!isMixupTargets(targets)) return perSide(targets);
  const vi = perSide(targets.yi);
  const vj = perSide(targets.yj);
  const { lambda } = targets;
  const lam = typeof lambda === 'number' ? tf.scalar(lambda) : lambda.reshape([-1, ...vi.shape.slice(1).map(() => 1)]);
  return tf.add(tf.mul(lam, vi), tf.mul(tf.sub(1, lam), vj)) as R;
}
