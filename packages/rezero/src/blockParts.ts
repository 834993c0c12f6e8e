import * as tf from '@tensorflow/tfjs';

import { ReZero } from './rezero';
import type { SeedSequence } from './seeds';
import { torchBatchNorm, torchKernelInitializer, type Initializer } from './torchInit';
import {
  assertActivation,
  assertBoolean,
  assertFiniteNumber,
  assertOptionalName,
  assertOptionalSeed,
  fail,
  shapeText,
  type Activation,
} from './validate';

/**
 * Pieces shared by the residual blocks (internal; not part of the public API).
 * Everything here builds functional-API graphs: the blocks are made of stock tfjs layers plus the
 * leaf {@link ReZero} layer, because tfjs-layers does not track weights of layers nested in a custom layer.
 */

/** What a caller-supplied downsampler is told about the place it fills. */
export interface DownsampleInfo {
  /** Channels of the tensor to downsample (the downsampler must keep them). */
  channels: number;
  /** The stride the block would otherwise have given its strided convolution. */
  stride: number;
  /** `'branch'`: inside F, before the (now stride-1) strided convolution; `'shortcut'`: before the 1×1 projection. */
  path: 'branch' | 'shortcut';
  /** A layer name for the downsampler, derived from the block's `name` (undefined when the block has none). */
  name: string | undefined;
  /**
   * A seed for any initializer the downsampler creates, derived from the block's `seed`
   * (undefined when the block is unseeded), so a downsampler with weights stays reproducible.
   */
  seed: number | undefined;
}

/**
 * A spatial downsampler that replaces the stride of a block's strided convolutions: it maps
 * `[B, H, W, C]` to `[B, ceil(H / stride), ceil(W / stride), C]`, the size the strided convolution gives.
 * Use it for anti-aliasing (exercise 5), e.g. a blur pool with the given stride.
 */
export type Downsample = (x: tf.SymbolicTensor, info: DownsampleInfo) => tf.SymbolicTensor;

/** Options common to every block: how the branch and the shortcut are combined. */
export interface CombineOptions {
  /** `true`: `shortcut + alpha * act(F(x))` (ReZero); `false`: `act(shortcut + F(x))` (plain residual). */
  rezero: boolean;
  /** The activation inside F and in the combination. */
  activation: Activation;
  /** Starting value of the ReZero gate. */
  initialAlpha: number;
}

/** Layer names `${name}_${suffix}`, or tfjs' automatic names when the block has no name. */
export function namer(name: string | undefined): (suffix: string) => string | undefined {
  return (suffix) => (name === undefined ? undefined : `${name}_${suffix}`);
}

/**
 * A bias-free k×k convolution with PyTorch's symmetric zero padding `(k-1)/2` (k odd), initialised
 * as PyTorch's `nn.Conv2d` unless another `kernelInitializer` is given.
 * Stride 1 uses tfjs `'same'`, which pads symmetrically for odd k. A stride > 1 pads explicitly and
 * convolves `'valid'`: tfjs `'same'` would pad 0 before / 1 after on even sizes, shifting the grid
 * relative to PyTorch's `padding=(k-1)//2`.
 */
export function conv(
  x: tf.SymbolicTensor,
  filters: number,
  kernelSize: number,
  stride: number,
  name: string | undefined,
  seed: number | undefined,
  kernelInitializer: Initializer = torchKernelInitializer(seed),
): tf.SymbolicTensor {
  const pad = (kernelSize - 1) / 2;
  let input = x;
  if (stride > 1 && pad > 0) {
    input = tf.layers
      .zeroPadding2d({ padding: [[pad, pad], [pad, pad]], name: name === undefined ? undefined : `${name}_pad` })
      .apply(x) as tf.SymbolicTensor;
  }
  return tf.layers
    .conv2d({
      filters,
      kernelSize,
      strides: stride,
      padding: stride > 1 ? 'valid' : 'same',
      useBias: false,
      kernelInitializer,
      name,
    })
    .apply(input) as tf.SymbolicTensor;
}

/** A bias-free dense layer with PyTorch's default initialisation. */
export function dense(x: tf.SymbolicTensor, units: number, name: string | undefined, seed: number | undefined): tf.SymbolicTensor {
  return tf.layers
    .dense({ units, useBias: false, kernelInitializer: torchKernelInitializer(seed), name })
    .apply(x) as tf.SymbolicTensor;
}

/** BatchNorm over the last axis with PyTorch's settings (see {@link torchBatchNorm}). */
export function batchNorm(x: tf.SymbolicTensor, name: string | undefined): tf.SymbolicTensor {
  return torchBatchNorm({ name }).apply(x) as tf.SymbolicTensor;
}

