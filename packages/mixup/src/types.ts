import type * as tf from '@tensorflow/tfjs';

/**
 * MixUp targets, the chapter's `(y_i, y_j, λ)` tuple: the loss is `λ·ℓ(ŷ, yi) + (1−λ)·ℓ(ŷ, yj)`.
 * `yi` and `yj` are int32 class indices `[B]` (or float32 soft targets `[B, K]`); `lambda` is a number
 * when one λ is shared by the batch and a Tensor1D `[B]` when every sample has its own.
 */
export interface MixupTargets {
  /** Targets of the samples as they came in, `[B]` or `[B, K]`. */
  yi: tf.Tensor;
  /** Targets of each sample's partner (the batch permuted), same shape as `yi`. */
  yj: tf.Tensor;
  /** Weight of `yi`: a number in [0, 1] ('batch' mode) or a float32 `[B]` tensor ('elem' mode). */
  lambda: number | tf.Tensor1D;
}

/** What a loss or score receives: plain labels/soft targets, or MixUp targets. */
export type Targets = tf.Tensor | MixupTargets;

/** One training batch: inputs `xs` (`[B, ...]`, e.g. `[B, H, W, C]`) and their targets. */
export interface Batch {
  /** Inputs, batch first. */
  xs: tf.Tensor;
  /** Labels `[B]` (int32), soft targets `[B, K]` (float32) or MixUp targets. */
  ys: Targets;
}

/** A batch whose targets are MixUp targets, as returned by the mixing functions. */
export interface MixedBatch {
  /** Mixed inputs, same shape as the inputs. */
  xs: tf.Tensor;
  /** Targets to feed {@link mixupLoss} or {@link mixupAccuracy}. */
  ys: MixupTargets;
}

/**
 * Any source of batches: iterating it again starts a new epoch. It may expose `length`
 * (batches per epoch) for progress bars.
 */
export type BatchSource = (Iterable<Batch> | AsyncIterable<Batch>) & { readonly length?: number };

/** A loss: targets first, predictions second, returns a scalar to minimise. */
export type Loss = (targets: Targets, predictions: tf.Tensor) => tf.Scalar;

/** A score: targets first, predictions second, returns a plain number (higher is better). */
export type Score = (targets: Targets, predictions: tf.Tensor) => number;

/**
 * How λ is drawn: one for the whole batch (the chapter), one per random pair of samples that mix with each other
 * (timm's 'pair'), or one per sample, each with a random partner.
 */
export type MixupMode = 'batch' | 'pair' | 'elem';

/** Which mixing a batch transform applies: blend whole images (MixUp) or paste a box (CutMix). */
export type MixMethod = 'mixup' | 'cutmix';
