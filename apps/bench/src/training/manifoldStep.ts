import { crossEntropy, manifoldMixupForward, type Segment } from '@aa/mixup';
import type * as tf from '@tensorflow/tfjs';
import type { StepFn } from '@aa/train-loop';

/** Manifold MixUp's α (the paper's choice for CIFAR). */
export const MANIFOLD_ALPHA = 2;

/**
 * A training step for `trainNetwork` doing Manifold MixUp (Verma et al. 2019, the chapter's exercise 6) through
 * @aa/mixup's `manifoldMixupForward`: a boundary picked uniformly among the input and the outputs of `segments` but
 * the last, the hidden state there mixed as `λ·h + (1−λ)·h[π]` (λ ~ Beta(2, 2), one per batch), scored with the
 * MixUp cross-entropy. Its draws come from the loop's generator (`ctx.rng`), saved in every checkpoint, so a resumed
 * run draws what an uninterrupted one would.
 */
export function manifoldStep(segments: readonly Segment[]): StepFn {
  return (batch, ctx) => {
    const r = manifoldMixupForward(segments, batch.xs, batch.ys as tf.Tensor, { alpha: MANIFOLD_ALPHA, rng: ctx.rng });
    return { loss: crossEntropy(r.targets, r.predictions), predictions: r.predictions, targets: r.targets };
  };
}
