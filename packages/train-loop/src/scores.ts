import * as tf from '@tensorflow/tfjs';
import type { Targets } from './types';
import { isMixupTargets } from './types';
import { checkClassIndices, checkNumber, checkTensor, fail } from './validate';

const FN = 'accuracy';

/** Per-sample hits `[B]` (1 or 0, float32) of predicted classes `pred` `[B]` against labels or soft targets. */
function hits(labels: tf.Tensor, pred: tf.Tensor1D, k: number, arg: string): tf.Tensor1D {
  const b = pred.shape[0];
  checkTensor(FN, arg, labels);
  let cls: tf.Tensor;
  if (labels.rank === 1 && labels.dtype === 'int32' && labels.shape[0] === b) {
    checkClassIndices(FN, arg, labels, k);
    cls = labels;
  } else if (labels.rank === 2 && labels.shape[0] === b && labels.shape[1] === k) {
    cls = tf.argMax(labels, -1);
  } else {
    fail(FN, arg, labels, `int32 class indices of shape [${b}] or soft targets of shape [${b}, ${k}]`);
  }
  return tf.cast(tf.equal(cls, pred), 'float32') as tf.Tensor1D;
}

/**
 * Classification accuracy: the fraction of samples whose arg-max prediction is the target class.
 *
 * Int32 labels outside `[0, K)` are an error. Soft targets `[B, K]` count their arg-max class. MixUp targets
 * `{yi, yj, lambda}` are λ-weighted: each sample scores `λ·[ŷ = yi] + (1−λ)·[ŷ = yj]` (per-sample `lambda` `[B]` allowed), so the result
 * stays in [0, 1] and equals plain accuracy when λ = 1.
 *
 * @param targets Labels `[B]`, soft targets `[B, K]` or MixUp targets.
 * @param predictions Scores, logits or probabilities `[B, K]`.
 * @returns Accuracy in [0, 1] (a plain number: this reads the value back from the backend).
 */
export function accuracy(targets: Targets, predictions: tf.Tensor): number {
  const p = checkTensor(FN, 'predictions', predictions, 'a tensor of shape [B, K]');
  if (p.rank !== 2) fail(FN, 'predictions', p, 'a tensor of shape [B, K]');
  const [b, k] = p.shape as [number, number];
  if (b === 0) fail(FN, 'predictions', p, 'a tensor of shape [B, K] with B >= 1');
  const value = tf.tidy(() => {
    const pred = tf.argMax(p, -1) as tf.Tensor1D;
    if (!isMixupTargets(targets)) {
      if (!(targets instanceof tf.Tensor)) {
        fail(FN, 'targets', targets, 'a tensor of labels [B] / soft targets [B, K] or MixUp targets {yi, yj, lambda}');
      }
      return tf.mean(hits(targets, pred, k, 'targets'));
    }
    const hi = hits(targets.yi, pred, k, 'targets.yi');
    const hj = hits(targets.yj, pred, k, 'targets.yj');
    const lam = targets.lambda;
    if (typeof lam === 'number') {
      checkNumber(FN, 'targets.lambda', lam, { min: 0, max: 1 });
      return tf.add(tf.mul(lam, tf.mean(hi)), tf.mul(1 - lam, tf.mean(hj)));
    }
    checkTensor(FN, 'targets.lambda', lam);
    if (lam.rank !== 1 || lam.shape[0] !== b) fail(FN, 'targets.lambda', lam, `a number in [0, 1] or a tensor of shape [${b}]`);
    return tf.mean(tf.add(tf.mul(lam, hi), tf.mul(tf.sub(1, lam), hj)));
  });
  const out = value.dataSync()[0] as number;
  value.dispose();
  return out;
}
