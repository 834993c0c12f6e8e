import * as tf from '@tensorflow/tfjs';

import { torchBiasInitializer, torchKernelInitializer, type Downsample } from './blockParts';
import { residualBlock } from './residualBlock';
import {
  assertActivation,
  assertBoolean,
  assertFiniteNumber,
  assertOddPositiveInt,
  assertOptionalFunction,
  assertOptionalName,
  assertOptions,
  assertPositiveInt,
  describe,
  type Activation,
} from './validate';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  /** Shape of one image, channels-last `[H, W, C]`; H and W may be `null` (the network ends in global pooling). */
  inputShape: readonly (number | null)[];
  /** Number of classes: the size of the final dense layer (logits, no softmax). */
  classes: number;
  /** Channels of the first stage, the chapter's `h`; the stages use h, 2h, 4h, 4h. Default 16. */
  width?: number;
  /** Same-shape blocks after each stage's first block; the chapter uses 6 (28 blocks), exercise 4 uses 18. Default 6. */
  blocksPerStage?: number;
  /** `true` (default): ReZero blocks; `false`: plain residual blocks. */
  rezero?: boolean;
  /** Starting value of every ReZero gate. Default 0. */
  initialAlpha?: number;
  /** Convolution window of every block; odd. Default 3. */
  kernelSize?: number;
  /** Activation of every block: a tfjs activation name. Default `'relu'`. */
  activation?: Activation;
  /**
   * Replaces the subsampling of the three stride-2 blocks (exercise 5, anti-aliased strided
   * convolutions); see {@link residualBlock}. Default: strided convolutions, as in the chapter.
   */
  downsample?: Downsample;
  /** Model name; layers are named `block0_conv1`, ..., `pool`, `logits`. Default `'resnet'`. */
  name?: string;
}

/** Every option of {@link resnet} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  inputShape: true,
  classes: true,
  width: true,
  blocksPerStage: true,
  rezero: true,
  initialAlpha: true,
  kernelSize: true,
  activation: true,
  downsample: true,
  name: true,
} satisfies Record<keyof ResNetOptions, true>);

/**
 * The chapter's CIFAR ResNet as a `tf.LayersModel`, with `h = width` and `n = blocksPerStage`:
 * block C→h, n blocks at h, stride-2 block h→2h, n at 2h, stride-2 block 2h→4h, n at 4h,
 * stride-2 block 4h→4h, n at 4h, global average pooling, dense → `classes` logits.
 * With the defaults (`width` 16, `blocksPerStage` 6) it has 28 blocks and, for RGB input and
 * 10 classes, exactly PyTorch's trainable parameter count: 1,181,222 (ReZero) or 1,181,194 (plain).
 * BatchNorm layers hold 5,280 further, non-trainable, moving statistics (PyTorch buffers).
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const model = resnet({ inputShape: [32, 32, 3], classes: 10 });
 * ```
 */
export function resnet(options: ResNetOptions): tf.LayersModel {
  const fn = 'resnet';
  assertOptions(fn, options, false, OPTION_KEYS);
  const {
    inputShape,
    classes,
    width = 16,
    blocksPerStage = 6,
    rezero = true,
    initialAlpha = 0,
    kernelSize = 3,
    activation = 'relu',
    downsample,
    name = 'resnet',
  } = options;
  assertInputShape(fn, inputShape);
  assertPositiveInt(fn, 'classes', classes);
  assertPositiveInt(fn, 'width', width);
  if (!Number.isInteger(blocksPerStage) || blocksPerStage < 0) {
    throw new Error(`${fn}: blocksPerStage must be an integer >= 0, got ${describe(blocksPerStage)}.`);
  }
  assertBoolean(fn, 'rezero', rezero);
  assertFiniteNumber(fn, 'initialAlpha', initialAlpha);
  assertOddPositiveInt(fn, 'kernelSize', kernelSize);
  assertActivation(fn, 'activation', activation);
  assertOptionalFunction(fn, 'downsample', downsample);
  assertOptionalName(fn, 'name', name);

  const input = tf.input({ shape: [...inputShape], name: `${name}_input` });
  const stages: Array<{ channels: number; stride: number }> = [
    { channels: width, stride: 1 },
    { channels: 2 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
  ];
  let x = input;
  let index = 0;
  for (const { channels, stride } of stages) {
    for (let i = 0; i <= blocksPerStage; i++) {
      x = residualBlock(x, {
        channels,
        stride: i === 0 ? stride : 1,
        kernelSize,
        activation,
        rezero,
        initialAlpha,
        downsample,
        name: `block${index++}`,
      });
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: classes,
      kernelInitializer: torchKernelInitializer(),
      biasInitializer: torchBiasInitializer(4 * width),
      name: 'logits',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}

function assertInputShape(fn: string, shape: unknown): void {
  const ok =
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((n, i) => (n === null && i < 2) || (typeof n === 'number' && Number.isInteger(n) && n >= 1));
  if (!ok) {
    throw new Error(
      `${fn}: inputShape must be [H, W, C] (channels-last, positive integers; H and W may be null), got ${describe(shape)}.`,
    );
  }
}
