import * as tf from '@tensorflow/tfjs';
import { isNil } from './validate';

/**
 * MixUp targets, the chapter's `(y_i, y_j, λ)` tuple: a loss on them is `λ·ℓ(ŷ, yi) + (1−λ)·ℓ(ŷ, yj)`.
 * `yi`/`yj` are int32 class indices `[B]` (or float32 soft targets `[B, K]`); `lambda` is a number when
 * one λ is shared by the batch and a float32 Tensor1D `[B]` when every sample has its own.
 */
export interface MixupTargets {
  /** Targets of the samples as they came in, `[B]` or `[B, K]`. */
  yi: tf.Tensor;
  /** Targets of each sample's partner, same shape as `yi`. */
  yj: tf.Tensor;
  /** Weight of `yi`: a number in [0, 1], or a float32 `[B]` tensor of per-sample weights. */
  lambda: number | tf.Tensor1D;
}

/** What a loss or score receives: int32 labels `[B]`, float32 soft targets `[B, K]`, or MixUp targets. */
export type Targets = tf.Tensor | MixupTargets;

/** One batch: inputs `xs` (`[B, ...]`, e.g. `[B, H, W, C]`) and their targets. */
export interface Batch {
  /** Inputs, batch first. */
  xs: tf.Tensor;
  /** Labels `[B]` (int32), soft targets `[B, K]` (float32) or MixUp targets. */
  ys: Targets;
}

/**
 * Any source of batches. Iterating it again starts a new epoch, and every iteration must yield fresh
 * tensors: whoever receives a batch owns it, so the training loop disposes each batch after use.
 * It may expose `length` (batches per epoch) for the progress bar.
 */
export type BatchSource = (Iterable<Batch> | AsyncIterable<Batch>) & { readonly length?: number };

/** A loss: targets first, predictions second; returns a scalar to minimise. */
export type LossFn = (targets: Targets, predictions: tf.Tensor) => tf.Scalar;

/** A score: targets first, predictions second; returns a plain number (e.g. accuracy in [0, 1]). */
export type ScoreFn = (targets: Targets, predictions: tf.Tensor) => number;

/**
 * Something whose state is saved in checkpoints and restored on resume, e.g. a data loader's
 * random generator. `getState` must return JSON-serialisable data.
 */
export interface Stateful {
  /** The current state, JSON-serialisable. */
  getState(): unknown;
  /** Restores a state previously returned by `getState`. */
  setState(state: unknown): void;
}

/** True when the targets are MixUp targets `{yi, yj, lambda}` rather than a plain tensor. */
export function isMixupTargets(targets: unknown): targets is MixupTargets {
  if (isNil(targets) || typeof targets !== 'object' || targets instanceof tf.Tensor) return false;
  const t = targets as Partial<MixupTargets>;
  return t.yi instanceof tf.Tensor && t.yj instanceof tf.Tensor && t.lambda !== undefined;
}
