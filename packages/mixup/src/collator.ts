import type * as tf from '@tensorflow/tfjs';
import { mixWithPolicy } from './mixBatch';
import { MIX_OPTION_KEYS, resolvePolicy } from './policy';
import type { MixOptions } from './policy';
import { resolveRng } from './rng';
import type { Rng } from './rng';
import type { Batch, BatchSource, MixedBatch } from './types';
import { assertKnownOptions, assertPositiveInt, fail } from './validate';

/** Options of {@link mixupCollator} (and of {@link withMixup} and {@link mixupDataset}): the {@link MixOptions} and a generator. */
export interface MixupCollatorOptions extends MixOptions {
  /** Seed of the collator's own generator (ignored when `rng` is given); omitted = random. */
  seed?: number;
  /** A generator to use instead of a seeded one. */
  rng?: Rng;
}

/**
 * A batch transform that mixes: takes `{xs, ys}` (labels), returns `{xs: mixed, ys: {yi, yj, lambda}}`. Its generator's
 * state is `getState()`/`setState(state)`, so it can be checkpointed (e.g. as `@aa/train-loop`'s `stateful`).
 */
export type MixupCollator = ((batch: Batch) => MixedBatch) & { getState(): number[]; setState(state: number[]): void };

const COLLATOR_KEYS = [...MIX_OPTION_KEYS, 'seed', 'rng'];

/**
 * The chapter's `MixupCollator` as a batch transform — and timm's `Mixup`, with all its options: each call draws
 * from the collator's own generator (see {@link drawMix}) and returns a new mixed batch, disposing the input `xs`
 * and `ys` (it returns neither). Use it as a batch iterator's `transform` option, with {@link withMixup}, or call it
 * in a custom loop.
 *
 * @example
 * const collate = mixupCollator({ alpha: 0.25, seed: 1 });
 * const timmLike = mixupCollator({ mixupAlpha: 0.8, cutmixAlpha: 1, switchProb: 0.5, mode: 'elem', seed: 1 });
 * const { xs, ys } = collate({ xs: images, ys: labels }); // images, labels are disposed
 */
export function mixupCollator(options: MixupCollatorOptions = {}): MixupCollator {
  return makeCollator('mixupCollator', options, COLLATOR_KEYS);
}

function makeCollator(fn: string, options: MixupCollatorOptions, keys: readonly string[]): MixupCollator {
  assertKnownOptions(fn, options, keys);
  const policy = resolvePolicy(fn, options);
  const generator = resolveRng(fn, options.rng, options.seed);
  const collate = (batch: Batch): MixedBatch => {
    if (typeof batch !== 'object' || batch === null) fail(fn, 'batch', batch, 'an object {xs, ys}');
    const { xs, ys } = batch;
    const mixed = mixWithPolicy(fn, xs, ys as tf.Tensor, policy, generator, 'batch.xs', 'batch.ys');
    // The receiver owns the batch; everything returned is new, so the inputs are ours to free.
    xs.dispose();
    (ys as tf.Tensor).dispose();
    return mixed;
  };
  return Object.assign(collate, { getState: () => generator.getState(), setState: (state: number[]) => generator.setState(state) });
}

/** Options of {@link withMixup}: the collator's and when to stop mixing. */
export interface WithMixupOptions extends MixupCollatorOptions {
  /**
   * Mix only the first N epochs (iterations of the wrapper), then pass batches through clean: timm's
   * `mixup_off_epoch`, counted by the wrapper itself. Default: never off.
   */
  offAfterEpoch?: number;
}

/** What {@link withMixup}'s `getState` returns: epochs started and the collator's generator state (JSON-serialisable). */
export interface MixupSourceState {
  /** Iterations of the wrapper started so far. */
  epochs: number;
  /** The generator's state, or null for a transform without `getState`. */
  rng: number[] | null;
}

/** What {@link withMixup} adds to the source: its `length`, an epoch count and a checkpointable state. */
export interface MixupSourceControls {
  /** The source's batches per epoch, when it has a length. */
  readonly length?: number;
  /** Epochs (iterations) started so far. */
  readonly epochs: number;
  /** Epoch count and generator state: pass the wrapper to `trainNetwork`'s `stateful` to checkpoint it. */
  getState(): MixupSourceState;
  /** Restores a state from `getState`: a resumed run mixes (or not) and draws as the interrupted one would have. */
  setState(state: MixupSourceState): void;
}

