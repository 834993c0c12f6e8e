import * as tf from '@tensorflow/tfjs';
import { assertClassIndices, assertTensor, fail } from './validate';

const FN = 'crossEntropy';

/**
 * Cross-entropy on logits, averaged over the batch, like PyTorch's `nn.CrossEntropyLoss()`:
 *
 * - `targets` int32 class indices `[B]`: `mean_b −log softmax(ŷ_b)[y_b]`. An index outside `[0, K)` is an
 *   error, as in PyTorch (checked on the values, which are read back: B numbers).
 * - `targets` float32 soft targets `[B, K]` (rows summing to 1): `mean_b −Σ_k t_bk log softmax(ŷ_b)_k`.
 *
 * Losses for other kinds of targets (label smoothing, mixed samples) belong with whatever makes those targets;
 * `trainNetwork` takes any loss.
 *
 * @param targets Labels `[B]` or soft targets `[B, K]`.
 * @param logits Unnormalised scores `[B, K]`.
 * @returns The mean loss, a scalar.
 */
export function crossEntropy(targets: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  assertTensor(FN, 'logits', logits, 'a float32 tensor of shape [B, K]');
  if (logits.rank !== 2 || logits.dtype !== 'float32') fail(FN, 'logits', logits, 'a float32 tensor of shape [B, K]');
  const [b, k] = logits.shape as [number, number];
  const allowed = `int32 class indices of shape [${b}] or float32 soft targets of shape [${b}, ${k}]`;
  assertTensor(FN, 'targets', targets, allowed);
  const labels = targets.rank === 1 && targets.dtype === 'int32' && targets.shape[0] === b;
  const soft = targets.rank === 2 && targets.dtype === 'float32' && targets.shape[0] === b && targets.shape[1] === k;
  if (!labels && !soft) fail(FN, 'targets', targets, allowed);
  if (labels) assertClassIndices(FN, 'targets', targets, k);
  return tf.tidy(() => {
    // One-hot times log-probabilities picks −log p[y]; its gradient w.r.t. the logits is softmax − onehot.
    const t = labels ? tf.oneHot(targets as tf.Tensor1D, k) : targets;
    return tf.mean(tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(logits as tf.Tensor2D)), -1))) as tf.Scalar;
  });
}
