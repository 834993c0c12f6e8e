import * as tf from '@tensorflow/tfjs';

import { blur } from './blur';
import { padAxis } from './padding';
import { assertFloatTensor, assertNonNegativeNumber, assertOddPositiveInt, assertOptions, assertPositiveNumber } from './validate';

/** Options of {@link edgeAwareBlurPool2d} and the {@link EdgeAwareBlurPool2D} layer (kornia's arguments). */
export interface EdgeAwareBlurOptions {
  /** Side of the binomial blur; odd (kornia's output shapes do not match for even sizes). Default 3. */
  kernelSize?: number;
  /**
   * Edge decision: a cell is an edge where the channel mean of `log2((x + ε)[i + 2] / (x + ε)[i - 2])`
   * along rows or columns exceeds `log2(edgeThreshold)` in size, i.e. the image changes by more
   * than this factor over four cells. Greater than 0. Default 1.25.
   */
  edgeThreshold?: number;
  /** Side of the max-pool window that widens the edge mask; odd (1 keeps it as detected). Default 3. */
  edgeDilationKernelSize?: number;
  /** Added before the logarithm, so zeros do not give `-Infinity`. At least 0. Default 1e-6. */
  epsilon?: number;
}

/** {@link EdgeAwareBlurOptions} with every default filled in. */
export type ResolvedEdgeAwareBlurOptions = Required<EdgeAwareBlurOptions>;

/** The keys of {@link EdgeAwareBlurOptions}. */
export const EDGE_AWARE_OPTION_KEYS: readonly (keyof EdgeAwareBlurOptions)[] = ['kernelSize', 'edgeThreshold', 'edgeDilationKernelSize', 'epsilon'];

/** Cells mirrored onto each border before the edges are measured (the edge statistic reaches 2 cells either way). */
const BORDER = 2;

/** Fills in defaults and validates; `fn` names the caller in error messages. */
export function resolveEdgeAwareOptions(fn: string, options: EdgeAwareBlurOptions = {}): ResolvedEdgeAwareBlurOptions {
  const { kernelSize = 3, edgeThreshold = 1.25, edgeDilationKernelSize = 3, epsilon = 1e-6 } = options;
  assertOddPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveNumber(fn, 'edgeThreshold', edgeThreshold);
  assertOddPositiveInt(fn, 'edgeDilationKernelSize', edgeDilationKernelSize);
  assertNonNegativeNumber(fn, 'epsilon', epsilon);
  return { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon };
}

/** Checks that both spatial axes of `[B, H, W, C]` can be mirrored by 2 cells (at least 3 cells, as PyTorch's reflect pad needs). */
export function assertEdgeAwareFits(fn: string, shape: readonly (number | null)[]): void {
  for (const axis of [1, 2]) {
    const n = shape[axis];
    if (n !== null && n !== undefined && n <= BORDER) {
      throw new Error(
        `${fn}: x is too small: spatial axis ${axis} of shape [${shape.map(String).join(', ')}] has ${n} cells, ` +
          `needs at least ${BORDER + 1} (the edges are measured on a ${BORDER}-cell mirrored border).`,
      );
    }
  }
}

/**
 * The dilated edge mask `[B, H, W, 1]` (1 on edges, 0 elsewhere) of the mirrored input `padded`.
 * It is a step function of the input, so its gradient is zero; `customGrad` says so and keeps
 * the backward pass out of the logarithms, whose gradient is NaN for negative inputs.
 */
