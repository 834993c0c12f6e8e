import * as tf from '@tensorflow/tfjs';

import type { Downsample } from './blockParts';
import { seedSequence } from './seeds';
import { buildHead, buildStage, chapterStages, type StageSettings } from './stages';
import {
  assertActivation,
  assertBoolean,
  assertFiniteNumber,
  assertImageShape,
  assertNonNegativeInt,
  assertOddPositiveInt,
  assertOptionalFunction,
  assertOptionalName,
  assertOptionalSeed,
  assertOptions,
  assertPositiveInt,
  type Activation,
} from './validate';

/** Options of {@link resnet} (and of `segmentedResnet`). */
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
  /**
   * Seed of the weight initialisation (a uint32): every block and the classifier get distinct seeds
   * derived from it, so the same seed gives bit-identical initial weights. Default: unseeded.
   */
  seed?: number;
  /** Model name; layers are named `block0_conv1`, ..., `pool`, `logits`. Default `'resnet'`. */
  name?: string;
}

/** Every option of {@link resnet} (the type checker keeps this list complete). */
export const RESNET_OPTION_KEYS = Object.keys({
  inputShape: true,
  classes: true,
  width: true,
  blocksPerStage: true,
  rezero: true,
  initialAlpha: true,
  kernelSize: true,
  activation: true,
  downsample: true,
  seed: true,
  name: true,
} satisfies Record<keyof ResNetOptions, true>);

/** {@link ResNetOptions} checked and with every default filled in. */
export interface ResolvedResNetOptions extends StageSettings {
  inputShape: (number | null)[];
  classes: number;
  width: number;
  seed: number | undefined;
  name: string;
}

/** Validates the values of {@link ResNetOptions} (not the key set) and fills in the defaults; `fn` names the caller. */
export function resolveResNetOptions(fn: string, options: ResNetOptions): ResolvedResNetOptions {
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
    seed,
    name = 'resnet',
  } = options;
  assertImageShape(fn, inputShape);
  assertPositiveInt(fn, 'classes', classes);
  assertPositiveInt(fn, 'width', width);
  assertNonNegativeInt(fn, 'blocksPerStage', blocksPerStage);
  assertBoolean(fn, 'rezero', rezero);
  assertFiniteNumber(fn, 'initialAlpha', initialAlpha);
  assertOddPositiveInt(fn, 'kernelSize', kernelSize);
  assertActivation(fn, 'activation', activation);
  assertOptionalFunction(fn, 'downsample', downsample);
  assertOptionalSeed(fn, 'seed', seed);
  assertOptionalName(fn, 'name', name);
  return { inputShape: [...inputShape], classes, width, blocksPerStage, rezero, initialAlpha, kernelSize, activation, downsample, seed, name };
}

/**
 * The chapter's CIFAR ResNet as a `tf.LayersModel`, with `h = width` and `n = blocksPerStage`:
 * block C→h, n blocks at h, stride-2 block h→2h, n at 2h, stride-2 block 2h→4h, n at 4h,
 * stride-2 block 4h→4h, n at 4h, global average pooling, dense → `classes` logits.
 * With the defaults (`width` 16, `blocksPerStage` 6) it has 28 blocks and, for RGB input and
 * 10 classes, exactly PyTorch's trainable parameter count: 1,181,222 (ReZero) or 1,181,194 (plain).
 * BatchNorm layers hold 5,280 further, non-trainable, moving statistics (PyTorch buffers).
 * `chapterResnet` is this network with the chapter's defaults.
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const model = resnet({ inputShape: [32, 32, 3], classes: 10, seed: 0 });
 * ```
 */
export function resnet(options: ResNetOptions): tf.LayersModel {
  const fn = 'resnet';
  assertOptions(fn, options, false, RESNET_OPTION_KEYS);
  return buildResnet(resolveResNetOptions(fn, options));
}

/** {@link resnet} from checked options. */
export function buildResnet(options: ResolvedResNetOptions): tf.LayersModel {
  const { inputShape, classes, width, name } = options;
  const nextSeed = seedSequence(options.seed);
  const input = tf.input({ shape: inputShape as number[], name: `${name}_input` });
  let x = input;
  let index = 0;
  for (const stage of chapterStages(width)) {
    x = buildStage(x, stage, options, index, nextSeed);
    index += options.blocksPerStage + 1;
  }
  return tf.model({ inputs: input, outputs: buildHead(x, classes, nextSeed), name });
}
