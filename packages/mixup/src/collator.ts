import type * as tf from '@tensorflow/tfjs';
import { cutmixBatch } from './cutmix';
import { MIXUP_MODES, mixupBatch } from './mixup';
import { resolveRng } from './rng';
import type { Rng } from './rng';
import type { Batch, BatchSource, MixedBatch, MixMethod, MixupMode } from './types';
import { assertAlpha, assertInputs, assertLabels, assertOneOf, describe } from './validate';

/** Options shared by {@link mixupCollator}, {@link withMixup} and {@link mixupDataset}. */
export interface MixupCollatorOptions {
  /** 'mixup' blends whole inputs, 'cutmix' pastes a box (needs `[B, H, W, C]`). Default 'mixup'. */
  method?: MixMethod;
  /** Beta(α, α) parameter; 0 disables mixing. Default 0.25 for 'mixup' (the chapter's), 1 for 'cutmix'. */
  alpha?: number;
  /** 'batch': one λ per batch (the chapter); 'elem': one per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Seed of the collator's own generator (ignored when `rng` is given); omitted = random. */
  seed?: number;
  /** A generator to use instead of a seeded one. */
  rng?: Rng;
}

/** A batch transform that mixes: takes `{xs, ys}` (labels), returns `{xs: mixed, ys: {yi, yj, lambda}}`. */
export type MixupCollator = (batch: Batch) => MixedBatch;

export const MIX_METHODS: readonly MixMethod[] = ['mixup', 'cutmix'];

/** The α used when none is given: the chapter's 0.25 for MixUp, the CutMix paper's 1 for CutMix. */
export function defaultAlpha(method: MixMethod): number {
  return method === 'cutmix' ? 1 : 0.25;
}

/**
 * The chapter's `MixupCollator` as a batch transform: each call draws λ and a permutation from the collator's
 * own generator and returns a new mixed batch, disposing the input `xs` and `ys` (it returns neither).
 * Use it as a batch iterator's `transform` option, with {@link withMixup}, or call it in a custom loop.
 *
 * @example
 * const collate = mixupCollator({ alpha: 0.25, seed: 1 });
 * const { xs, ys } = collate({ xs: images, ys: labels }); // images, labels are disposed
 */
export function mixupCollator({ method = 'mixup', alpha, mode = 'batch', seed, rng }: MixupCollatorOptions = {}): MixupCollator {
  const fn = 'mixupCollator';
  assertOneOf(fn, 'method', method, MIX_METHODS);
  const a = alpha ?? defaultAlpha(method);
  assertAlpha(fn, a);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  const generator = resolveRng(fn, rng, seed);
  const mix = method === 'cutmix' ? cutmixBatch : mixupBatch;
  return (batch: Batch): MixedBatch => {
    if (typeof batch !== 'object' || batch === null) throw new Error(`${fn}: batch must be an object {xs, ys}, got ${describe(batch)}.`);
    const { xs, ys } = batch;
    assertInputs(fn, 'batch.xs', xs, method === 'cutmix' ? '[B, H, W, C]' : '[B, ...]', method === 'cutmix' ? [4] : undefined);
    assertLabels(fn, 'batch.ys', ys, xs.shape[0]);
    const mixed = mix(xs, ys, { alpha: a, mode, rng: generator });
    // The receiver owns the batch; everything returned is new, so the inputs are ours to free.
    xs.dispose();
    (ys as tf.Tensor).dispose();
    return mixed;
  };
}

/**
 * Wraps a batch source so every batch it yields is mixed. Iterating the wrapper again iterates the source again
 * (a new epoch) with the same collator, so the λ sequence continues; `length` is the source's.
 *
 * @param source an `Iterable<Batch>` or `AsyncIterable<Batch>` of `{xs, ys}` with int32 labels
 * @param collate collator options, or any batch transform (e.g. a {@link mixupCollator} you keep)
 */
export function withMixup(
  source: Iterable<Batch> & { readonly length?: number },
  collate?: MixupCollatorOptions | ((batch: Batch) => Batch),
): Iterable<Batch> & { readonly length?: number };
export function withMixup(
  source: AsyncIterable<Batch> & { readonly length?: number },
  collate?: MixupCollatorOptions | ((batch: Batch) => Batch),
): AsyncIterable<Batch> & { readonly length?: number };
export function withMixup(
  source: BatchSource,
  collate: MixupCollatorOptions | ((batch: Batch) => Batch) = {},
): (Iterable<Batch> | AsyncIterable<Batch>) & { readonly length?: number } {
  const fn = 'withMixup';
  const transform = typeof collate === 'function' ? collate : mixupCollator(collate);
  const s = source as Partial<Iterable<Batch> & AsyncIterable<Batch>> | null;
  if (s !== null && typeof s === 'object' && typeof s[Symbol.iterator] === 'function') {
    const sync = source as Iterable<Batch>;
    return {
      *[Symbol.iterator]() {
        for (const batch of sync) yield transform(batch);
      },
      get length() {
        return source.length;
      },
    };
  }
  if (s !== null && typeof s === 'object' && typeof s[Symbol.asyncIterator] === 'function') {
    const asyncSource = source as AsyncIterable<Batch>;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const batch of asyncSource) yield transform(batch);
      },
      get length() {
        return source.length;
      },
    };
  }
  throw new Error(`${fn}: source must be an Iterable or AsyncIterable of batches {xs, ys}, got ${describe(source)}.`);
}
