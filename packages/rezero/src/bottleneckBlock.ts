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

/** Options of {@link bottleneckBlock}. */
export interface BottleneckBlockOptions extends CommonBlockOptions {
  /** Output channels; the block's inner width is `channels / expansion`. */
  channels: number;
  /** Ratio of the output channels to the inner (bottleneck) width; must divide `channels`. Default 4. */
  expansion?: number;
  /** Side of the middle convolution's window; odd. Default 3. */
  kernelSize?: number;
  /** Stride of the middle convolution (and of the 1×1 shortcut projection). Default 1. */
  stride?: number;
  /**
   * Replaces the strided convolutions' subsampling when `stride > 1`: the downsampler runs before
   * the middle convolution (then at stride 1) and before the shortcut's 1×1 convolution.
   */
  downsample?: Downsample;
}

/** Every option of {@link bottleneckBlock} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  channels: true,
  expansion: true,
  kernelSize: true,
  stride: true,
  downsample: true,
  activation: true,
  rezero: true,
  initialAlpha: true,
  name: true,
  seed: true,
} satisfies Record<keyof BottleneckBlockOptions, true>);

/**
 * Exercise 3: a bottleneck residual block, `F = 1×1 (Cin→w)–BN–act–k×k (w→w, stride)–BN–act–1×1 (w→channels)–BN`
 * with `w = channels / expansion`, bias-free convolutions and the same shortcut and output forms as
 * {@link residualBlock}: `shortcut(x) + alpha * act(F(x))` (ReZero) or `act(shortcut(x) + F(x))` (plain).
 *
 * @param input - `[B, H, W, Cin]` symbolic tensor (Cin known).
 * @returns `[B, ceil(H / stride), ceil(W / stride), channels]`.
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 16, 64] });
 * const y = bottleneckBlock(x, { channels: 64 }); // inner width 16, [null, 16, 16, 64]
 * ```
 */
export function bottleneckBlock(input: tf.SymbolicTensor, options: BottleneckBlockOptions): tf.SymbolicTensor {
  const fn = 'bottleneckBlock';
  assertOptions(fn, options, false, OPTION_KEYS);
  const { channels, expansion = 4, kernelSize = 3, stride = 1, downsample } = options;
  assertPositiveInt(fn, 'channels', channels);
  assertPositiveInt(fn, 'expansion', expansion);
  if (channels % expansion !== 0) {
    throw new Error(
      `${fn}: expansion must divide channels (inner width = channels / expansion), got channels ${channels} and expansion ${expansion}.`,
    );
  }
  assertOddPositiveInt(fn, 'kernelSize', kernelSize);
  assertPositiveInt(fn, 'stride', stride);
  assertOptionalFunction(fn, 'downsample', downsample);
  const common = resolveCommon(fn, options);
  const inChannels = assertSymbolicInput(fn, input, 4, '[B, H, W, C]');
  const name = namer(common.name);
  const width = channels / expansion;
  const nextSeed = seedSequence(common.seed);

  let f = conv(input, width, 1, 1, name('conv1'), nextSeed());
  f = batchNorm(f, name('bn1'));
  f = activate(f, common.activation, name('act1'));
  let convStride = stride;
  if (downsample !== undefined && stride > 1) {
    f = runDownsample(fn, downsample, f, { channels: width, stride, path: 'branch', name: name('down'), seed: nextSeed() });
    convStride = 1;
  }
  f = conv(f, width, kernelSize, convStride, name('conv2'), nextSeed());
  f = batchNorm(f, name('bn2'));
  f = activate(f, common.activation, name('act2'));
  f = conv(f, channels, 1, 1, name('conv3'), nextSeed());
  f = batchNorm(f, name('bn3'));

  const shortcut = convShortcut(fn, input, inChannels, channels, stride, downsample, name, nextSeed);
  return combine(shortcut, f, common, name);
}
