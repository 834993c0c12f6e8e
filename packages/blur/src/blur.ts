import * as tf from '@tensorflow/tfjs';

import { binomialFilter } from './binomial';
import { BLUR_PADDINGS, copiesCells, padAxis, paddingAmounts, type BlurPadding } from './padding';
import { assertFloatTensor, assertOneOf, assertOptions, assertPositiveInt } from './validate';

/** Options of {@link blur} and the {@link BlurPool} layer. */
export interface BlurOptions {
  /** Length of the binomial filter along each spatial axis. Default 3. */
  kernelSize?: number;
  /** Subsampling step along each spatial axis. Default 2. */
  stride?: number;
  /**
   * `'valid'`: no padding; `'same'`: zeros; `'reflect'`: mirror without repeating the edge;
   * `'replicate'`: repeat the edge cell. Padded cells: `(k-1)//2` before and `k-1-(k-1)//2` after,
   * on every spatial axis (antialiased-cnns' layout). Default `'reflect'`.
   */
  padding?: BlurPadding;
}

/** {@link BlurOptions} with every default filled in. */
export type ResolvedBlurOptions = Required<BlurOptions>;

const LAYOUT = '[B, W, C], [B, H, W, C] or [B, D, H, W, C]';

/** The keys of {@link BlurOptions}. */
export const BLUR_OPTION_KEYS: readonly (keyof BlurOptions)[] = ['kernelSize', 'stride', 'padding'];

/** Fills in defaults and validates; `fn` names the caller in error messages. */
export function resolveBlurOptions(fn: string, options: BlurOptions = {}): ResolvedBlurOptions {
  const { kernelSize = 3, stride = 2, padding = 'reflect' } = options;
  assertPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveInt(fn, 'stride', stride);
  assertOneOf(fn, 'padding', padding, BLUR_PADDINGS);
  return { kernelSize, stride, padding };
}

/**
 * Size of one spatial axis after {@link blur}: `floor((n + padBefore + padAfter - k) / stride) + 1`.
 * `null` (unknown) stays `null`.
 */
export function blurredLength(n: number | null, options: ResolvedBlurOptions): number | null {
  if (n === null) return null;
  const [before, after] = paddingAmounts(options.kernelSize, options.padding);
  return Math.floor((n + before + after - options.kernelSize) / options.stride) + 1;
}

/**
 * Checks that every spatial axis of `shape` (all but the first and last) is large enough for the
 * filter: at least `kernelSize` under `'valid'`, larger than the mirrored border under `'reflect'`.
 * `what` names the checked tensor in the message (default `shape [..]`, the input itself).
 */
export function assertSpatialFits(
  fn: string,
  shape: readonly (number | null)[],
  options: ResolvedBlurOptions,
  what = `shape [${shape.join(', ')}]`,
): void {
  const { kernelSize, padding } = options;
  const [before, after] = paddingAmounts(kernelSize, padding);
  for (let axis = 1; axis < shape.length - 1; axis++) {
    const n = shape[axis];
    if (n === null || n === undefined) continue;
    if (padding === 'valid' && n < kernelSize) {
      throw new Error(
        `${fn}: x is too small for kernelSize ${kernelSize} under padding 'valid': spatial axis ${axis} of ${what} ` +
          `has ${n} cells, needs at least ${kernelSize} (or use padding 'same', 'reflect' or 'replicate').`,
      );
    }
    if (padding === 'reflect' && n <= Math.max(before, after)) {
      throw new Error(
        `${fn}: x is too small for kernelSize ${kernelSize} under padding 'reflect': spatial axis ${axis} of ${what} ` +
          `has ${n} cells, needs more than ${Math.max(before, after)} to mirror (or use padding 'same' or 'replicate').`,
      );
    }
  }
}

/** Depthwise filter `[k, 1, C, 1]` holding the same 1-D binomial taps for every channel. */
function columnFilter(kernelSize: number, channels: number): tf.Tensor4D {
  const taps = binomialFilter(kernelSize);
  const values = new Float32Array(kernelSize * channels);
  for (let i = 0; i < kernelSize; i++) values.fill(taps[i] as number, i * channels, (i + 1) * channels);
  return tf.tensor4d(values, [kernelSize, 1, channels, 1]);
}

/** tfjs's explicit convolution padding, `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
const NO_PADDING: ExplicitPadding = [[0, 0], [0, 0], [0, 0], [0, 0]];

/**
 * Filters one spatial axis with the 1-D binomial filter and subsamples it by `stride`.
 * The tensor is viewed as `[outer, n, inner, C]` so a `[k, 1]` depthwise convolution does the work
 * for any rank; reshapes are free, and tfjs has no depthwise 1-D or 3-D convolution.
 */
