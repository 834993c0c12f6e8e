import { chapterCnn, type CnnPooling } from '@aa/blur';
import { chapterResnet, type Downsample } from '@aa/rezero';

import { CROP_TEST, CROP_TRAIN } from '../training/trainModel';
import type { ModelSpec } from './types';

/** The chapter's protocol for every model: random 24×24 crops to train, the centre crop to test. */
export const CHAPTER_CROPS = { trainTransform: CROP_TRAIN, testTransform: CROP_TEST } as const;

/** The chapter's 24×24 RGB inputs. */
export const INPUT_24 = [24, 24, 3] as const;

/** The chapter's small CNN with the given subsampling (18,010 parameters). */
export function cnnSpec(pooling: CnnPooling, key: string, label: string, shift = false): ModelSpec {
  return { key, label, build: (seed) => chapterCnn({ pooling, seed }), workload: { cnn: 1 }, shift, ...CHAPTER_CROPS };
}

/** The chapter's 28-block ResNet, ReZero or plain; `downsample` replaces its strided convolutions (exercise 5). */
export function resnetSpec(
  rezero: boolean,
  key: string,
  label: string,
  o: { downsample?: Downsample; mixupAlpha?: number; workload?: ModelSpec['workload'] } = {},
): ModelSpec {
  return {
    key,
    label,
    build: (seed) => chapterResnet({ rezero, inputShape: INPUT_24, downsample: o.downsample, seed }),
    workload: o.workload ?? { resnet: 1 },
    mixupAlpha: o.mixupAlpha,
    ...CHAPTER_CROPS,
  };
}
