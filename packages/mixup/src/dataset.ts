import * as tf from '@tensorflow/tfjs';
import type { MixupCollatorOptions } from './collator';
import { mixWithPolicy } from './mixBatch';
import { MIX_OPTION_KEYS, resolvePolicy } from './policy';
import { resolveRng } from './rng';
import { mixupSoftTargets } from './softTargets';
import { assertKnownOptions, assertPositiveInt, assertUnitInterval, fail } from './validate';

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
 * `categoricalCrossentropy`. Apply it after `.batch(B)`; mix only the training set. With `mixupAlpha`, `cutmixAlpha`,
 * `labelSmoothing` and `numClasses` it is timm's `Mixup` for `fitDataset`: the same mixed, smoothed targets.
 *
 * @param dataset batched elements `{xs: [B, ...] float32, ys: [B] int32 or [B, K] float32}`
 * @returns a dataset of `{xs: [B, ...], ys: [B, K]}`
 */
export function mixupDataset(dataset: tf.data.Dataset<XsYs>, options: MixupDatasetOptions = {}): tf.data.Dataset<XsYs> {
  const fn = 'mixupDataset';
  if (!(dataset instanceof tf.data.Dataset)) fail(fn, 'dataset', dataset, 'a tf.data.Dataset of {xs, ys}');
  assertKnownOptions(fn, options, [...MIX_OPTION_KEYS, 'seed', 'rng', 'numClasses', 'labelSmoothing']);
  const { seed, rng, numClasses, labelSmoothing = 0 } = options;
  const policy = resolvePolicy(fn, options);
  if (numClasses !== undefined) assertPositiveInt(fn, 'numClasses', numClasses);
  assertUnitInterval(fn, 'labelSmoothing', labelSmoothing);
  const generator = resolveRng(fn, rng, seed);
  // Dataset.map runs this inside tf.tidy and disposes the input tensors we do not return.
  return dataset.map((element: XsYs): XsYs => {
    if (typeof element !== 'object' || element === null || !('xs' in element) || !('ys' in element)) {
      fail(fn, 'elements', element, 'objects {xs, ys} (batch the dataset first)');
    }
    const mixed = mixWithPolicy(fn, element.xs, element.ys, policy, generator, 'element.xs', 'element.ys');
    return { xs: mixed.xs, ys: mixupSoftTargets(mixed.ys, { numClasses, labelSmoothing }) };
  });
}