/** An activation layer. */
export function activate(x: tf.SymbolicTensor, activation: Activation, name: string | undefined): tf.SymbolicTensor {
  return tf.layers.activation({ activation, name }).apply(x) as tf.SymbolicTensor;
}

/**
 * Runs the caller's downsampler and checks that it did what a strided convolution would have done to
 * the spatial size, so a wrong hook fails when the model is built rather than deep inside a shape error.
 */
export function runDownsample(fn: string, downsample: Downsample, x: tf.SymbolicTensor, info: DownsampleInfo): tf.SymbolicTensor {
  const y = downsample(x, info);
  if (!(y instanceof tf.SymbolicTensor)) fail(fn, "downsample's result", y, "a tf.SymbolicTensor (the result of a layer's apply)");
  const expected = x.shape.map((n, axis) =>
    axis === 1 || axis === 2 ? (n === null ? null : Math.ceil(n / info.stride)) : n,
  );
  const ok = y.shape.length === 4 && expected.every((n, axis) => axis === 0 || n === null || y.shape[axis] === n);
  if (!ok) {
    throw new Error(
      `${fn}: downsample (${info.path} path, stride ${info.stride}) must map [${shapeText(x.shape)}] to ` +
        `[${shapeText(expected)}] (spatial size ceil(n / stride), channels unchanged), got [${shapeText(y.shape)}].`,
    );
  }
  return y;
}

/**
 * The chapter's shortcut: the input itself when the shape is kept, otherwise a bias-free 1×1
 * convolution with the stride followed by BatchNorm. With a downsampler, the downsampler takes the
 * stride and the 1×1 convolution runs at stride 1 (Zhang's anti-aliased ResNet does the same).
 */
export function convShortcut(
  fn: string,
  x: tf.SymbolicTensor,
  inChannels: number,
  channels: number,
  stride: number,
  downsample: Downsample | undefined,
  name: (suffix: string) => string | undefined,
  nextSeed: SeedSequence,
): tf.SymbolicTensor {
  if (inChannels === channels && stride === 1) return x;
  let s = x;
  let convStride = stride;
  if (downsample !== undefined && stride > 1) {
    s = runDownsample(fn, downsample, x, { channels: inChannels, stride, path: 'shortcut', name: name('proj_down'), seed: nextSeed() });
    convStride = 1;
  }
  s = conv(s, channels, 1, convStride, name('proj_conv'), nextSeed());
  return batchNorm(s, name('proj_bn'));
}

/** `shortcut + alpha * act(f)` (ReZero) or `act(shortcut + f)` (plain), the chapter's two forms. */
export function combine(
  shortcut: tf.SymbolicTensor,
  f: tf.SymbolicTensor,
  options: CombineOptions,
  name: (suffix: string) => string | undefined,
): tf.SymbolicTensor {
  if (options.rezero) {
    const branch = activate(f, options.activation, name('act'));
    return new ReZero({ initialAlpha: options.initialAlpha, name: name('rezero') }).apply([shortcut, branch]) as tf.SymbolicTensor;
  }
  const sum = tf.layers.add({ name: name('add') }).apply([shortcut, f]) as tf.SymbolicTensor;
  return activate(sum, options.activation, name('act'));
}

/** The options every block shares, before defaults. */
export interface CommonBlockOptions {
  /** Activation inside F and in the combination: a tfjs activation name. Default `'relu'` (the chapter's). */
  activation?: Activation;
  /** `true` (default): `x + alpha * act(F(x))` (ReZero); `false`: `act(x + F(x))` (plain residual). */
  rezero?: boolean;
  /** Starting value of the ReZero gate `alpha`. Default 0. Ignored when `rezero` is false. */
  initialAlpha?: number;
  /** Prefix of the created layers' names (`${name}_conv1`, `${name}_bn1`, ...). Default: tfjs' automatic names. */
  name?: string;
  /**
   * Seed of the block's weight initialisation (a uint32): every initializer gets a distinct seed
   * derived from it, so the same seed gives bit-identical initial weights. Default: unseeded.
   */
  seed?: number;
}

/** Validates and fills in the shared options. */
export function resolveCommon(
  fn: string,
  options: CommonBlockOptions,
): CombineOptions & { name: string | undefined; seed: number | undefined } {
  const { activation = 'relu', rezero = true, initialAlpha = 0, name, seed } = options;
  assertActivation(fn, 'activation', activation);
  assertBoolean(fn, 'rezero', rezero);
  assertFiniteNumber(fn, 'initialAlpha', initialAlpha);
  assertOptionalName(fn, 'name', name);
  assertOptionalSeed(fn, 'seed', seed);
  return { activation, rezero, initialAlpha, name, seed };
}
