import { BlurPool } from '@aa/blur';
import { bottleneckBlock, denseResidualBlock, resnet, type Downsample } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { torchBatchNorm, torchBias, torchKernel } from './init';

/** Options of {@link chapterResnet}. */
export interface ChapterResnetOptions {
  /** ReZero blocks (`true`, default) or plain residual blocks. */
  rezero?: boolean;
  /** Same-shape blocks after each stage's first: 6 in the chapter (28 blocks), 18 in exercise 4. Default 6. */
  blocksPerStage?: number;
  /** Classes (10 for CIFAR-10, 100 for CIFAR-100). Default 10. */
  classes?: number;
  /** `'strided'` (the chapter) or `'antialiased'`: blur-pool subsampling in place of the strided convolutions (exercise 5). Default `'strided'`. */
  downsample?: 'strided' | 'antialiased';
  /** Input `[H, W, C]`. Default `[32, 32, 3]`. */
  inputShape?: readonly [number, number, number];
  /** Channels of the first stage. Default 16. */
  width?: number;
}

/**
 * Exercise 5's downsampler for the rezero `downsample` hook: a binomial blur (3 taps) at the block's stride,
 * after which the block's convolution runs at stride 1 — Zhang's anti-aliased strided convolution, as
 * `antiAliasedConv2d` builds it (that helper makes its own conv, so the hook uses its blur half, BlurPool).
 * Zero padding (`'same'`), as the chapter's `BlurLayer` pads: @aa/blur's default `'reflect'` pads through
 * `tf.gather`, whose gradient has no native kernel and made training ~50× slower on the oneDNN backend.
 */
export const blurDownsample: Downsample = (x, info) =>
  new BlurPool({ kernelSize: 3, stride: info.stride, padding: 'same', name: info.name }).apply(x) as tf.SymbolicTensor;

/**
 * The chapter's 28-block CIFAR ResNet (via `@aa/rezero`'s `resnet`): 1,181,222 trainable parameters with
 * ReZero, 1,181,194 plain, for 32×32 RGB input and 10 classes.
 * @returns a model mapping `[B, 32, 32, 3]` to `[B, classes]` logits.
 */
export function chapterResnet({
  rezero = true,
  blocksPerStage = 6,
  classes = 10,
  downsample = 'strided',
  inputShape = [32, 32, 3],
  width = 16,
}: ChapterResnetOptions = {}): tf.LayersModel {
  return resnet({
    inputShape: [...inputShape],
    classes,
    width,
    blocksPerStage,
    rezero,
    downsample: downsample === 'antialiased' ? blurDownsample : undefined,
    name: `${rezero ? 'rezero' : 'plain'}_resnet${downsample === 'antialiased' ? '_aa' : ''}`,
  });
}

/** Options of {@link bottleneckResnet} and {@link denseResidualNet}. */
export interface Exercise3Options {
  /** ReZero (`true`) or plain residual blocks. */
  rezero: boolean;
  /** Classes. Default 100 (exercise 3 runs on CIFAR-100). */
  classes?: number;
  /** Input `[H, W, C]`. Default `[32, 32, 3]`. */
  inputShape?: readonly [number, number, number];
  /** Blocks per stage (bottleneck) or in total (dense). Default 2. */
  blocks?: number;
}

/**
 * Exercise 3, bottleneck variant: a 3×3 stem conv (3→64) with BN and ReLU, then three stages of bottleneck
 * blocks (64, 128, 256 channels, inner width a quarter; stride 2 at the start of stages 2 and 3), global
 * average pooling, dense.
 */
export function bottleneckResnet({ rezero, classes = 100, inputShape = [32, 32, 3], blocks = 2 }: Exercise3Options): tf.LayersModel {
  const name = `${rezero ? 'rezero' : 'plain'}_bottleneck`;
  const input = tf.input({ shape: [...inputShape], name: `${name}_input` });
  let x = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: torchKernel(), name: 'stem_conv' })
    .apply(input) as tf.SymbolicTensor;
  x = torchBatchNorm('stem_bn').apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  let index = 0;
  for (const [stage, channels] of [64, 128, 256].entries()) {
    for (let i = 0; i < blocks; i++) {
      x = bottleneckBlock(x, { channels, stride: stage > 0 && i === 0 ? 2 : 1, rezero, name: `block${index++}` });
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: torchKernel(), biasInitializer: torchBias(256), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}

/**
 * Exercise 3, fully connected variant: flatten, a dense projection to 256 units (BN, ReLU), `blocks`
 * fully connected residual blocks of 256 units, dense.
 */
export function denseResidualNet({ rezero, classes = 100, inputShape = [32, 32, 3], blocks = 2 }: Exercise3Options): tf.LayersModel {
  const name = `${rezero ? 'rezero' : 'plain'}_dense_residual`;
  const input = tf.input({ shape: [...inputShape], name: `${name}_input` });
  const fanIn = inputShape[0] * inputShape[1] * inputShape[2];
  let x = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: 256, kernelInitializer: torchKernel(), biasInitializer: torchBias(fanIn), name: 'proj' })
    .apply(x) as tf.SymbolicTensor;
  x = torchBatchNorm('proj_bn').apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'proj_relu' }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < blocks; i++) x = denseResidualBlock(x, { units: 256, rezero, name: `block${i}` });
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: torchKernel(), biasInitializer: torchBias(256), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}
