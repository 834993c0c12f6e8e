import type * as tf from '@tensorflow/tfjs';
import { mixWith, targetsWith } from './applyMix';
import { drawWithPolicy } from './mixDraw';
import { MIX_OPTION_KEYS, resolvePolicy, usesCutmix } from './policy';
import type { MixOptions, MixPolicy } from './policy';
import { assertRng, defaultRng } from './rng';
import type { Rng } from './rng';
import type { MixedBatch } from './types';
import { assertInputs, assertKnownOptions, assertLabels } from './validate';

/** Options of {@link mixBatch}: the {@link MixOptions} and the generator. */
export interface MixBatchOptions extends MixOptions {
  /** Source of every draw; default a shared, randomly seeded generator. */
  rng?: Rng;
}

/**
 * timm's `Mixup` on one batch: MixUp, CutMix or both (`switchProb`), applied with probability `prob`, per batch, pair
 * or sample (`mode`), CutMix boxes from a Beta λ or a `cutmixMinMax` range with `correctLam` — see {@link drawMix}.
 * Partners come from a random permutation, so odd batches work. Inputs are left alone; every returned tensor is new.
 * Label smoothing belongs to the targets: `crossEntropy(ys, logits, {labelSmoothing})` or {@link mixupSoftTargets}.
 *
 * @param xs float32 inputs `[B, ...]` (`[B, H, W, C]` when CutMix is active)
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 * @returns mixed inputs and MixUp targets (lambda a number in 'batch' mode, a `[B]` tensor in 'pair' and 'elem' mode)
 */
export function mixBatch(xs: tf.Tensor, ys: tf.Tensor, options: MixBatchOptions = {}): MixedBatch {
  const fn = 'mixBatch';
  assertKnownOptions(fn, options, [...MIX_OPTION_KEYS, 'rng']);
  return mixWithPolicy(fn, xs, ys, resolvePolicy(fn, options), options.rng ?? defaultRng());
}

/** A single-method batch function's body: its own option names, then {@link mixBatch} with `method` fixed. */
export function mixOne(fn: string, method: 'mixup' | 'cutmix', xs: tf.Tensor, ys: tf.Tensor, options: MixBatchOptions, keys: readonly string[]): MixedBatch {
  assertKnownOptions(fn, options, [...keys, 'alpha', 'mode', 'prob', 'rng']);
  const { rng = defaultRng(), ...rest } = options;
  return mixWithPolicy(fn, xs, ys, resolvePolicy(fn, { ...rest, method }), rng);
}

/** {@link mixBatch} for a checked policy; `xsName`/`ysName` name the tensors in errors. */
export function mixWithPolicy(fn: string, xs: tf.Tensor, ys: tf.Tensor, p: MixPolicy, rng: Rng, xsName = 'xs', ysName = 'ys'): MixedBatch {
  const cut = usesCutmix(p);
  assertInputs(fn, xsName, xs, cut ? '[B, H, W, C]' : '[B, ...]', cut ? [4] : undefined);
  const [b, h, w] = xs.shape as number[];
  assertLabels(fn, ysName, ys, b);
  assertRng(fn, rng);
  const draw = drawWithPolicy(fn, p, b as number, h as number, w as number, rng);
  return { xs: mixWith(xs, draw), ys: targetsWith(ys, draw) };
}
