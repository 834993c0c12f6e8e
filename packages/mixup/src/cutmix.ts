import type * as tf from '@tensorflow/tfjs';
import { mixOne } from './mixBatch';
import type { Rng } from './rng';
import type { MixedBatch, MixupMode } from './types';

/** Options of {@link cutmixBatch}. */
export interface CutmixOptions {
  /** Beta(α, α) parameter for the box area; 0 disables mixing. Default 1 (the CutMix paper's). */
  alpha?: number;
  /** Box sides uniform in `⌊min·H⌋..⌊max·H⌋` instead of from λ, as timm's `cutmix_minmax`; λ then follows the box. */
  cutmixMinMax?: readonly [number, number];
  /** λ recomputed from the clipped box's area (timm's `correct_lam`). Default true. */
  correctLam?: boolean;
  /** 'batch': one box and λ for the batch; 'pair': one per random pair (swapping boxes); 'elem': one per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Probability of mixing the batch (or pair, or sample) at all. Default 1. */
  prob?: number;
  /** Source of λs, permutations and box positions; default a shared, randomly seeded generator. */
  rng?: Rng;
}

/**
 * CutMix a batch: λ ~ Beta(α, α), a box of area ≈ (1−λ) of the image is cut from each sample's partner
 * (a random permutation of the batch) and pasted in; λ is then corrected to the box's true area.
 * Same interface and targets as {@link mixupBatch}; inputs are left alone, every returned tensor is new.
 * {@link mixBatch} with CutMix alone.
 *
 * @param xs float32 images `[B, H, W, C]`
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 * @returns mixed images `[B, H, W, C]` and MixUp targets (lambda a number in 'batch' mode, a `[B]` tensor otherwise)
 */
export function cutmixBatch(xs: tf.Tensor, ys: tf.Tensor, options: CutmixOptions = {}): MixedBatch {
  return mixOne('cutmixBatch', 'cutmix', xs, ys, options, ['cutmixMinMax', 'correctLam']);
}
