import type * as tf from '@tensorflow/tfjs';
import { mixWith } from './applyMix';
import { mixOne } from './mixBatch';
import type { Rng } from './rng';
import type { MixedBatch, MixupMode } from './types';
import { assertInputs, assertLambda, assertPermutation } from './validate';

/** Options of {@link mixupBatch}. */
export interface MixupOptions {
  /** Beta(α, α) parameter; 0 disables mixing (λ = 1). Default 0.25 (the chapter's). */
  alpha?: number;
  /** 'batch': one λ for the batch (the chapter); 'pair': one per random pair; 'elem': one per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Probability of mixing the batch (or pair, or sample) at all. Default 1. */
  prob?: number;
  /** Source of λs and permutations; default a shared, randomly seeded {@link createRng}. */
  rng?: Rng;
}

/**
 * `λ·x + (1−λ)·x[permutation]`: each sample blended with its partner. Differentiable in `x`
 * (the gather's gradient scatters back), so it also mixes hidden states (Manifold MixUp); not in a λ tensor.
 *
 * @param x float32 `[B, ...]` (e.g. `[B, H, W, C]` or hidden features `[B, D]`)
 * @param permutation partner index of every sample, length `B`
 * @param lambda weight of `x` itself: a number in [0, 1], or a float32 `[B]` tensor (one per sample)
 * @returns a new tensor shaped like `x`
 */
export function mixInputs(x: tf.Tensor, permutation: ArrayLike<number>, lambda: number | tf.Tensor1D): tf.Tensor {
  const fn = 'mixInputs';
  assertInputs(fn, 'x', x, '[B, ...]');
  const b = x.shape[0] as number;
  assertPermutation(fn, permutation, b);
  assertLambda(fn, lambda, b);
  // The B weights are read back: they are numbers to the draw, not part of the graph.
  const lam = typeof lambda === 'number' ? [lambda] : Array.from(lambda.dataSync());
  return mixWith(x, { mode: typeof lambda === 'number' ? 'batch' : 'elem', permutation: Int32Array.from(permutation), lambda: lam, box: lam.map(() => null) });
}

/**
 * MixUp a batch, as the chapter's `MixupCollator` does: λ ~ Beta(α, α), partners by a random permutation
 * of the batch (so any batch size works), `x̃ = λ·x + (1−λ)·x[π]`, targets `{yi: y, yj: y[π], lambda}`.
 * Pure: the inputs are left alone and every returned tensor is new (the caller disposes both).
 * {@link mixBatch} with MixUp alone.
 *
 * @param xs float32 inputs `[B, ...]`, e.g. `[B, H, W, C]`
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 * @returns mixed inputs `[B, ...]` and MixUp targets (lambda a number in 'batch' mode, a `[B]` tensor otherwise)
 */
export function mixupBatch(xs: tf.Tensor, ys: tf.Tensor, options: MixupOptions = {}): MixedBatch {
  return mixOne('mixupBatch', 'mixup', xs, ys, options, []);
}
