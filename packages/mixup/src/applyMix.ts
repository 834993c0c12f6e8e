import * as tf from '@tensorflow/tfjs';
import { assertBox } from './box';
import type { MixDraw } from './mixDraw';
import { MIXUP_MODES } from './policy';
import type { MixupTargets } from './types';
import { assertInputs, assertLabels, assertOneOf, assertPermutation, fail } from './validate';

/**
 * Applies a {@link MixDraw} to a batch of inputs: sample `i` becomes `x_i + (1−λ_i)·(x_π(i) − x_i)` (a blend) or takes
 * `x_π(i)`'s pixels inside its box (CutMix, exact copies). Differentiable in `xs`. Use it to mix anything that
 * belongs to the batch with the same draw, e.g. segmentation masks, as Keras' layers do.
 *
 * @param xs float32 `[B, ...]`; `[B, H, W, C]` when the draw has boxes
 * @returns a new tensor shaped like `xs`
 */
export function applyMix(xs: tf.Tensor, draw: MixDraw): tf.Tensor {
  const fn = 'applyMix';
  assertInputs(fn, 'xs', xs, '[B, ...]');
  assertDraw(fn, draw, xs.shape);
  return mixWith(xs, draw);
}

/**
 * The targets of a batch mixed by `draw`: `{yi: ys, yj: ys[π], lambda}` (lambda a number in 'batch' mode, a float32
 * `[B]` otherwise), for {@link crossEntropy}, {@link mixupSoftTargets} and {@link accuracy}. New tensors.
 *
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 */
export function mixTargets(ys: tf.Tensor, draw: MixDraw): MixupTargets {
  const fn = 'mixTargets';
  assertLabels(fn, 'ys', ys);
  assertDraw(fn, draw, ys.shape, false);
  return targetsWith(ys, draw);
}

/** {@link applyMix} for a checked draw. */
export function mixWith(xs: tf.Tensor, draw: MixDraw): tf.Tensor {
  const [b, h = 1, w = 1] = xs.shape as number[];
  const n = draw.lambda.length;
  // The partner's share in the blend; 0 for boxes and unmixed samples, whose pixels are then exact.
  const share = draw.lambda.map((l, i) => (draw.box[i] ? 0 : 1 - l));
  const boxes = draw.box.some((bx) => bx);
  if (!boxes && share.every((s) => s === 0)) return xs.clone();
  return tf.tidy(() => {
    const partner = tf.gather(xs, tf.tensor1d(draw.permutation, 'int32'), 0);
    let out = xs;
    if (share.some((s) => s !== 0)) {
      const weight = n === 1 ? tf.scalar(share[0] as number) : tf.tensor(share, [b as number, ...xs.shape.slice(1).map(() => 1)]);
      out = xs.add(weight.mul(partner.sub(xs)));
    }
    if (boxes) {
      // 1 inside each box: built on the CPU side, it is only H·W numbers per box.
      const mask = new Uint8Array(n * h * w);
      draw.box.forEach((bx, i) => {
        for (let r = bx ? bx.top : 0; bx && r < bx.bottom; r++) mask.fill(1, (i * h + r) * w + bx.left, (i * h + r) * w + bx.right);
      });
      // A select, not a blend: pasted pixels are exact copies of the partner's.
      out = tf.where(tf.tensor4d(mask, [n, h, w, 1], 'bool'), partner, out);
    }
    return out;
  });
}

/** {@link mixTargets} for checked arguments. */
export function targetsWith(ys: tf.Tensor, draw: MixDraw): MixupTargets {
  const yj = tf.tidy(() => tf.gather(ys, tf.tensor1d(draw.permutation, 'int32'), 0));
  return { yi: ys.clone(), yj, lambda: draw.mode === 'batch' ? (draw.lambda[0] as number) : tf.tensor1d(draw.lambda, 'float32') };
}

/** Throws unless `draw` is a {@link MixDraw} for a batch of `shape` (and its boxes fit images of that shape when `images`). */
function assertDraw(fn: string, draw: unknown, shape: readonly number[], images = true): asserts draw is MixDraw {
  const d = (draw ?? {}) as Partial<MixDraw>;
  const b = shape[0] as number;
  assertOneOf(fn, 'draw.mode', d.mode, MIXUP_MODES);
  assertPermutation(fn, d.permutation, b, 'draw.permutation');
  const n = d.mode === 'batch' ? 1 : b;
  const { lambda, box } = d;
  const ok = Array.isArray(lambda) && lambda.length === n && lambda.every((l) => l >= 0 && l <= 1) && Array.isArray(box) && box.length === n;
  if (!ok) fail(fn, 'draw', draw, `a MixDraw (see drawMix) with ${n} lambdas in [0, 1] and ${n} boxes or nulls`);
  box.forEach((bx, i) => {
    if (bx === null || !images) return;
    if (shape.length !== 4) fail(fn, 'xs.shape', shape, 'images [B, H, W, C] for a draw with boxes');
    assertBox(fn, `draw.box[${i}]`, bx, shape[1] as number, shape[2] as number);
  });
}