function blurAxis(x: tf.Tensor, axis: number, options: ResolvedBlurOptions): tf.Tensor {
  const { kernelSize, stride, padding } = options;
  const [before, after] = paddingAmounts(kernelSize, padding);
  // Zeros are padded by the convolution itself; only copied cells need a padded copy.
  const padded = copiesCells(padding) ? padAxis(x, axis, before, after, padding) : x;
  const convPadding: ExplicitPadding = padding === 'same' ? [[0, 0], [before, after], [0, 0], [0, 0]] : NO_PADDING;
  const shape = padded.shape;
  const channels = shape[shape.length - 1] as number;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1, -1).reduce((a, b) => a * b, 1);
  const n = shape[axis] as number;
  const view = tf.reshape(padded, [outer, n, inner, channels]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(view, columnFilter(kernelSize, channels), [stride, 1], convPadding);
  const outShape = shape.slice();
  outShape[axis] = out.shape[1];
  return tf.reshape(out, outShape);
}

/**
 * Largest kernel for which 2-D input is filtered in one k×k depthwise pass rather than two 1-D passes.
 * Measured on tfjs's cpu backend (forward + backward, batch 128): one pass is 10-30% faster for k = 2
 * and 3, level at k = 4, and slower from k = 5 on, where its k² taps outgrow the 2k of the separable form.
 */
export const ONE_PASS_MAX_KERNEL = 3;

/**
 * Anti-aliasing low-pass: filters every channel of `x` with the normalised binomial filter along
 * each spatial axis (the outer product of {@link binomialFilter} rows) and subsamples by `stride`.
 * This is the chapter's `BlurLayer` (and Zhang's BlurPool) for channels-last tensors.
 *
 * The filter is separable. 1-D and 3-D inputs run one 1-D pass per spatial axis; 2-D inputs run one
 * k×k depthwise pass for k <= 3 and two 1-D passes beyond, whichever measured faster (`pnpm --filter @aa/blur bench`).
 * Both give the same result.
 *
 * @param x - float32 `[B, W, C]` (1-D), `[B, H, W, C]` (2-D) or `[B, D, H, W, C]` (3-D).
 * @param options - `kernelSize` (3), `stride` (2), `padding` (`'reflect'`).
 * @returns a tensor of the same rank; each spatial axis has `floor((n + pad - k) / stride) + 1` cells.
 * @example
 * ```ts
 * const x = tf.randomNormal([1, 8, 8, 3]);
 * blur(x).shape; // [1, 4, 4, 3]
 * ```
 */
export function blur<T extends tf.Tensor3D | tf.Tensor4D | tf.Tensor5D>(x: T, options: BlurOptions = {}): T {
  const fn = 'blur';
  assertFloatTensor(fn, x, [3, 4, 5], LAYOUT);
  assertOptions(fn, options, BLUR_OPTION_KEYS);
  const resolved = resolveBlurOptions(fn, options);
  assertSpatialFits(fn, x.shape, resolved);
  if (x.rank === 4 && resolved.kernelSize <= ONE_PASS_MAX_KERNEL) return blur2dOnePass(x as tf.Tensor4D, resolved) as T;
  return blurSeparable(x, resolved);
}

/** {@link blur} as one 1-D pass per spatial axis (any rank; options already validated). @internal */
export function blurSeparable<T extends tf.Tensor>(x: T, options: ResolvedBlurOptions): T {
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    for (let axis = 1; axis < x.rank - 1; axis++) y = blurAxis(y, axis, options);
    return y as T;
  });
}

/** {@link blur} of `[B, H, W, C]` as one k×k depthwise convolution (options already validated). @internal */
export function blur2dOnePass(x: tf.Tensor4D, options: ResolvedBlurOptions): tf.Tensor4D {
  const { kernelSize: k, stride, padding } = options;
  return tf.tidy(() => {
    const [before, after] = paddingAmounts(k, padding);
    // Zeros are padded by the convolution itself; only copied cells need a padded copy.
    const padded = copiesCells(padding) ? (padAxis(padAxis(x, 1, before, after, padding), 2, before, after, padding) as tf.Tensor4D) : x;
    const convPadding: ExplicitPadding = padding === 'same' ? [[0, 0], [before, after], [before, after], [0, 0]] : NO_PADDING;
    const taps = binomialFilter(k);
    const channels = x.shape[3];
    const values = new Float32Array(k * k * channels);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) values.fill((taps[i] as number) * (taps[j] as number), (i * k + j) * channels, (i * k + j + 1) * channels);
    }
    return tf.depthwiseConv2d(padded, tf.tensor4d(values, [k, k, channels, 1]), stride, convPadding);
  });
}
