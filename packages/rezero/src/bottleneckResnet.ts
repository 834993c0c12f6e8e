import * as tf from '@tensorflow/tfjs';

import { activate, batchNorm } from './blockParts';
import { bottleneckBlock } from './bottleneckBlock';
import { seedSequence } from './seeds';
import { buildHead } from './stages';
import { torchKernelInitializer } from './torchInit';
import { assertBoolean, assertImageShape, assertOptionalName, assertOptionalSeed, assertOptions, assertPositiveInt } from './validate';

/** Options of {@link bottleneckResnet}. */
export interface BottleneckResNetOptions {
  /** `true` (default): ReZero blocks; `false`: plain residual blocks. */
  rezero?: boolean;
  /** Number of classes. Default 100 (exercise 3 runs on CIFAR-100). */
  classes?: number;
  /** Shape of one image, channels-last `[H, W, C]`. Default `[32, 32, 3]`. */
  inputShape?: readonly (number | null)[];
  /** Bottleneck blocks per stage. Default 2. */
  blocksPerStage?: number;
  /** Output channels of the stem and the first stage; the stages use w, 2w, 4w (inner widths a quarter). Default 64. */
  width?: number;
  /** Seed of the weight initialisation (a uint32; see `resnet`). Default: unseeded. */
  seed?: number;
  /** Model name. Default `'rezero_bottleneck'` or `'plain_bottleneck'`. */
  name?: string;
}

/** Every option of {@link bottleneckResnet} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  rezero: true,
  classes: true,
  inputShape: true,
  blocksPerStage: true,
  width: true,
  seed: true,
  name: true,
} satisfies Record<keyof BottleneckResNetOptions, true>);

/**
 * Exercise 3, bottleneck variant: a bias-free 3×3 stem convolution (C → w) with BatchNorm and ReLU,
 * three stages of {@link bottleneckBlock}s with w, 2w and 4w channels (inner width a quarter; the
 * first block of stages 2 and 3 at stride 2), global average pooling (`pool`) and a dense layer to
 * `classes` logits (`logits`). Layers are named `stem_conv`, `stem_bn`, `stem_relu`, `block0_...`.
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const model = bottleneckResnet({ rezero: true, seed: 0 }); // CIFAR-100 logits
 * ```
 */
export function bottleneckResnet(options: BottleneckResNetOptions = {}): tf.LayersModel {
  const fn = 'bottleneckResnet';
  assertOptions(fn, options, true, OPTION_KEYS);
  const { rezero = true, classes = 100, inputShape = [32, 32, 3], blocksPerStage = 2, width = 64, seed } = options;
  const name = options.name ?? `${rezero === false ? 'plain' : 'rezero'}_bottleneck`;
  assertBoolean(fn, 'rezero', rezero);
  assertPositiveInt(fn, 'classes', classes);
  assertImageShape(fn, inputShape);
  assertPositiveInt(fn, 'blocksPerStage', blocksPerStage);
  assertPositiveInt(fn, 'width', width);
  assertOptionalSeed(fn, 'seed', seed);
  assertOptionalName(fn, 'name', name);
  const nextSeed = seedSequence(seed);

  const input = tf.input({ shape: [...inputShape] as number[], name: `${name}_input` });
  let x = tf.layers
    .conv2d({ filters: width, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: torchKernelInitializer(nextSeed()), name: 'stem_conv' })
    .apply(input) as tf.SymbolicTensor;
  x = batchNorm(x, 'stem_bn');
  x = activate(x, 'relu', 'stem_relu');
  let index = 0;
  [width, 2 * width, 4 * width].forEach((channels, stage) => {
    for (let i = 0; i < blocksPerStage; i++) {
      x = bottleneckBlock(x, { channels, stride: stage > 0 && i === 0 ? 2 : 1, rezero, name: `block${index++}`, seed: nextSeed() });
    }
  });
  return tf.model({ inputs: input, outputs: buildHead(x, classes, nextSeed), name });
}
