import * as tf from '@tensorflow/tfjs';
import { defaultAlpha, MIX_METHODS } from './collator';
import type { MixupCollatorOptions } from './collator';
import { cutmixBatch } from './cutmix';
import { MIXUP_MODES, mixupBatch } from './mixup';
import { resolveRng } from './rng';
import { mixupSoftTargets } from './softTargets';
import { assertAlpha, assertInputs, assertOneOf, assertPositiveInt, assertUnitInterval, describe } from './validate';

/** A batched `tf.data` element as `model.fitDataset` expects it: inputs and targets. */
export type XsYs = { xs: tf.Tensor; ys: tf.Tensor };

/** Options of {@link mixupDataset}. */
export interface MixupDatasetOptions extends MixupCollatorOptions {
  /** K, required when the elements' `ys` are int32 labels `[B]`. */
  numClasses?: number;
  /** ε for label smoothing of the one-hot rows before mixing. Default 0. */
  labelSmoothing?: number;
}

/**
 * A `tf.data.Dataset` transform for `model.fitDataset` users: each batched element `{xs, ys}` becomes
 * `{xs: mixed, ys: soft targets [B, K]}` (mixed one-hot rows, optionally label-smoothed), ready for
 * `categoricalCrossentropy`. Apply it after `.batch(B)`; mix only the training set.
 *
 * @param dataset batched elements `{xs: [B, ...] float32, ys: [B] int32 or [B, K] float32}`
 * @returns a dataset of `{xs: [B, ...], ys: [B, K]}`
 */
export function mixupDataset(
  dataset: tf.data.Dataset<XsYs>,
  { method = 'mixup', alpha, mode = 'batch', seed, rng, numClasses, labelSmoothing = 0 }: MixupDatasetOptions = {},
): tf.data.Dataset<XsYs> {
  const fn = 'mixupDataset';
  if (!(dataset instanceof tf.data.Dataset)) throw new Error(`${fn}: dataset must be a tf.data.Dataset of {xs, ys}, got ${describe(dataset)}.`);
  assertOneOf(fn, 'method', method, MIX_METHODS);
  const a = alpha ?? defaultAlpha(method);
  assertAlpha(fn, a);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  if (numClasses !== undefined) assertPositiveInt(fn, 'numClasses', numClasses);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  const generator = resolveRng(fn, rng, seed);
  const mix = method === 'cutmix' ? cutmixBatch : mixupBatch;
  // Dataset.map runs this inside tf.tidy and disposes the input tensors we do not return.
  return dataset.map((element: XsYs): XsYs => {
    if (typeof element !== 'object' || element === null || !('xs' in element) || !('ys' in element)) {
      throw new Error(`${fn}: elements must be objects {xs, ys} (batch the dataset first), got ${describe(element)}.`);
    }
    assertInputs(fn, 'element.xs', element.xs, '[B, ...]');
    const mixed = mix(element.xs, element.ys, { alpha: a, mode, rng: generator });
    return { xs: mixed.xs, ys: mixupSoftTargets(mixed.ys, { numClasses, labelSmoothing }) };
  });
}
