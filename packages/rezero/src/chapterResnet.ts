import type * as tf from '@tensorflow/tfjs';

import type { Downsample } from './blockParts';
import { buildResnet, resolveResNetOptions } from './resnet';
import { assertOptions } from './validate';

/** Options of {@link chapterResnet}. */
export interface ChapterResNetOptions {
  /** `true` (default): ReZero blocks; `false`: plain residual blocks (the chapter compares both). */
  rezero?: boolean;
  /** Same-shape blocks after each stage's first block: 6 in the chapter (28 blocks), 18 in exercise 4. Default 6. */
  blocksPerStage?: number;
  /** Number of classes (10 for CIFAR-10, 100 for CIFAR-100). Default 10. */
  classes?: number;
  /** Shape of one image, channels-last `[H, W, C]`. Default `[32, 32, 3]` (the chapter also trains on 24×24 crops). */
  inputShape?: readonly (number | null)[];
  /** Channels of the first stage, the chapter's `h`. Default 16. */
  width?: number;
  /**
   * Replaces the subsampling of the three stride-2 blocks, e.g. with a blur pool (exercise 5); see
   * {@link Downsample}. Default: strided convolutions, as in the chapter.
   */
  downsample?: Downsample;
  /** Seed of the weight initialisation (see `resnet`). Default: unseeded. */
  seed?: number;
  /** Model name. Default `'rezero_resnet'` or `'plain_resnet'`. */
  name?: string;
}

/** Every option of {@link chapterResnet} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  rezero: true,
  blocksPerStage: true,
  classes: true,
  inputShape: true,
  width: true,
  downsample: true,
  seed: true,
  name: true,
} satisfies Record<keyof ChapterResNetOptions, true>);

/**
 * The chapter's 28-block CIFAR ResNet with the chapter's settings as defaults: `resnet` with 32×32
 * RGB input, 10 classes, width 16, 6 blocks per stage, 3×3 convolutions, ReLU and ReZero gates
 * starting at 0. It has PyTorch's parameter counts: 1,181,222 trainable with ReZero, 1,181,194 plain.
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const rezeroNet = chapterResnet({ seed: 0 });
 * const plainNet = chapterResnet({ rezero: false, inputShape: [24, 24, 3], seed: 0 });
 * ```
 */
export function chapterResnet(options: ChapterResNetOptions = {}): tf.LayersModel {
  const fn = 'chapterResnet';
  assertOptions(fn, options, true, OPTION_KEYS);
  const { rezero = true, classes = 10, inputShape = [32, 32, 3] } = options;
  const name = options.name ?? (rezero === false ? 'plain_resnet' : 'rezero_resnet');
  return buildResnet(resolveResNetOptions(fn, { ...options, rezero, classes, inputShape, name }));
}
