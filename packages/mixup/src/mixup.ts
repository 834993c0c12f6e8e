import * as tf from '@tensorflow/tfjs';
import { randomPermutation, sampleLambdas } from './draws';
import { assertRng, defaultRng } from './rng';
import type { Rng } from './rng';
import type { MixedBatch, MixupMode, MixupTargets } from './types';
import { assertAlpha, assertInputs, assertLabels, assertOneOf, describe } from './validate';

/** Options of {@link mixupBatch}. */
export interface MixupOptions {
  /** Beta(α, α) parameter; 0 disables mixing (λ = 1). Default 0.25 (the chapter's). */
  alpha?: number;
  /** 'batch': one λ for the batch (the chapter); 'elem': one λ per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Source of λs and permutations; default a shared, randomly seeded {@link createRng}. */
  rng?: Rng;
}

export const MIXUP_MODES: readonly MixupMode[] = ['batch', 'elem'];

/**
 * `λ·x + (1−λ)·x[permutation]`: each sample blended with its partner. Differentiable in `x`
 * (the gather's gradient scatters back), so it also mixes hidden states (Manifold MixUp).
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
  return tf.tidy(() => {
    const partner = tf.gather(x, tf.tensor1d(Array.from(permutation), 'int32'), 0);
    const lam = typeof lambda === 'number' ? tf.scalar(lambda) : lambda.reshape([b, ...x.shape.slice(1).map(() => 1)]);
    // λx + (1−λ)x' as x' + λ(x − x'): one fewer full-size multiply, same value and gradient.
    return partner.add(lam.mul(x.sub(partner)));
  });
}

/**
 * MixUp a batch, as the chapter's `MixupCollator` does: λ ~ Beta(α, α), partners by a random permutation
 * of the batch (so any batch size works), `x̃ = λ·x + (1−λ)·x[π]`, targets `{yi: y, yj: y[π], lambda}`.
 * Pure: the inputs are left alone and every returned tensor is new (the caller disposes both).
 *
 * @param xs float32 inputs `[B, ...]`, e.g. `[B, H, W, C]`
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 * @returns mixed inputs `[B, ...]` and MixUp targets (lambda a number in 'batch' mode, a `[B]` tensor in 'elem' mode)
 */
export function mixupBatch(
  xs: tf.Tensor,
  ys: tf.Tensor,
  { alpha = 0.25, mode = 'batch', rng = defaultRng() }: MixupOptions = {},
): MixedBatch {
  const fn = 'mixupBatch';
  assertInputs(fn, 'xs', xs, '[B, ...]');
  const b = xs.shape[0] as number;
  assertLabels(fn, 'ys', ys, b);
  assertAlpha(fn, alpha);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  assertRng(fn, rng);
  if (alpha === 0) return unmixed(xs, ys, mode);
  const lambdas = sampleLambdas(alpha, mode === 'batch' ? 1 : b, rng);
  const perm = randomPermutation(b, rng);
  const lambda = mode === 'batch' ? (lambdas[0] as number) : tf.tensor1d(lambdas, 'float32');
  return { xs: mixInputs(xs, perm, lambda), ys: permutedTargets(ys, perm, lambda) };
}

/** `{yi: copy of ys, yj: ys[permutation], lambda}`: new tensors the caller owns. */
export function permutedTargets(ys: tf.Tensor, permutation: ArrayLike<number>, lambda: number | tf.Tensor1D): MixupTargets {
  const yj = tf.tidy(() => tf.gather(ys, tf.tensor1d(Array.from(permutation), 'int32'), 0));
  return { yi: ys.clone(), yj, lambda };
}

/** The α = 0 answer: no mixing, λ = 1, in the same shape as a mixed batch so losses need no special case. */
export function unmixed(xs: tf.Tensor, ys: tf.Tensor, mode: MixupMode): MixedBatch {
  const b = xs.shape[0] as number;
  return { xs: xs.clone(), ys: { yi: ys.clone(), yj: ys.clone(), lambda: mode === 'batch' ? 1 : tf.ones<tf.Rank.R1>([b], 'float32') } };
}

function assertPermutation(fn: string, permutation: unknown, b: number): asserts permutation is ArrayLike<number> {
  const p = permutation as ArrayLike<number> | null;
  const ok = p !== null && typeof p === 'object' && typeof p.length === 'number' && p.length === b;
  const seen = new Uint8Array(b);
  if (ok) {
    for (let i = 0; i < b; i++) {
      const v = p[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= b || seen[v]) {
        throw new Error(`${fn}: permutation must hold each of 0..${b - 1} exactly once, got ${describe(Array.from(p))}.`);
      }
      seen[v] = 1;
    }
    return;
  }
  throw new Error(`${fn}: permutation must be an array of ${b} indices (a permutation of 0..${b - 1}), got ${describe(permutation)}.`);
}

function assertLambda(fn: string, lambda: unknown, b: number): asserts lambda is number | tf.Tensor1D {
  if (typeof lambda === 'number') {
    if (Number.isFinite(lambda) && lambda >= 0 && lambda <= 1) return;
  } else if (lambda instanceof tf.Tensor && lambda.rank === 1 && lambda.shape[0] === b && lambda.dtype === 'float32') {
    return;
  }
  throw new Error(`${fn}: lambda must be a number in [0, 1] or a float32 tensor [${b}], got ${describe(lambda)}.`);
}
