import { antiAliasedConv2d, BlurPool, MaxBlurPool2D } from '@aa/blur';
import * as tf from '@tensorflow/tfjs';

import { torchBatchNorm, torchBias, torchKernel } from './init';

/**
 * How the chapter's small CNN subsamples between its conv rounds:
 * - `max`: 2×2 max pooling (the chapter's plain CNN);
 * - `maxblur`: max pooling at stride 1, then a binomial blur at stride 2 (the chapter's anti-aliased CNN, `MaxBlurPool2D`);
 * - `avg`: 2×2 average pooling (exercise 2's baseline);
 * - `blurpool`: a binomial blur at stride 2 instead of average pooling (exercise 2);
 * - `strided`: the round's last convolution at stride 2 (exercise 2's baseline);
 * - `aastrided`: that convolution at stride 1, BN, ReLU, then a blur at stride 2 (`antiAliasedConv2d`, exercise 2).
 * The blurs pad with zeros like the chapter's `BlurLayer` (see `blurDownsample` for why not `'reflect'`).
 */
export type CnnPooling = 'max' | 'maxblur' | 'avg' | 'blurpool' | 'strided' | 'aastrided';

/** Every {@link CnnPooling}. */
export const CNN_POOLINGS: readonly CnnPooling[] = ['max', 'maxblur', 'avg', 'blurpool', 'strided', 'aastrided'];

/** Options of {@link chapterCnn}. */
export interface ChapterCnnOptions {
  /** Subsampling between rounds. Default `'max'`. */
  pooling?: CnnPooling;
  /** Input `[H, W, C]`; default the chapter's 24×24 crops, `[24, 24, 3]`. */
  inputShape?: readonly [number, number, number];
  /** Classes. Default 10. */
  classes?: number;
  /** Channels of every conv layer (the chapter's `h`). Default 16. */
  width?: number;
  /** Model name. Default `cnn_<pooling>`. */
  name?: string;
}

function convBnRelu(x: tf.SymbolicTensor, filters: number, inChannels: number, strides: number, name: string): tf.SymbolicTensor {
  // PyTorch pads k//2 = 1 on both sides; tfjs 'same' pads symmetrically for odd kernels at stride 1, and at stride 2
  // on even sizes pads 0 before / 1 after, so strided convs pad explicitly.
  let y = x;
  if (strides > 1) y = tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: `${name}_pad` }).apply(y) as tf.SymbolicTensor;
  y = tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: strides > 1 ? 'valid' : 'same',
      kernelInitializer: torchKernel(),
      biasInitializer: torchBias(9 * inChannels),
      name: `${name}_conv`,
    })
    .apply(y) as tf.SymbolicTensor;
  y = torchBatchNorm(`${name}_bn`).apply(y) as tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
}

/**
 * The chapter's small CNN: (3×3 'same' conv → BN → ReLU) ×2, pool, ×2, pool, ×2, flatten, dense. With the
 * defaults and `max` or `maxblur` pooling it has 18,010 trainable parameters, as in PyTorch.
 * @returns a model mapping `[B, 24, 24, 3]` images to `[B, classes]` logits.
 */
export function chapterCnn({ pooling = 'max', inputShape = [24, 24, 3], classes = 10, width = 16, name }: ChapterCnnOptions = {}): tf.LayersModel {
  if (!CNN_POOLINGS.includes(pooling)) throw new Error(`chapterCnn: pooling must be one of ${CNN_POOLINGS.join(', ')}, got '${String(pooling)}'.`);
  const modelName = name ?? `cnn_${pooling}`;
  const input = tf.input({ shape: [...inputShape], name: `${modelName}_input` });
  let x = input;
  let inCh = inputShape[2];
  for (let round = 0; round < 3; round++) {
    const pools = round < 2;
    x = convBnRelu(x, width, inCh, 1, `r${round}a`);
    inCh = width;
    if (pools && pooling === 'strided') {
      x = convBnRelu(x, width, inCh, 2, `r${round}b`);
      continue;
    }
    if (pools && pooling === 'aastrided') {
      // A biased conv with PyTorch's init, like the strided conv it replaces (and nn.Conv2d's default bias=True).
      x = antiAliasedConv2d(x, {
        filters: width,
        strides: 2,
        blurPadding: 'same',
        useBias: true,
        kernelInitializer: torchKernel(),
        biasInitializer: torchBias(9 * inCh),
        name: `r${round}b`,
      });
      continue;
    }
    x = convBnRelu(x, width, inCh, 1, `r${round}b`);
    if (!pools) break;
    if (pooling === 'max') x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${round}` }).apply(x) as tf.SymbolicTensor;
    else if (pooling === 'maxblur') x = new MaxBlurPool2D({ poolSize: 2, name: `pool${round}` }).apply(x) as tf.SymbolicTensor;
    else if (pooling === 'avg') x = tf.layers.averagePooling2d({ poolSize: 2, name: `pool${round}` }).apply(x) as tf.SymbolicTensor;
    else x = new BlurPool({ kernelSize: 3, stride: 2, padding: 'same', name: `pool${round}` }).apply(x) as tf.SymbolicTensor;
  }
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const fanIn = flat.shape[1] as number;
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: torchKernel(), biasInitializer: torchBias(fanIn), name: 'logits' })
    .apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: modelName });
}
