import * as tf from '@tensorflow/tfjs';

import type { Downsample } from './blockParts';
import { residualBlock } from './residualBlock';
import type { SeedSequence } from './seeds';
import { torchBiasInitializer, torchKernelInitializer } from './torchInit';
import type { Activation } from './validate';

/**
 * The structure of the chapter's ResNet, shared by `resnet` and `segmentedResnet` (internal), so the
 * two networks cannot drift apart.
 */

/** One stage: its channels and the stride of its first block. */
export interface Stage {
  channels: number;
  stride: number;
}

/** The chapter's four stages for a first-stage width `h`: h, 2h, 4h, 4h channels, the last three starting at stride 2. */
export function chapterStages(width: number): Stage[] {
  return [
    { channels: width, stride: 1 },
    { channels: 2 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
  ];
}

/** What every block of the network shares. */
export interface StageSettings {
  blocksPerStage: number;
  rezero: boolean;
  initialAlpha: number;
  kernelSize: number;
  activation: Activation;
  downsample: Downsample | undefined;
}

/**
 * One stage on `x`: a first block with the stage's stride (and a projection shortcut when the
 * shape changes), then `blocksPerStage` same-shape blocks, named `block${firstIndex}`, ... Each
 * block takes the next seed of `nextSeed`.
 */
export function buildStage(
  x: tf.SymbolicTensor,
  stage: Stage,
  settings: StageSettings,
  firstIndex: number,
  nextSeed: SeedSequence,
): tf.SymbolicTensor {
  const { blocksPerStage, rezero, initialAlpha, kernelSize, activation, downsample } = settings;
  let y = x;
  for (let i = 0; i <= blocksPerStage; i++) {
    y = residualBlock(y, {
      channels: stage.channels,
      stride: i === 0 ? stage.stride : 1,
      kernelSize,
      activation,
      rezero,
      initialAlpha,
      downsample,
      name: `block${firstIndex + i}`,
      seed: nextSeed(),
    });
  }
  return y;
}

/** The head: global average pooling (`pool`) and a dense layer to `classes` logits (`logits`), initialised as PyTorch's `nn.Linear`. */
export function buildHead(x: tf.SymbolicTensor, classes: number, nextSeed: SeedSequence): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const fanIn = pooled.shape[1] as number;
  return tf.layers
    .dense({
      units: classes,
      kernelInitializer: torchKernelInitializer(nextSeed()),
      biasInitializer: torchBiasInitializer(fanIn, nextSeed()),
      name: 'logits',
    })
    .apply(pooled) as tf.SymbolicTensor;
}
