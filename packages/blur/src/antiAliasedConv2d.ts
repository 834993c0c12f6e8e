import * as tf from '@tensorflow/tfjs';

import { BlurPool } from './layers/BlurPool';
import { BLUR_PADDINGS, type BlurPadding } from './padding';
import { assertOneOf, assertOptions, assertPositiveInt } from './validate';

const OPTION_KEYS = [
  'filters',
  'kernelSize',
  'strides',
  'activation',
  'batchNorm',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'blurKernelSize',
  'blurPadding',
  'name',
] as const;

/** What `tf.layers.conv2d` accepts as an initializer: a registered name or an instance. */
type Initializer = Parameters<typeof tf.layers.conv2d>[0]['kernelInitializer'];

/** Options of {@link antiAliasedConv2d}. */
export interface AntiAliasedConv2dOptions {
  /** Output channels. */
  filters: number;
  /** Convolution window. Default 3. */
  kernelSize?: number;
  /** The downsampling the strided convolution would have done; it moves to the blur. Default 2. With 1 no blur is added. */
  strides?: number;
  /** Activation between the normalisation and the blur (a tfjs activation name). Default `'relu'`. */
  activation?: string;
  /** Put a BatchNormalization (PyTorch defaults: epsilon 1e-5, momentum 0.1) between convolution and activation. Default true. */
  batchNorm?: boolean;
  /**
   * Give the convolution a bias. Default `!batchNorm` (a bias before BatchNorm is cancelled by its mean).
   * Pass `true` to match a PyTorch `nn.Conv2d` left at its default `bias=True`, e.g. the chapter's CNN.
   */
  useBias?: boolean;
  /** The convolution's kernel initializer, as `tf.layers.conv2d` takes it. Default tfjs's (`'glorotNormal'`). */
  kernelInitializer?: Initializer;
  /** The convolution's bias initializer (only with a bias). Default tfjs's (`'zeros'`). */
  biasInitializer?: Initializer;
  /**
   * Blur kernel size. Default `max(2, floor(1.7 * strides))`, the ratio `MaxBlurPool2D` uses
   * (3 for stride 2). The chapter's text suggests `strides` itself, i.e. a 2-tap box filter for stride 2.
   */
  blurKernelSize?: number;
  /** Padding of the blur. Default `'reflect'`, which gives the strided `'same'` convolution's output size `ceil(n / strides)`. */
  blurPadding?: BlurPadding;
  /** Prefix of the created layers' names. */
  name?: string;
}

/**
 * Anti-aliased strided convolution for the functional API (the chapter's exercise 2, Zhang's
 * "ConvBlurPool"): a stride-1 convolution, then normalisation and activation, then a
 * {@link BlurPool} that does the subsampling. Use it where you would write
 * `conv2d({ strides: 2 })` → BN → ReLU; the output has the same shape.
 *
 * For average pooling no helper is needed: `new BlurPool({ kernelSize: 3, stride: 2 })` replaces
 * `averagePooling2d({ poolSize: 2 })` (a box filter is a weak low-pass; the binomial is the better one).
 *
 * @param input - a `tf.SymbolicTensor` of shape `[B, H, W, C]`.
 * @returns the symbolic output `[B, ceil(H / s), ceil(W / s), filters]` (with the default `'reflect'` blur padding).
 * @example
 * ```ts
 * const input = tf.input({ shape: [24, 24, 3] });
 * const x = antiAliasedConv2d(input, { filters: 16, strides: 2 }); // [null, 12, 12, 16]
 * ```
 */
export function antiAliasedConv2d(input: tf.SymbolicTensor, options: AntiAliasedConv2dOptions): tf.SymbolicTensor {
  const fn = 'antiAliasedConv2d';
  if (!(input instanceof tf.SymbolicTensor)) {
    throw new Error(`${fn}: input must be a tf.SymbolicTensor (from tf.input or a layer's apply), got ${typeof input}.`);
  }
  if (options === undefined) throw new Error(`${fn}: options are required (at least { filters }).`);
  assertOptions(fn, options, OPTION_KEYS);
  const {
    filters,
    kernelSize = 3,
    strides = 2,
    activation = 'relu',
    batchNorm = true,
    useBias = !(options?.batchNorm ?? true),
    kernelInitializer,
    biasInitializer,
    blurKernelSize = Math.max(2, Math.floor(1.7 * (options?.strides ?? 2))),
    blurPadding = 'reflect',
    name,
  } = options ?? ({} as AntiAliasedConv2dOptions);
  assertPositiveInt(fn, 'filters', filters);
  assertPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveInt(fn, 'strides', strides);
  assertPositiveInt(fn, 'blurKernelSize', blurKernelSize);
  if (typeof batchNorm !== 'boolean') throw new Error(`${fn}: batchNorm must be true or false, got ${String(batchNorm)}.`);
  if (typeof useBias !== 'boolean') throw new Error(`${fn}: useBias must be true or false, got ${String(useBias)}.`);
  assertOneOf(fn, 'blurPadding', blurPadding, BLUR_PADDINGS);
  const layerName = (suffix: string) => (name ? `${name}_${suffix}` : undefined);
  let act: tf.layers.Layer;
  try {
    act = tf.layers.activation({ activation: activation as never, name: layerName('act') });
  } catch {
    throw new Error(`${fn}: activation must be a tfjs activation name such as 'relu', 'elu', 'tanh', 'swish', got '${activation}'.`);
  }
  let conv: tf.layers.Layer;
  try {
    conv = tf.layers.conv2d({ filters, kernelSize, strides: 1, padding: 'same', useBias, kernelInitializer, biasInitializer, name: layerName('conv') });
  } catch (err) {
    // tfjs resolves initializer names here; its message names the value but not our option.
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${fn}: kernelInitializer and biasInitializer must be tfjs initializers or their names ('glorotUniform', 'heNormal', 'zeros', ...): ${message}`);
  }
  let x = conv.apply(input) as tf.SymbolicTensor;
  if (batchNorm) {
    x = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: layerName('bn') }).apply(x) as tf.SymbolicTensor;
  }
  x = act.apply(x) as tf.SymbolicTensor;
  if (strides === 1) return x;
  return new BlurPool({ kernelSize: blurKernelSize, stride: strides, padding: blurPadding, name: layerName('blur') }).apply(x) as tf.SymbolicTensor;
}
