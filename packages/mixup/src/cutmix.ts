import * as tf from '@tensorflow/tfjs';
import { MIXUP_MODES, permutedTargets, unmixed } from './mixup';
import { randomPermutation, sampleLambdas } from './draws';
import { assertRng, defaultRng, drawUniform } from './rng';
import type { Rng } from './rng';
import type { MixedBatch, MixupMode } from './types';
import { assertAlpha, assertInputs, assertLabels, assertOneOf, assertPositiveInt, describe } from './validate';

/** Options of {@link cutmixBatch}. */
export interface CutmixOptions {
  /** Beta(α, α) parameter for the box area; 0 disables mixing. Default 1 (the CutMix paper's). */
  alpha?: number;
  /** 'batch': one box and λ for the batch; 'elem': one per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Source of λs, permutations and box positions; default a shared, randomly seeded generator. */
  rng?: Rng;
}

/** A half-open pixel box `[top, bottom) × [left, right)`. */
export interface CutmixBox {
  /** First row inside the box. */
  top: number;
  /** One past the last row. */
  bottom: number;
  /** First column inside the box. */
  left: number;
  /** One past the last column. */
  right: number;
}

/**
 * The CutMix box for a drawn λ: sides `floor(H·√(1−λ)) × floor(W·√(1−λ))` (area ≈ (1−λ)·H·W) around a uniformly
 * drawn centre, clipped to the image. Clipping and rounding change the area, so use {@link boxLambda} for the true λ.
 *
 * @param lambda drawn λ in [0, 1]
 * @param height image height H
 * @param width image width W
 */
export function cutmixBox(lambda: number, height: number, width: number, rng: Rng = defaultRng()): CutmixBox {
  const fn = 'cutmixBox';
  if (typeof lambda !== 'number' || !(lambda >= 0 && lambda <= 1)) {
    throw new Error(`${fn}: lambda must be a number in [0, 1], got ${describe(lambda)}.`);
  }
  assertPositiveInt(fn, 'height', height);
  assertPositiveInt(fn, 'width', width);
  assertRng(fn, rng);
  const ratio = Math.sqrt(1 - lambda);
  const cutH = Math.floor(height * ratio);
  const cutW = Math.floor(width * ratio);
  const cy = Math.min(height - 1, Math.floor(drawUniform(fn, rng) * height));
  const cx = Math.min(width - 1, Math.floor(drawUniform(fn, rng) * width));
  const top = cy - Math.floor(cutH / 2);
  const left = cx - Math.floor(cutW / 2);
  const clip = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
  return { top: clip(top, height), bottom: clip(top + cutH, height), left: clip(left, width), right: clip(left + cutW, width) };
}

/** The λ a box really gives: the fraction of the image it leaves untouched, `1 − area / (H·W)`. */
export function boxLambda(box: CutmixBox, height: number, width: number): number {
  const fn = 'boxLambda';
  assertPositiveInt(fn, 'height', height);
  assertPositiveInt(fn, 'width', width);
  const b = box as Partial<CutmixBox> | null;
  const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const ok =
    typeof b === 'object' && b !== null && int(b.top) && int(b.bottom) && int(b.left) && int(b.right) &&
    b.top >= 0 && b.top <= b.bottom && b.bottom <= height && b.left >= 0 && b.left <= b.right && b.right <= width;
  if (!ok) {
    throw new Error(`${fn}: box must be {top, bottom, left, right} with 0 <= top <= bottom <= ${height} and 0 <= left <= right <= ${width}, got ${describe(box)}.`);
  }
  return 1 - ((box.bottom - box.top) * (box.right - box.left)) / (height * width);
}

/**
 * CutMix a batch: λ ~ Beta(α, α), a box of area ≈ (1−λ) of the image is cut from each sample's partner
 * (a random permutation of the batch) and pasted in; λ is then corrected to the box's true area.
 * Same interface and targets as {@link mixupBatch}; inputs are left alone, every returned tensor is new.
 *
 * @param xs float32 images `[B, H, W, C]`
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 * @returns mixed images `[B, H, W, C]` and MixUp targets (lambda a number in 'batch' mode, a `[B]` tensor in 'elem' mode)
 */
export function cutmixBatch(
  xs: tf.Tensor,
  ys: tf.Tensor,
  { alpha = 1, mode = 'batch', rng = defaultRng() }: CutmixOptions = {},
): MixedBatch {
  const fn = 'cutmixBatch';
  assertInputs(fn, 'xs', xs, '[B, H, W, C]', [4]);
  const [b, h, w] = xs.shape as [number, number, number, number];
  assertLabels(fn, 'ys', ys, b);
  assertAlpha(fn, alpha);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  assertRng(fn, rng);
  if (alpha === 0) return unmixed(xs, ys, mode);
  const n = mode === 'batch' ? 1 : b;
  const drawn = sampleLambdas(alpha, n, rng);
  const perm = randomPermutation(b, rng);
  // The mask is 1 inside each box: built on the CPU side, it is only H·W numbers per box.
  const mask = new Uint8Array(n * h * w);
  const lambdas: number[] = [];
  for (let i = 0; i < n; i++) {
    const box = cutmixBox(drawn[i] as number, h, w, rng);
    for (let r = box.top; r < box.bottom; r++) mask.fill(1, i * h * w + r * w + box.left, i * h * w + r * w + box.right);
    lambdas.push(boxLambda(box, h, w));
  }
  const mixed = tf.tidy(() => {
    const m = tf.tensor4d(mask, [n, h, w, 1], 'bool');
    const partner = tf.gather(xs, tf.tensor1d(Array.from(perm), 'int32'), 0);
    // A select, not xs + m·(partner − xs): pasted pixels are exact copies of the partner's (the blend rounds).
    return tf.where(m, partner, xs);
  });
  const lambda = mode === 'batch' ? (lambdas[0] as number) : tf.tensor1d(lambdas, 'float32');
  return { xs: mixed, ys: permutedTargets(ys, perm, lambda) };
}
