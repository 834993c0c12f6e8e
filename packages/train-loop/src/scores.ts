import * as tf from '@tensorflow/tfjs';
import { assertClassIndices, assertTensor, fail } from './validate';

const FN = 'accuracy';

/**
 * Classification accuracy: the fraction of samples whose arg-max prediction is the target class.
 * Int32 labels outside `[0, K)` are an error; soft targets `[B, K]` count their arg-max class.
 * Scores for other kinds of targets belong with whatever makes those targets; `trainNetwork` takes any score.
 *
 * @param targets Labels `[B]` or soft targets `[B, K]`.
 * @param predictions Scores, logits or probabilities `[B, K]`.
 * @returns Accuracy in [0, 1] (a plain number: this reads the value back from the backend).
 */
export function accuracy(targets: tf.Tensor, predictions: tf.Tensor): number {
  assertTensor(FN, 'predictions', predictions, 'a tensor of shape [B, K]');
  if (predictions.rank !== 2 || predictions.shape[0] === 0) fail(FN, 'predictions', predictions, 'a tensor of shape [B, K] with B >= 1');
  const [b, k] = predictions.shape as [number, number];
  const allowed = `int32 class indices of shape [${b}] or soft targets of shape [${b}, ${k}]`;
  assertTensor(FN, 'targets', targets, allowed);
  const labels = targets.rank === 1 && targets.dtype === 'int32' && targets.shape[0] === b;
  const soft = targets.rank === 2 && targets.shape[0] === b && targets.shape[1] === k;
  if (!labels && !soft) fail(FN, 'targets', targets, allowed);
  if (labels) assertClassIndices(FN, 'targets', targets, k);
  const value = tf.tidy(() => {
    const cls = labels ? targets : tf.argMax(targets, -1);
    return tf.mean(tf.cast(tf.equal(cls, tf.argMax(predictions, -1)), 'float32'));
  });
  const out = value.dataSync()[0] as number;
  value.dispose();
  return out;
}
