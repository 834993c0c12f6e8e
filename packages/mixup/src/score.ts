import * as tf from '@tensorflow/tfjs';
import type { Targets } from './types';
import { assertLabels, assertMixupTargets, assertTargets, describe, isMixupTargets } from './validate';

/**
 * Accuracy that understands MixUp targets (the score contract `(targets, predictions) => number`):
 * for `{yi, yj, lambda}` a prediction earns λ when it is `yi`'s class and 1−λ when it is `yj`'s
 * (per-sample λ in 'elem' mode), averaged over the batch; for plain labels it is ordinary accuracy.
 * Soft targets `[B, K]` count their argmax as the class. Reads one number from the device.
 *
 * @param targets labels `[B]`, soft targets `[B, K]` or MixUp targets
 * @param predictions scores or logits `[B, K]`
 * @returns a number in [0, 1]
 */
export function mixupAccuracy(targets: Targets, predictions: tf.Tensor): number {
  const fn = 'mixupAccuracy';
  assertTargets(fn, 'targets', targets);
  if (!(predictions instanceof tf.Tensor) || predictions.rank !== 2) {
    throw new Error(`${fn}: predictions must be a tf.Tensor [B, K], got ${describe(predictions)}.`);
  }
  const b = predictions.shape[0] as number;
  if (isMixupTargets(targets)) assertMixupTargets(fn, 'targets', targets, b);
  else assertLabels(fn, 'targets', targets, b);
  const k = predictions.shape[1] as number;
  const first = isMixupTargets(targets) ? targets.yi : targets;
  if (first.rank === 2 && first.shape[1] !== k) {
    throw new Error(`${fn}: soft targets [B, K] must have K = ${k} columns like the predictions, got shape [${first.shape.join(', ')}].`);
  }
  const score = tf.tidy(() => {
    const predicted = tf.argMax(predictions, -1);
    const hit = (y: tf.Tensor) => tf.equal(predicted, y.rank === 1 ? y : tf.argMax(y, -1)).toFloat();
    if (!isMixupTargets(targets)) return tf.mean(hit(targets));
    const { yi, yj, lambda } = targets;
    const lam = typeof lambda === 'number' ? tf.scalar(lambda) : lambda;
    return tf.mean(tf.add(tf.mul(lam, hit(yi)), tf.mul(tf.sub(1, lam), hit(yj))));
  });
  const value = score.dataSync()[0] as number;
  score.dispose();
  return value;
}
