import * as tf from '@tensorflow/tfjs';

import { antiAliasedConv2d } from '../antiAliasedConv2d';
import { torchBiasInitializer, torchKernelInitializer } from '../initializers';
import { BlurPool } from '../layers/BlurPool';
import { MaxBlurPool2D } from '../layers/MaxBlurPool2D';
import { seedSequence, type SeedSequence } from '../seeds';
import { assertOneOf, assertOptionalName, assertOptionalSeed, assertOptions, assertPositiveInt, fail } from '../validate';

/**
 * How the chapter's small CNN subsamples between its conv rounds:
 * - `'max'`: 2×2 max pooling (the chapter's plain CNN);
 * - `'maxblur'`: max pooling at stride 1, then a binomial blur at stride 2 (the chapter's anti-aliased CNN, {@link MaxBlurPool2D});
 * - `'avg'`: 2×2 average pooling (exercise 2's baseline);
 * - `'blurpool'`: a 3-tap binomial blur at stride 2 instead of average pooling (exercise 2, {@link BlurPool});
 * - `'strided'`: the round's last convolution at stride 2 (exercise 2's baseline);
 * - `'aastrided'`: that convolution at stride 1, BN, ReLU, then a blur at stride 2 ({@link antiAliasedConv2d}, exercise 2).
 *
 * The blurs of `'blurpool'` and `'aastrided'` pad with zeros (`'same'`), as the chapter's
 * `BlurLayer` pads; `'reflect'` would cost a gather per blur, slow on tfjs's cpu backend.
 */
export type CnnPooling = 'max' | 'maxblur' | 'avg' | 'blurpool' | 'strided' | 'aastrided';

/** Every {@link CnnPooling}, in the order above. */
export const CNN_POOLINGS: readonly CnnPooling[] = ['max', 'maxblur', 'avg', 'blurpool', 'strided', 'aastrided'];

/** Options of {@link chapterCnn}. */
export interface ChapterCnnOptions {
  /** Subsampling between the conv rounds. Default `'max'`. */
  pooling?: CnnPooling;
  /** Shape of one image, channels-last `[H, W, C]`. Default the chapter's 24×24 RGB crops, `[24, 24, 3]`. */
  inputShape?: readonly [number, number, number];
  /** Number of classes: the size of the final dense layer (logits, no softmax). Default 10. */
  classes?: number;
  /** Channels of every convolution (the chapter's `h`). Default 16. */
  width?: number;
  /** Model name. Default `cnn_<pooling>`. */
  name?: string;
  /**
   * Seed of the weight initialisation: every initializer gets a distinct seed derived from it, so
   * the same seed gives bit-identical initial weights. Default: unseeded (random each build).
   */
  seed?: number;
}

/** Every option of {@link chapterCnn} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  pooling: true,
  inputShape: true,
  classes: true,
  width: true,
  name: true,
  seed: true,
} satisfies Record<keyof ChapterCnnOptions, true>);

/** Conv rounds; all but the last end in a subsampling step. */
const ROUNDS = 3;

/**
 * The chapter's small CNN: (3×3 `'same'` conv → BN → ReLU) ×2, subsample, ×2, subsample, ×2,
 * flatten, dense. Convolutions have biases, as PyTorch's `nn.Conv2d` by default, and every layer
 * starts as PyTorch's would: kernels kaiming-uniform with a = √5 (U(±1/√fanIn)), biases
 * U(±1/√fanIn), BatchNorm with epsilon 1e-5 and PyTorch momentum 0.1 (tfjs momentum 0.9).
 * With the defaults it has 18,010 trainable parameters for every `pooling`, as in PyTorch.
 *
 * Layers are named `r{round}{a|b}_conv`, `_bn`, `_relu`, `pool{round}`, `flatten` and `logits`
 * (`'aastrided'`'s blur is `r{round}b_blur`).
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const plain = chapterCnn({ pooling: 'max', seed: 1 });
 * const antiAliased = chapterCnn({ pooling: 'maxblur', seed: 1 });
 * ```
 */
