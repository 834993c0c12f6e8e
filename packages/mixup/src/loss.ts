import * as tf from '@tensorflow/tfjs';
import { assertTargetsFor, targetRows, weighSides } from './targets';
import type { Loss, Targets } from './types';
import { assertMixupTargets, assertOneOf, assertTargets, assertUnitInterval, fail, isMixupTargets } from './validate';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** 'mean' over the batch (a scalar, like `nn.CrossEntropyLoss`) or 'none' (one loss per sample, `[B]`). Default 'mean'. */
  reduction?: 'mean' | 'none';
  /** ε: every target row becomes `(1−ε)·t + ε/K`, as PyTorch's `label_smoothing` (both sides of MixUp targets). Default 0. */
  labelSmoothing?: number;
}

const REDUCTIONS = ['mean', 'none'] as const;

/**
 * Softmax cross-entropy from logits, PyTorch's `nn.CrossEntropyLoss` (with `label_smoothing`), for every kind of target:
 *
 * - int32 class indices `[B]`: `−log softmax(z)[y]`; an index outside `[0, K)` is an error (as in PyTorch; the B labels
 *   are read back to check);
 * - float32 class probabilities `[B, K]`: `−Σ_k t_k · log softmax(z)_k`;
 * - MixUp targets `{yi, yj, lambda}` (the chapter's `MixupLoss`): `λ·CE(z, yi) + (1−λ)·CE(z, yj)` per sample,
 *   with one λ or a float32 `[B]` of them.
 *
 * @param targets labels `[B]`, soft targets `[B, K]` or MixUp targets of either
 * @param logits float32 `[B, K]`
 * @returns a scalar ('mean') or the per-sample losses `[B]` ('none')
 */
export function crossEntropy(targets: Targets, logits: tf.Tensor, options?: CrossEntropyOptions & { reduction?: 'mean' }): tf.Scalar;
export function crossEntropy(targets: Targets, logits: tf.Tensor, options: CrossEntropyOptions & { reduction: 'none' }): tf.Tensor1D;
export function crossEntropy(targets: Targets, logits: tf.Tensor, options?: CrossEntropyOptions): tf.Scalar | tf.Tensor1D;
export function crossEntropy(targets: Targets, logits: tf.Tensor, { reduction = 'mean', labelSmoothing = 0 }: CrossEntropyOptions = {}): tf.Scalar | tf.Tensor1D {
  const fn = 'crossEntropy';
  if (!(logits instanceof tf.Tensor) || logits.rank !== 2 || logits.dtype !== 'float32') fail(fn, 'logits', logits, 'a float32 tensor [B, K]');
  const [b, k] = logits.shape as [number, number];
  assertTargetsFor(fn, 'targets', targets, b, k, 'logits');
  assertOneOf(fn, 'reduction', reduction, REDUCTIONS);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits as tf.Tensor2D, -1);
    const perSample = weighSides(targets, (y) => tf.neg(tf.sum(tf.mul(targetRows(y, k, labelSmoothing), logp), -1)) as tf.Tensor1D);
    return reduction === 'mean' ? (tf.mean(perSample) as tf.Scalar) : perSample;
  });
}

/**
 * A base loss for {@link mixupLoss}: `(targets, predictions)` to a scalar or to per-sample losses `[B]`.
 * Per-sample losses are required for per-sample λ ('elem' mode).
 */
export type BaseLoss = (targets: tf.Tensor, predictions: tf.Tensor) => tf.Tensor;

/** The default base loss: per-sample softmax cross-entropy on logits (int32 labels or soft targets). */
export const perSampleCrossEntropy: BaseLoss = (targets, logits) => crossEntropy(targets, logits, { reduction: 'none' });

/**
 * The chapter's `MixupLoss` around any base loss ℓ: for MixUp targets `{yi, yj, lambda}` returns
 * `mean(λ·ℓ(ŷ, yi) + (1−λ)·ℓ(ŷ, yj))` (λ per sample when it is a `[B]` tensor), for plain labels `mean(ℓ(ŷ, y))`,
 * so the same loss serves training on mixed batches and evaluation on clean ones. With the default ℓ it equals
 * {@link crossEntropy}.
 *
 * @param baseLoss ℓ, returning a scalar or `[B]`; default softmax cross-entropy on logits, like `nn.CrossEntropyLoss()`
 * @returns a loss `(targets, predictions) => Scalar`; predictions are e.g. logits `[B, K]`
 */
export function mixupLoss(baseLoss: BaseLoss = perSampleCrossEntropy): Loss {
  if (typeof baseLoss !== 'function') fail('mixupLoss', 'baseLoss', baseLoss, 'a function (targets, predictions) => Tensor');
  return (targets: Targets, predictions: tf.Tensor): tf.Scalar => {
    const fn = 'mixupLoss';
    assertTargets(fn, 'targets', targets);
    if (!(predictions instanceof tf.Tensor)) fail(fn, 'predictions', predictions, 'a tf.Tensor');
    return tf.tidy(() => {
      if (!isMixupTargets(targets)) return tf.mean(baseLoss(targets, predictions)) as tf.Scalar;
      assertMixupTargets(fn, 'targets', targets, predictions.shape[0]);
      const { yi, yj, lambda } = targets;
      const li = baseLoss(yi, predictions);
      const lj = baseLoss(yj, predictions);
      if (typeof lambda === 'number') return tf.add(tf.mean(li).mul(lambda), tf.mean(lj).mul(1 - lambda)) as tf.Scalar;
      const b = lambda.shape[0];
      if (li.rank !== 1 || li.shape[0] !== b || lj.rank !== 1 || lj.shape[0] !== b) {
        fail(fn, 'baseLoss(yi, predictions)', li, `per-sample losses [${b}] for a per-sample lambda (use reduction 'none')`);
      }
      return tf.mean(tf.add(tf.mul(lambda, li), tf.mul(tf.sub(1, lambda), lj))) as tf.Scalar;
    });
  };
}