function edgeMask(padded: tf.Tensor4D, options: ResolvedEdgeAwareBlurOptions): tf.Tensor4D {
  const { edgeThreshold, edgeDilationKernelSize: d, epsilon } = options;
  const mask = tf.customGrad(((p: tf.Tensor) => ({
    value: tf.tidy(() => {
      const [b, hp, wp, c] = p.shape as [number, number, number, number];
      const h = hp - 2 * BORDER;
      const w = wp - 2 * BORDER;
      const logs = tf.div(tf.log(tf.add(p, epsilon)), Math.LN2);
      // Log-ratio of the cells two before and two after, averaged over the channels.
      const alongW = tf.mean(tf.sub(tf.slice(logs, [0, 0, 2 * BORDER, 0], [b, hp, w, c]), tf.slice(logs, [0, 0, 0, 0], [b, hp, w, c])), -1, true);
      const alongH = tf.mean(tf.sub(tf.slice(logs, [0, 2 * BORDER, 0, 0], [b, h, wp, c]), tf.slice(logs, [0, 0, 0, 0], [b, h, wp, c])), -1, true);
      const limit = Math.log2(edgeThreshold);
      // NaN (a negative input) compares false: no edge, as in PyTorch.
      const edgesW = tf.greater(tf.abs(tf.slice(alongW, [0, BORDER, 0, 0], [b, h, w, 1])), limit);
      const edgesH = tf.greater(tf.abs(tf.slice(alongH, [0, 0, BORDER, 0], [b, h, w, 1])), limit);
      const edges = tf.cast(tf.logicalOr(edgesW, edgesH), 'float32') as tf.Tensor4D;
      if (d === 1) return edges;
      const half = (d - 1) / 2;
      // Explicit padding never wins a tfjs max pool, like PyTorch's -inf padding.
      return tf.maxPool(edges, d, 1, [[0, 0], [half, half], [half, half], [0, 0]]);
    }),
    gradFunc: (_dy: tf.Tensor) => tf.zerosLike(p),
  })) as Parameters<typeof tf.customGrad>[0]);
  return mask(padded) as tf.Tensor4D;
}

/**
 * Edge-aware blur (kornia's `edge_aware_blur_pool2d`): the binomial blur everywhere except near
 * edges, where the input is kept, so anti-aliasing does not smear the outlines of objects.
 *
 * The input is mirrored by 2 cells on each border; a cell is an edge where the channel mean of
 * `log2((x + ε)[i + 2] / (x + ε)[i - 2])` along rows or columns exceeds `log2(edgeThreshold)` in
 * size; the edge mask is widened by a stride-1 max pool of side `edgeDilationKernelSize`; and the
 * output is `mask * x + (1 - mask) * blur(x)` with a stride-1 zero-padded blur of the mirrored
 * input. The output has the input's shape (despite the name, nothing is subsampled; follow it
 * with a {@link BlurPool} or a strided layer to downsample). The test is on ratios, so it is meant
 * for non-negative inputs such as images; negative cells never count as edges.
 *
 * Gradients flow through both the kept and the blurred input; the mask, a step function, has none.
 *
 * @param x - float32 `[B, H, W, C]`, H and W at least 3.
 * @returns `[B, H, W, C]`.
 * @example
 * ```ts
 * const image = tf.concat([tf.fill([1, 8, 4, 1], 0.1), tf.fill([1, 8, 4, 1], 0.9)], 2) as tf.Tensor4D;
 * edgeAwareBlurPool2d(image); // the step between columns 3 and 4 stays sharp
 * ```
 */
export function edgeAwareBlurPool2d(x: tf.Tensor4D, options: EdgeAwareBlurOptions = {}): tf.Tensor4D {
  const fn = 'edgeAwareBlurPool2d';
  assertFloatTensor(fn, x, [4], '[B, H, W, C]');
  assertOptions(fn, options, EDGE_AWARE_OPTION_KEYS);
  return edgeAwareBlurUnchecked(x, resolveEdgeAwareOptions(fn, options), fn);
}

/** {@link edgeAwareBlurPool2d} with resolved options (the layer's path). @internal */
export function edgeAwareBlurUnchecked(x: tf.Tensor4D, options: ResolvedEdgeAwareBlurOptions, fn: string): tf.Tensor4D {
  assertEdgeAwareFits(fn, x.shape);
  return tf.tidy(() => {
    const padded = padAxis(padAxis(x, 1, BORDER, BORDER, 'reflect'), 2, BORDER, BORDER, 'reflect') as tf.Tensor4D;
    // Blurred with zeros beyond the mirrored border (kornia's order); cropping keeps the input's cells.
    const blurred = blur(padded, { kernelSize: options.kernelSize, stride: 1, padding: 'same' });
    const smooth = tf.slice(blurred, [0, BORDER, BORDER, 0], x.shape);
    const mask = edgeMask(padded, options);
    return tf.add(tf.mul(mask, x), tf.mul(tf.sub(1, mask), smooth)) as tf.Tensor4D;
  });
}
