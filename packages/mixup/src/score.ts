import * as tf from '@tensorflow/tfjs';
import { assertTargetsFor, weighSides } from './targets';
import type { Targets } from './types';
import { fail } from './validate';

/**
 * Accuracy that understands every kind of target (the score contract `(targets, predictions) => number`):
 * for int32 labels `[B]` the fraction of arg-max hits (an index outside `[0, K)` is an error); soft targets `[B, K]`
 * count their arg-max as the class; for MixUp targets `{yi, yj, lambda}` a prediction earns λ when it is `yi`'s class
 * and 1−λ when it is `yj`'s (per-sample λ in 'elem' mode), averaged over the batch, so the result stays in [0, 1] and
 * equals plain accuracy when λ = 1. Reads one number (and the int32 labels, to check them) from the device.
 *
 * @param targets labels `[B]`, soft targets `[B, K]` or MixUp targets of either
 * @param predictions scores, logits or probabilities `[B, K]`
 * @returns a number in [0, 1]
 */
export function accuracy(targets: Targets, predictions: tf.Tensor): number {
  const fn = 'accuracy';
  if (!(predictions instanceof tf.Tensor) || predictions.rank !== 2 || predictions.shape[0] === 0) {
    fail(fn, 'predictions', predictions, 'a tf.Tensor [B, K] with B >= 1');
  }
  const [b, k] = predictions.shape as [number, number];
  assertTargetsFor(fn, 'targets', targets, b, k, 'predictions');
  const score = tf.tidy(() => {
    const predicted = tf.argMax(predictions, -1);
    const hits = (y: tf.Tensor) => tf.equal(predicted, y.rank === 1 ? y : tf.argMax(y, -1)).toFloat();
    return tf.mean(weighSides(targets, hits));
  });
  const value = score.dataSync()[0] as number;
  score.dispose();
  return value;
}

/** {@link accuracy} under the name that says it is λ-weighted on MixUp targets: the same function. */
export const mixupAccuracy: (targets: Targets, predictions: tf.Tensor) => number = accuracy;
