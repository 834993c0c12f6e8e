import * as tf from '@tensorflow/tfjs';

import { seededInitializer, type Initializer } from './initializers';
import { BlurPool } from './layers/BlurPool';
import { BLUR_PADDINGS, type BlurPadding } from './padding';
import { seedSequence } from './seeds';
import { assertBoolean, assertOneOf, assertOptionalName, assertOptionalSeed, assertOptions, assertPositiveInt, fail } from './validate';

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
  'seed',
] as const;

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
  /**
   * Seed of the convolution's initializers: with one, the kernel and bias initializers (the defaults,
   * a name, or a copy of the instance you pass) get distinct seeds derived from it, so the same seed
   * gives bit-identical initial weights. Default: unseeded, tfjs's usual random initialisation.
   */
  seed?: number;
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
  if (!(input instanceof tf.SymbolicTensor)) fail(fn, 'input', input, "a tf.SymbolicTensor (from tf.input or a layer's apply)");
  if (options === undefined) fail(fn, 'options', options, 'an object with at least { filters }');
  assertOptions(fn, options, OPTION_KEYS);
  const {
    filters,
    kernelSize = 3,
    strides = 2,
    activation = 'relu',
    batchNorm = true,
    useBias = !(options.batchNorm ?? true),
    blurKernelSize = Math.max(2, Math.floor(1.7 * (options.strides ?? 2))),
    blurPadding = 'reflect',
    name,
    seed,
  } = options;
  assertPositiveInt(fn, 'filters', filters);
  assertPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveInt(fn, 'strides', strides);
  assertPositiveInt(fn, 'blurKernelSize', blurKernelSize);
  assertBoolean(fn, 'batchNorm', batchNorm);
  assertBoolean(fn, 'useBias', useBias);
  assertOneOf(fn, 'blurPadding', blurPadding, BLUR_PADDINGS);
  assertOptionalName(fn, 'name', name);
  assertOptionalSeed(fn, 'seed', seed);
  const nextSeed = seedSequence(seed);
  const kernelInitializer = seededInitializer(fn, 'kernelInitializer', options.kernelInitializer, 'glorotNormal', nextSeed());
  const biasInitializer = seededInitializer(fn, 'biasInitializer', options.biasInitializer, 'zeros', nextSeed());
  const layerName = (suffix: string) => (name ? `${name}_${suffix}` : undefined);
  let act: tf.layers.Layer;
  try {
    act = tf.layers.activation({ activation: activation as never, name: layerName('act') });
  } catch {
    fail(fn, 'activation', activation, "a tfjs activation name such as 'relu', 'elu', 'tanh', 'swish'");
  }
  const conv = tf.layers.conv2d({ filters, kernelSize, strides: 1, padding: 'same', useBias, kernelInitializer, biasInitializer, name: layerName('conv') });
  let x = conv.apply(input) as tf.SymbolicTensor;
  if (batchNorm) {
    x = tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: layerName('bn') }).apply(x) as tf.SymbolicTensor;
  }
  x = act.apply(x) as tf.SymbolicTensor;
  if (strides === 1) return x;
  return new BlurPool({ kernelSize: blurKernelSize, stride: strides, padding: blurPadding, name: layerName('blur') }).apply(x) as tf.SymbolicTensor;
}
