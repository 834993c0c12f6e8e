import type * as tf from '@tensorflow/tfjs';

import {
  activate,
  batchNorm,
  combine,
  conv,
  convShortcut,
  namer,
  resolveCommon,
  runDownsample,
  type CommonBlockOptions,
  type Downsample,
} from './blockParts';
import { seedSequence } from './seeds';
import { assertOddPositiveInt, assertOptionalFunction, assertOptions, assertPositiveInt, assertSymbolicInput } from './validate';

/** Options of {@link residualBlock}. */
export interface ResidualBlockOptions extends CommonBlockOptions {
  /** Output channels. */
  channels: number;
  /** Side of the square convolution window; odd, so the padding `(k-1)/2` keeps the size. Default 3. */
  kernelSize?: number;
  /** Stride of the second convolution (and of the 1×1 shortcut projection). Default 1. */
  stride?: number;
  /**
   * Replaces the strided convolutions' subsampling when `stride > 1` (exercise 5, anti-aliasing):
   * F becomes conv–BN–act–**downsample**–conv(stride 1)–BN and the shortcut **downsample**–1×1 conv–BN.
   * Ignored when `stride` is 1. Default: strided convolutions, as in the chapter.
   */
  downsample?: Downsample;
}

/** Every option of {@link residualBlock} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  channels: true,
  kernelSize: true,
  stride: true,
  downsample: true,
  activation: true,
  rezero: true,
  initialAlpha: true,
  name: true,
  seed: true,
} satisfies Record<keyof ResidualBlockOptions, true>);

/**
 * The chapter's `ResidualBlock` for the functional API. With `F = conv(k)–BN–act–conv(k, stride)–BN`
 * (bias-free convolutions, zero padding `(k-1)/2`, BatchNorm with epsilon 1e-5 and PyTorch momentum 0.1)
 * and a shortcut that is the input, or a bias-free 1×1 convolution (with the stride) + BN when the
 * channels or the stride change, the output is
 * - ReZero (`rezero: true`, default): `shortcut(x) + alpha * act(F(x))`, `alpha` a trainable scalar starting at 0;
 * - plain (`rezero: false`): `act(shortcut(x) + F(x))`.
 *
 * @param input - `[B, H, W, Cin]` symbolic tensor (Cin known).
 * @returns `[B, ceil(H / stride), ceil(W / stride), channels]`.
 * @example
 * ```ts
 * const x = tf.input({ shape: [32, 32, 16] });
 * const y = residualBlock(x, { channels: 32, stride: 2 }); // [null, 16, 16, 32]
 * ```
 */
export function residualBlock(input: tf.SymbolicTensor, options: ResidualBlockOptions): tf.SymbolicTensor {
  const fn = 'residualBlock';
  assertOptions(fn, options, false, OPTION_KEYS);
  const { channels, kernelSize = 3, stride = 1, downsample } = options;
  assertPositiveInt(fn, 'channels', channels);
  assertOddPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveInt(fn, 'stride', stride);
  assertOptionalFunction(fn, 'downsample', downsample);
  const common = resolveCommon(fn, options);
  const inChannels = assertSymbolicInput(fn, input, 4, '[B, H, W, C]');
  const name = namer(common.name);
  const nextSeed = seedSequence(common.seed);

  let f = conv(input, channels, kernelSize, 1, name('conv1'), nextSeed());
  f = batchNorm(f, name('bn1'));
  f = activate(f, common.activation, name('act1'));
  let convStride = stride;
  if (downsample !== undefined && stride > 1) {
    f = runDownsample(fn, downsample, f, { channels, stride, path: 'branch', name: name('down'), seed: nextSeed() });
    convStride = 1;
  }
  f = conv(f, channels, kernelSize, convStride, name('conv2'), nextSeed());
  f = batchNorm(f, name('bn2'));

  const shortcut = convShortcut(fn, input, inChannels, channels, stride, downsample, name, nextSeed);
  return combine(shortcut, f, common, name);
}
