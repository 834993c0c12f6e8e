import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, randomSeed, shuffleInPlace } from './random';
import type { CompiledTransform, Transform } from './transforms';
import { assertLabeledImages, compileTransform, compose, writeBatch } from './transforms';
import type { CifarBatch, LabeledImages } from './types';
import { assertBoolean, assertInt, assertOneOf, fail } from './validate';

/** Options of {@link dataLoader} (PyTorch's `DataLoader` arguments, plus the per-image transform). */
export interface DataLoaderOptions {
  /** Images per batch (default 128, the chapter's `B`). */
  batchSize?: number;
  /** Reshuffle the images at the start of every epoch (default false, as in PyTorch). */
  shuffle?: boolean;
  /** Seed of shuffling and of random transforms: the same seed gives the same batches, epoch by epoch (default: random). */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Per-image pipeline (default: none, plain conversion to float32 in [0, 1]). */
  transform?: Transform;
}

/**
 * Batches of uint8 images as tensors: an `Iterable<CifarBatch>` where each `for...of` is one epoch.
 * Batches are made lazily, one per `next()`, so a loop left early creates no tensors it does not hand out.
 * The consumer owns each batch and disposes `xs` and `ys`.
 */
export class DataLoader implements Iterable<CifarBatch> {
  /** Batches per epoch. */
  readonly length: number;
  /** Shape of `xs` in a full batch: `[batchSize, h, w, C]`. */
  readonly batchShape: readonly [number, number, number, number];
  private epochs = 0;

  /** Use {@link dataLoader}, which validates its arguments. */
  constructor(
    private readonly set: LabeledImages,
    private readonly compiled: CompiledTransform,
    private readonly batchSize: number,
    private readonly shuffle: boolean,
    private readonly seed: number,
    private readonly dropLast: boolean,
  ) {
    this.length = dropLast ? Math.floor(set.count / batchSize) : Math.ceil(set.count / batchSize);
    this.batchShape = [batchSize, compiled.height, compiled.width, compiled.channels];
  }

  /** Number of epochs started so far (each `for...of` starts one). */
  get epoch(): number {
    return this.epochs;
  }

  /** Starts the next epoch: a fresh order when shuffling, fresh random crops and flips. */
  [Symbol.iterator](): Iterator<CifarBatch> {
    return this.epochIterator(this.epochs++);
  }

  /**
   * The batches of epoch `epoch` (0-based) without advancing the loader's own epoch counter; epoch k is
   * the same whether or not epochs 0..k-1 were read.
   */
  epochIterator(epoch: number): Generator<CifarBatch, void, undefined> {
    // Checked here, not in the generator body, which would only run at the first next().
    assertInt('DataLoader.epochIterator', 'epoch', epoch, 0);
    return this.batches(epoch);
  }

  private *batches(epoch: number): Generator<CifarBatch, void, undefined> {
    const { set, compiled, batchSize } = this;
    const rng = createRng(deriveSeed(this.seed, epoch));
    const order = new Int32Array(set.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) shuffleInPlace(order, rng);
    for (let b = 0; b < this.length; b++) {
      const start = b * batchSize;
      const end = Math.min(start + batchSize, set.count);
      const ys = new Int32Array(end - start);
      for (let i = start; i < end; i++) ys[i - start] = set.labels[order[i]!]!;
      const xs = writeBatch(compiled, set, order, start, end, rng);
      yield { xs, ys: tf.tensor1d(ys, 'int32') };
    }
  }
}

/**
 * The chapter's `DataLoader(dataset(transform=...), batch_size=B, shuffle=...)` over uint8 images
 * kept in memory: yields `{ xs: float32 [B, h, w, C], ys: int32 [B] }`, converting to float only per batch.
 * @param set images and labels, e.g. `data.train` from {@link loadCifar10}.
 * @example
 * const train = dataLoader(data.train, { batchSize: 128, shuffle: true, seed: 1, transform: randomCrop(24) });
 * for (const { xs, ys } of train) { ...; tf.dispose([xs, ys]); }
 */
export function dataLoader(set: LabeledImages, { batchSize = 128, shuffle = false, seed = randomSeed(), dropLast = false, transform = compose() }: DataLoaderOptions = {}): DataLoader {
  const fn = 'dataLoader';
  assertLabeledImages(fn, set);
  assertInt(fn, 'options.batchSize', batchSize, 1);
  assertBoolean(fn, 'options.shuffle', shuffle);
  assertBoolean(fn, 'options.dropLast', dropLast);
  assertInt(fn, 'options.seed', seed, -2147483648, 4294967295);
  const compiled = compileTransform(fn, transform, set.height, set.width, set.channels);
  return new DataLoader(set, compiled, batchSize, shuffle, seed >>> 0, dropLast);
}

/** Options of {@link toTfDataset}. */
export interface TfDatasetOptions {
  /**
   * Form of `ys`: `'int32'` class indices `[B]` (default, the project's contract), `'float32'` indices
   * `[B]` (what tfjs-layers' built-in `sparseCategoricalCrossentropy` needs: it rejects int32), or
   * `'oneHot'` float32 `[B, numClasses]` (for `categoricalCrossentropy`).
   */
  labels?: 'int32' | 'float32' | 'oneHot';
  /** Number of classes, required for `'oneHot'`. */
  numClasses?: number;
}

/**
 * Wraps a loader (or any iterable of batches) as a `tf.data.Dataset`, for `model.fitDataset`. Each
 * iteration of the dataset is one epoch of the loader. Converted labels replace (and dispose) the
 * loader's int32 ones.
 */
export function toTfDataset(loader: Iterable<CifarBatch>, { labels = 'int32', numClasses }: TfDatasetOptions = {}): tf.data.Dataset<TfBatch> {
  const fn = 'toTfDataset';
  if (loader === null || typeof loader !== 'object' || typeof (loader as Iterable<CifarBatch>)[Symbol.iterator] !== 'function') {
    fail(fn, 'loader', loader, 'an iterable of { xs, ys } batches, e.g. from dataLoader');
  }
  assertOneOf(fn, 'options.labels', labels, ['int32', 'float32', 'oneHot']);
  if (labels === 'oneHot') assertInt(fn, 'options.numClasses', numClasses, 1);
  function* convert(): Generator<TfBatch> {
    for (const { xs, ys } of loader) {
      if (labels === 'int32') {
        yield { xs, ys };
        continue;
      }
      const converted = tf.tidy(() => (labels === 'float32' ? tf.cast(ys, 'float32') : tf.cast(tf.oneHot(ys, numClasses!), 'float32')));
      ys.dispose();
      yield { xs, ys: converted };
    }
  }
  return tf.data.generator(convert);
}

/** A batch as {@link toTfDataset} yields it: `ys` is `[B]` or, one-hot, `[B, K]`. */
export type TfBatch = { xs: tf.Tensor4D; ys: tf.Tensor };
