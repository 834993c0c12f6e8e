import type * as tf from '@tensorflow/tfjs';

/**
 * What a batch's `ys` holds and what the loss and scores receive: whatever they understand — int32 labels `[B]`,
 * soft targets `[B, K]`, or an object of tensors (and numbers) built by a batch transform. The loop never looks
 * inside; it only keeps and disposes every tensor it finds there.
 */
export type Targets = tf.Tensor | tf.NamedTensorMap | object;

/** One batch: inputs `xs` (`[B, ...]`, e.g. `[B, H, W, C]`) and their targets. */
export interface Batch {
  /** Inputs, batch first. */
  xs: tf.Tensor;
  /** Targets for the loss and scores (see {@link Targets}). */
  ys: Targets;
}

/**
 * Any source of batches. Iterating it again starts a new epoch, and every iteration must yield fresh
 * tensors: whoever receives a batch owns it, so the training loop disposes each batch after use.
 * It may expose `length` (batches per epoch) for the progress bar.
 */
export type BatchSource = (Iterable<Batch> | AsyncIterable<Batch>) & { readonly length?: number };

// Method syntax makes the parameters bivariant: a loss written for the targets it knows (`(targets: tf.Tensor, …)`, or
// another package's targets object) is accepted as a LossFn although the loop's targets are opaque.
export type Bivariant<F extends (...args: never[]) => unknown> = { fn(...args: Parameters<F>): ReturnType<F> }['fn'];

/** A loss: targets first, predictions second; returns a scalar to minimise. Any loss typed for its own targets fits. */
export type LossFn = Bivariant<(targets: Targets, predictions: tf.Tensor) => tf.Scalar>;

/** A score: targets first, predictions second; returns a plain number (e.g. accuracy in [0, 1]). */
export type ScoreFn = Bivariant<(targets: Targets, predictions: tf.Tensor) => number>;

/**
 * Something whose state is saved in checkpoints and restored on resume, e.g. a data loader's
 * random generator (an `Rng` is one). `getState` must return JSON-serialisable data.
 */
export interface Stateful {
  /** The current state, JSON-serialisable. */
  getState(): unknown;
  /** Restores a state previously returned by `getState`. */
  setState(state: unknown): void;
}
