import * as tf from '@tensorflow/tfjs';
import type { Loss, Targets } from './types';
import { assertLabels, assertMixupTargets, assertOneOf, assertTargets, assertUnitInterval, describe, isMixupTargets } from './validate';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** 'mean' over the batch (a scalar, like `nn.CrossEntropyLoss`) or 'none' (one loss per sample, `[B]`). Default 'mean'. */
  reduction?: 'mean' | 'none';
  /** ε: targets become `(1−ε)·t + ε/K`, as PyTorch's `label_smoothing`. Default 0. */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy from logits, `−Σ_k t_k · log softmax(z)_k`, PyTorch's `nn.CrossEntropyLoss` for
 * class indices or class probabilities. Labels outside `[0, K)` are not checked (that would need a device read):
 * they give a zero one-hot row.
 *
 * @param targets int32 class indices `[B]` or float32 class probabilities `[B, K]`
 * @param logits float32 `[B, K]`
 * @returns a scalar ('mean') or `[B]` ('none')
 */
export function crossEntropy(
  targets: tf.Tensor,
  logits: tf.Tensor,
  { reduction = 'mean', labelSmoothing = 0 }: CrossEntropyOptions = {},
): tf.Tensor {
  const fn = 'crossEntropy';
  assertLogits(fn, logits);
  const [b, k] = logits.shape as [number, number];
  assertLabels(fn, 'targets', targets, b);
  if (targets.rank === 2 && targets.shape[1] !== k) {
    throw new Error(`${fn}: targets [B, K] must have K = ${k} columns like the logits, got shape [${targets.shape.join(', ')}].`);
  }
  assertOneOf(fn, 'reduction', reduction, ['mean', 'none'] as const);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  return tf.tidy(() => {
    let t = targets.rank === 1 ? tf.oneHot(targets as tf.Tensor1D, k).toFloat() : targets;
    if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(labelSmoothing / k);
    const perSample = tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(logits as tf.Tensor2D, -1)), -1));
    return reduction === 'mean' ? tf.mean(perSample) : perSample;
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
 * The chapter's `MixupLoss`: for MixUp targets `{yi, yj, lambda}` returns
 * `mean(λ·ℓ(ŷ, yi) + (1−λ)·ℓ(ŷ, yj))` (λ per sample when it is a `[B]` tensor), for plain labels `mean(ℓ(ŷ, y))`,
 * so the same loss serves training on mixed batches and evaluation on clean ones.
 *
 * @param baseLoss ℓ, returning a scalar or `[B]`; default softmax cross-entropy on logits, like `nn.CrossEntropyLoss()`
 * @returns a loss `(targets, predictions) => Scalar`; predictions are e.g. logits `[B, K]`
 */
export function mixupLoss(baseLoss: BaseLoss = perSampleCrossEntropy): Loss {
  if (typeof baseLoss !== 'function') {
    throw new Error(`mixupLoss: baseLoss must be a function (targets, predictions) => Tensor, got ${describe(baseLoss)}.`);
  }
  return (targets: Targets, predictions: tf.Tensor): tf.Scalar => {
    const fn = 'mixupLoss';
    assertTargets(fn, 'targets', targets);
    if (!(predictions instanceof tf.Tensor)) throw new Error(`${fn}: predictions must be a tf.Tensor, got ${describe(predictions)}.`);
    return tf.tidy(() => {
      if (!isMixupTargets(targets)) return tf.mean(baseLoss(targets, predictions)) as tf.Scalar;
      assertMixupTargets(fn, 'targets', targets, predictions.shape[0]);
      const { yi, yj, lambda } = targets;
      const li = baseLoss(yi, predictions);
      const lj = baseLoss(yj, predictions);
      if (typeof lambda === 'number') return tf.add(tf.mean(li).mul(lambda), tf.mean(lj).mul(1 - lambda)) as tf.Scalar;
      const b = lambda.shape[0];
      if (li.rank !== 1 || li.shape[0] !== b || lj.rank !== 1 || lj.shape[0] !== b) {
        throw new Error(
          `${fn}: per-sample lambda ('elem' mode) needs a baseLoss that returns per-sample losses [${b}], got shape [${li.shape.join(', ')}] (use reduction 'none').`,
        );
      }
      return tf.mean(tf.add(tf.mul(lambda, li), tf.mul(tf.sub(1, lambda), lj))) as tf.Scalar;
    });
  };
}

function assertLogits(fn: string, logits: unknown): asserts logits is tf.Tensor {
  if (!(logits instanceof tf.Tensor) || logits.rank !== 2 || logits.dtype !== 'float32') {
    throw new Error(`${fn}: logits must be a float32 tensor [B, K], got ${describe(logits)}.`);
  }
}