export function chapterCnn(options: ChapterCnnOptions = {}): tf.LayersModel {
  const fn = 'chapterCnn';
  assertOptions(fn, options, OPTION_KEYS);
  const { pooling = 'max', inputShape = [24, 24, 3], classes = 10, width = 16, name, seed } = options;
  assertOneOf(fn, 'pooling', pooling, CNN_POOLINGS);
  assertInputShape(fn, inputShape);
  assertPositiveInt(fn, 'classes', classes);
  assertPositiveInt(fn, 'width', width);
  assertOptionalName(fn, 'name', name);
  assertOptionalSeed(fn, 'seed', seed);
  const nextSeed = seedSequence(seed);
  const modelName = name ?? `cnn_${pooling}`;

  const input = tf.input({ shape: [...inputShape], name: `${modelName}_input` });
  let x = input;
  let inChannels = inputShape[2];
  for (let round = 0; round < ROUNDS; round++) {
    const subsamples = round < ROUNDS - 1;
    x = convBnRelu(x, width, inChannels, 1, `r${round}a`, nextSeed);
    inChannels = width;
    if (subsamples && pooling === 'strided') {
      x = convBnRelu(x, width, inChannels, 2, `r${round}b`, nextSeed);
    } else if (subsamples && pooling === 'aastrided') {
      // A biased conv with PyTorch's initialisation, like the strided conv it replaces.
      x = antiAliasedConv2d(x, {
        filters: width,
        strides: 2,
        blurPadding: 'same',
        useBias: true,
        kernelInitializer: torchKernelInitializer(nextSeed()),
        biasInitializer: torchBiasInitializer(9 * inChannels, nextSeed()),
        name: `r${round}b`,
      });
    } else {
      x = convBnRelu(x, width, inChannels, 1, `r${round}b`, nextSeed);
      if (subsamples) x = subsample(x, pooling, `pool${round}`);
    }
  }
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const fanIn = flat.shape[1] as number;
  const logits = tf.layers
    .dense({
      units: classes,
      kernelInitializer: torchKernelInitializer(nextSeed()),
      biasInitializer: torchBiasInitializer(fanIn, nextSeed()),
      name: 'logits',
    })
    .apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: modelName });
}

/** The chapter's `cnnLayer`: 3×3 conv (PyTorch padding 1) → BN → ReLU. */
function convBnRelu(
  x: tf.SymbolicTensor,
  filters: number,
  inChannels: number,
  strides: number,
  name: string,
  nextSeed: SeedSequence,
): tf.SymbolicTensor {
  // tfjs 'same' pads symmetrically at stride 1, but at stride 2 on even sizes it pads 0 before and
  // 1 after, shifting the grid against PyTorch's padding 1: strided convs pad explicitly.
  let y = x;
  if (strides > 1) y = tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: `${name}_pad` }).apply(y) as tf.SymbolicTensor;
  y = tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: strides > 1 ? 'valid' : 'same',
      kernelInitializer: torchKernelInitializer(nextSeed()),
      biasInitializer: torchBiasInitializer(9 * inChannels, nextSeed()),
      name: `${name}_conv`,
    })
    .apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
}

/** The weightless subsampling layer of `pooling` (not `'strided'` or `'aastrided'`, which change the conv). */
function subsample(x: tf.SymbolicTensor, pooling: CnnPooling, name: string): tf.SymbolicTensor {
  const layer =
    pooling === 'max'
      ? tf.layers.maxPooling2d({ poolSize: 2, name })
      : pooling === 'maxblur'
        ? new MaxBlurPool2D({ poolSize: 2, name })
        : pooling === 'avg'
          ? tf.layers.averagePooling2d({ poolSize: 2, name })
          : new BlurPool({ kernelSize: 3, stride: 2, padding: 'same', name });
  return layer.apply(x) as tf.SymbolicTensor;
}

function assertInputShape(fn: string, shape: unknown): asserts shape is readonly [number, number, number] {
  const ok = Array.isArray(shape) && shape.length === 3 && shape.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1);
  if (!ok) fail(fn, 'inputShape', shape, '[H, W, C] (channels-last, positive integers)');
}