/** A batch transform for {@link withMixup}; one with `getState`/`setState` (a {@link MixupCollator}) has its state saved too. */
export type BatchTransform = ((batch: Batch) => Batch) & { getState?(): number[]; setState?(state: number[]): void };

/**
 * Wraps a batch source so every batch it yields is mixed. Iterating the wrapper again iterates the source again
 * (a new epoch) with the same collator, so the λ sequence continues; `length` is the source's. With `offAfterEpoch: N`
 * the first N epochs are mixed and later ones pass through untouched (plain labels). `getState`/`setState` cover
 * the epoch count and the generator, so the wrapper itself is a `Stateful` for `@aa/train-loop`'s `trainNetwork`.
 *
 * @param source an `Iterable<Batch>` or `AsyncIterable<Batch>` of `{xs, ys}` with int32 labels
 * @param collate collator options (with `offAfterEpoch`), or any batch transform (e.g. a {@link mixupCollator} you keep)
 * @param sourceOptions `{offAfterEpoch}` when `collate` is a transform
 */
export function withMixup(
  source: Iterable<Batch> & { readonly length?: number },
  collate?: WithMixupOptions | BatchTransform,
  sourceOptions?: { offAfterEpoch?: number },
): Iterable<Batch> & MixupSourceControls;
export function withMixup(
  source: AsyncIterable<Batch> & { readonly length?: number },
  collate?: WithMixupOptions | BatchTransform,
  sourceOptions?: { offAfterEpoch?: number },
): AsyncIterable<Batch> & MixupSourceControls;
export function withMixup(
  source: BatchSource,
  collate: WithMixupOptions | BatchTransform = {},
  sourceOptions?: { offAfterEpoch?: number },
): (Iterable<Batch> | AsyncIterable<Batch>) & MixupSourceControls {
  const fn = 'withMixup';
  const given = typeof collate === 'function';
  if (!given && sourceOptions) fail(fn, 'sourceOptions', sourceOptions, 'undefined when collate is options (put offAfterEpoch there)');
  assertKnownOptions(fn, sourceOptions, ['offAfterEpoch']);
  const transform: BatchTransform = given ? collate : makeCollator(fn, collate, [...COLLATOR_KEYS, 'offAfterEpoch']);
  const { offAfterEpoch } = (given ? sourceOptions : collate) ?? {};
  if (offAfterEpoch !== undefined) assertPositiveInt(fn, 'offAfterEpoch', offAfterEpoch);
  let epochs = 0;
  // Counted when an epoch's first batch is asked for; true while mixing is still on.
  const startEpoch = () => epochs++ < (offAfterEpoch ?? Infinity);
  const controls: MixupSourceControls = {
    get length() {
      return source.length;
    },
    get epochs() {
      return epochs;
    },
    getState: () => ({ epochs, rng: transform.getState?.() ?? null }),
    setState(state: MixupSourceState) {
      const { epochs: e, rng } = (state ?? {}) as Partial<MixupSourceState>;
      if (!(Number.isInteger(e) && (e as number) >= 0)) fail('withMixup.setState', 'state.epochs', e, 'an integer >= 0 (from getState)');
      if (rng) transform.setState?.(rng);
      epochs = e as number;
    },
  };
  const s = source as Partial<Iterable<Batch> & AsyncIterable<Batch>> | null;
  const sync = typeof s?.[Symbol.iterator] === 'function';
  if (!sync && typeof s?.[Symbol.asyncIterator] !== 'function') fail(fn, 'source', source, 'an Iterable or AsyncIterable of batches {xs, ys}');
  const wrapper = sync
    ? {
        *[Symbol.iterator]() {
          const on = startEpoch();
          for (const batch of source as Iterable<Batch>) yield on ? transform(batch) : batch;
        },
      }
    : {
        async *[Symbol.asyncIterator]() {
          const on = startEpoch();
          for await (const batch of source as AsyncIterable<Batch>) yield on ? transform(batch) : batch;
        },
      };
  return Object.defineProperties(wrapper, Object.getOwnPropertyDescriptors(controls)) as typeof wrapper & MixupSourceControls;
}
