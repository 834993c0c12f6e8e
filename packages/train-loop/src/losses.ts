import * as tf from '@tensorflow/tfjs';
import type { Targets } from './types';
import { isMixupTargets } from './types';
import { checkClassIndices, checkNumber, checkTensor, fail } from './validate';

const FN = 'crossEntropy';

/**
 * Per-sample cross-entropy `[B]` of `logSoftmax` outputs `logp` `[B, K]` against int32 labels `[B]`
 * or float32 soft targets `[B, K]`.
 */
function perSampleCrossEntropy(labels: tf.Tensor, logp: tf.Tensor2D, arg: string): tf.Tensor1D {
  const [b, k] = logp.shape;
  checkTensor(FN, arg, labels);
  if (labels.rank === 1) {
    if (labels.dtype !== 'int32' || labels.shape[0] !== b) {
      fail(FN, arg, labels, `int32 class indices of shape [${b}] or float32 soft targets of shape [${b}, ${k}]`);
    }
    checkClassIndices(FN, arg, labels, k);
    // One-hot times log-probabilities picks -log p[y]; its gradient w.r.t. the logits is softmax - onehot.
    return tf.neg(tf.sum(tf.mul(tf.oneHot(labels as tf.Tensor1D, k), logp), -1)) as tf.Tensor1D;
  }
  if (labels.rank !== 2 || labels.dtype !== 'float32' || labels.shape[0] !== b || labels.shape[1] !== k) {
    fail(FN, arg, labels, `int32 class indices of shape [${b}] or float32 soft targets of shape [${b}, ${k}]`);
  }
  return tf.neg(tf.sum(tf.mul(labels, logp), -1)) as tf.Tensor1D;
}

/**
 * Cross-entropy on logits, averaged over the batch, like PyTorch's `nn.CrossEntropyLoss()`.
 *
 * - `targets` int32 class indices `[B]`: `mean_b −log softmax(ŷ_b)[y_b]`. An index outside `[0, K)` is an
 *   error, as in PyTorch (checked on the values, which are read back: B numbers).
 * - `targets` float32 soft targets `[B, K]` (rows summing to 1): `mean_b −Σ_k t_bk log softmax(ŷ_b)_k`.
 * - MixUp targets `{yi, yj, lambda}`: `λ·CE(ŷ, yi) + (1−λ)·CE(ŷ, yj)` (the chapter's `MixupLoss`);
 *   with a per-sample `lambda` `[B]` the weights apply sample by sample before the mean.
 *
 * @param targets Labels `[B]`, soft targets `[B, K]` or MixUp targets.
 * @param logits Unnormalised scores `[B, K]`.
 * @returns The mean loss, a scalar.
 */
export function crossEntropy(targets: Targets, logits: tf.Tensor): tf.Scalar {
  const l = checkTensor(FN, 'logits', logits, 'a float32 tensor of shape [B, K]');
  if (l.rank !== 2 || l.dtype !== 'float32') fail(FN, 'logits', l, 'a float32 tensor of shape [B, K]');
  return tf.tidy(() => {
    const logp = tf.logSoftmax(l as tf.Tensor2D);
    if (!isMixupTargets(targets)) {
      if (!(targets instanceof tf.Tensor)) {
        fail(FN, 'targets', targets, 'a tensor of labels [B] / soft targets [B, K] or MixUp targets {yi, yj, lambda}');
      }
      return tf.mean(perSampleCrossEntropy(targets, logp, 'targets')) as tf.Scalar;
    }
    const ceI = perSampleCrossEntropy(targets.yi, logp, 'targets.yi');
    const ceJ = perSampleCrossEntropy(targets.yj, logp, 'targets.yj');
    const lam = targets.lambda;
    if (typeof lam === 'number') {
      checkNumber(FN, 'targets.lambda', lam, { min: 0, max: 1 });
      return tf.add(tf.mul(lam, tf.mean(ceI)), tf.mul(1 - lam, tf.mean(ceJ))) as tf.Scalar;
    }
    const b = l.shape[0];
    checkTensor(FN, 'targets.lambda', lam);
    if (lam.rank !== 1 || lam.shape[0] !== b || lam.dtype !== 'float32') {
      fail(FN, 'targets.lambda', lam, `a number in [0, 1] or a float32 tensor of shape [${b}]`);
    }
    return tf.mean(tf.add(tf.mul(lam, ceI), tf.mul(tf.sub(1, lam), ceJ))) as tf.Scalar;
  });
}
