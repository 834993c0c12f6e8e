import { randomPermutation, rngFromUniform, sampleLambdas } from '@aa/mixup';
import { crossEntropy, type StepFn } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { segmentsOf } from '../models/segmented';

/** Manifold MixUp's α (the paper's choice for CIFAR). */
export const MANIFOLD_ALPHA = 2;

/**
 * `x[perm]` along axis 0 with the exact gradient of a permutation, `dy[perm⁻¹]`. tfjs differentiates
 * `gather` through `unsortedSegmentSum`, which has no native kernel and made Manifold MixUp's hidden-state
 * mixing (`@aa/mixup`'s `manifoldMixupForward`) train about 15× slower than plain training on the oneDNN backend.
 */
export function permuteRows(x: tf.Tensor, perm: Int32Array): tf.Tensor {
  const inverse = new Int32Array(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  const f = tf.customGrad((...args) => ({
    value: tf.gather(args[0] as tf.Tensor, tf.tensor1d(perm, 'int32'), 0),
    gradFunc: (dy: tf.Tensor) => tf.gather(dy, tf.tensor1d(inverse, 'int32'), 0),
  }));
  return f(x);
}

/**
 * A training step for `trainNetwork` doing Manifold MixUp (Verma et al. 2019, the chapter's exercise 6) on a model
 * from `segmentedResnet`: picks a boundary uniformly among the input and the outputs of the four stages, runs the
 * segments before it, mixes the hidden state as `λ·h + (1−λ)·h[π]` (λ ~ Beta(α, α), one per batch), runs the rest,
 * and scores the predictions against `{yi: y, yj: y[π], lambda: λ}`. The same algorithm as `@aa/mixup`'s
 * `manifoldMixupForward` (with its `sampleLambdas` and `randomPermutation`), with a fast permutation gradient.
 */
export function manifoldStep(model: tf.LayersModel): StepFn {
  const segments = segmentsOf(model);
  if (segments === undefined) throw new Error('manifoldStep: model must come from segmentedResnet (it needs the segments to mix between).');
  return (batch, ctx) => {
    const rng = rngFromUniform(() => ctx.random());
    const ys = batch.ys as tf.Tensor;
    const b = batch.xs.shape[0] as number;
    const boundary = Math.min(segments.length - 1, Math.floor(ctx.random() * segments.length));
    const lambda = sampleLambdas(MANIFOLD_ALPHA, 1, rng)[0] as number;
    const perm = randomPermutation(b, rng);
    let h: tf.Tensor = batch.xs;
    for (let i = 0; i < segments.length; i++) {
      if (i === boundary) h = tf.add(tf.mul(h, lambda), tf.mul(permuteRows(h, perm), 1 - lambda));
      h = (segments[i] as tf.LayersModel).apply(h, { training: true }) as tf.Tensor;
    }
    const targets = { yi: ys, yj: tf.gather(ys, tf.tensor1d(perm, 'int32'), 0), lambda };
    return { loss: crossEntropy(targets, h), predictions: h, targets };
  };
}
