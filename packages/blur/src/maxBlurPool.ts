import * as tf from '@tensorflow/tfjs';

import { assertSpatialFits, blur, blurredLength, resolveBlurOptions, type ResolvedBlurOptions } from './blur';
import type { BlurPadding } from './padding';
import { assertFloatTensor, assertOptions, assertPositiveInt, assertPositiveNumber, fail } from './validate';

/** Options of {@link maxBlurPool2d} and the {@link MaxBlurPool2D} layer. */
export interface MaxBlurPoolOptions {
  /** Max-pool window and overall downsampling factor (the blur's stride). Default 2. */
  poolSize?: number;
  /** Blur kernel size as a multiple of `poolSize`: the kernel is `floor(ratio * poolSize)`. Default 1.7. */
  ratio?: number;
  /** Padding of the blur step (see {@link BlurOptions.padding}). Default `'valid'`, which keeps `maxPooling2d`'s output size. */
  padding?: BlurPadding;
}

/** The keys of {@link MaxBlurPoolOptions}. */
export const MAX_BLUR_POOL_OPTION_KEYS: readonly (keyof MaxBlurPoolOptions)[] = ['poolSize', 'ratio', 'padding'];

/**
 * Checks that the stride-1 max pool's output of an input of shape `shape` is large enough for the
 * blur; the message names the input shape and how the blur's kernel came about.
 */
export function assertMaxBlurPoolFits(fn: string, shape: readonly (number | null)[], options: ResolvedMaxBlurPoolOptions): void {
  const pooled = shape.map((n, axis) => (axis === 0 || axis === shape.length - 1 ? n : maxPooledLength(n, options.poolSize)));
  const what =
    `the stride-1 max pool's output [${pooled.join(', ')}] (from x of shape [${shape.join(', ')}]; ` +
    `the blur's kernelSize is floor(ratio * poolSize) = floor(${options.ratio} * ${options.poolSize}))`;
  assertSpatialFits(fn, pooled, maxBlurPoolBlurOptions(options), what);
}

/** {@link MaxBlurPoolOptions} with every default filled in. */
export type ResolvedMaxBlurPoolOptions = Required<MaxBlurPoolOptions>;

/** Fills in defaults and validates; `fn` names the caller in error messages. */
export function resolveMaxBlurPoolOptions(fn: string, options: MaxBlurPoolOptions = {}): ResolvedMaxBlurPoolOptions {
  const { poolSize = 2, ratio = 1.7, padding = 'valid' } = options;
  assertPositiveInt(fn, 'poolSize', poolSize);
  assertPositiveNumber(fn, 'ratio', ratio);
  if (Math.floor(ratio * poolSize) < 1) {
    fail(fn, 'ratio * poolSize', ratio * poolSize, `at least 1 (the blur kernel is floor(ratio * poolSize); here ratio ${ratio}, poolSize ${poolSize})`);
  }
  // Validates padding with the same message as blur's.
  resolveBlurOptions(fn, { kernelSize: 1, stride: poolSize, padding });
  return { poolSize, ratio, padding };
}

/** The blur step of a max-blur pool: kernel `floor(ratio * poolSize)`, stride `poolSize`. */
export function maxBlurPoolBlurOptions(options: ResolvedMaxBlurPoolOptions): ResolvedBlurOptions {
  // `Math.floor` on the product, as the chapter's `int(ratio * kernel_size)`.
  return { kernelSize: Math.floor(options.ratio * options.poolSize), stride: options.poolSize, padding: options.padding };
}

/** Size of one spatial axis after the stride-1 max pool: `n + 2 * (p // 2) - p + 1`. */
export function maxPooledLength(n: number | null, poolSize: number): number | null {
  return n === null ? null : n + 2 * Math.floor(poolSize / 2) - poolSize + 1;
}

/** Output shape of {@link maxBlurPool2d} for an input shape `[B, H, W, C]` (entries may be `null`). */
export function maxBlurPoolOutputShape(
  shape: readonly (number | null)[],
  options: ResolvedMaxBlurPoolOptions,
): (number | null)[] {
  const blurOptions = maxBlurPoolBlurOptions(options);
  return shape.map((n, axis) =>
    axis === 0 || axis === shape.length - 1 ? n : blurredLength(maxPooledLength(n, options.poolSize), blurOptions),
  );
}

/**
 * Anti-aliased max pooling (Zhang 2019; the chapter's `MaxPool2dAA`): a max pool with window
 * `poolSize`, stride 1 and `poolSize // 2` cells of padding on both sides (padded cells never win),
 * then {@link blur} with kernel `floor(ratio * poolSize)` and stride `poolSize`.
 *
 * With the defaults (`poolSize` 2, `ratio` 1.7, `padding` `'valid'`) the output has the size of
 * `tf.maxPool(x, 2, 2, 'valid')`: 24 → 12 → 6.
 *
 * @param x - float32 `[B, H, W, C]`.
 * @param options - `poolSize` (2), `ratio` (1.7), `padding` of the blur (`'valid'`).
 * @returns `[B, H', W', C]`.
 * @example
 * ```ts
 * maxBlurPool2d(tf.randomNormal([8, 24, 24, 16])).shape; // [8, 12, 12, 16]
 * ```
 */
export function maxBlurPool2d(x: tf.Tensor4D, options: MaxBlurPoolOptions = {}): tf.Tensor4D {
  const fn = 'maxBlurPool2d';
  assertFloatTensor(fn, x, [4], '[B, H, W, C]');
  assertOptions(fn, options, MAX_BLUR_POOL_OPTION_KEYS);
  const resolved = resolveMaxBlurPoolOptions(fn, options);
  const { poolSize } = resolved;
  const blurOptions = maxBlurPoolBlurOptions(resolved);
  assertMaxBlurPoolFits(fn, x.shape, resolved);
  return tf.tidy(() => {
    const half = Math.floor(poolSize / 2);
    // Explicit padding: tfjs pools only over real cells, so padding acts as -Infinity (never wins).
    const pooled = tf.maxPool(x, poolSize, 1, [
      [0, 0],
      [half, half],
      [half, half],
      [0, 0],
    ]);
    return blur(pooled, blurOptions);
  });
}
