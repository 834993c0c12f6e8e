import { BlurPool } from '@aa/blur';
import type { Downsample } from '@aa/rezero';
import type * as tf from '@tensorflow/tfjs';

import { resnetSpec } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type TrainingRecord } from './training';
import type { Experiment } from './types';

const TITLE = 'Exercise 5: anti-aliased strided convolutions in the ReZero ResNet';

/**
 * Exercise 5's downsampler for @aa/rezero's `downsample` hook: a 3-tap binomial blur at the block's stride, after
 * which the block's convolution runs at stride 1 — Zhang's anti-aliased strided convolution. Zero padding, as the
 * chapter's `BlurLayer` pads.
 */
export const blurDownsample: Downsample = (x, info) =>
  new BlurPool({ kernelSize: 3, stride: info.stride, padding: 'same', name: info.name }).apply(x) as tf.SymbolicTensor;

/** Exercise 5: the ReZero ResNet whose three stride-2 blocks blur-pool before convolving. */
export const exercise5: Experiment<TrainingRecord> = {
  key: 'exercise5',
  command: 'exercises',
  exercise: 5,
  title: TITLE,
  summary: "the ReZero ResNet with blur-pooled strides through @aa/rezero's downsample hook",
  trains: true,
  models: () => [resnetSpec(true, 'rezero_aa', 'ReZero, anti-aliased strides', { downsample: blurDownsample, workload: { resnet: 1.1 } })],
  run: async (ctx) => {
    const models = await trainAll(ctx, exercise5.models());
    const reference = ((ctx.previous.residual as TrainingRecord | undefined)?.models ?? []).filter((m) => m.key === 'rezero');
    return {
      record: {
        title: TITLE,
        description:
          "The ReZero ResNet whose three stride-2 blocks blur-pool (3-tap binomial at stride 2) before convolving at stride 1, through @aa/rezero's " +
          'downsample hook; plotted with the plain ReZero ResNet of the residual experiment when the run has it.',
        dataset: ctx.cifar10.name,
        plan: ctx.plan,
        models,
        csv: 'exercise5.csv',
        notes: [],
      },
      figures: [await accuracyFigure('exercise5-accuracy.svg', 'Exercise 5: test accuracy per epoch', [...reference, ...models], 'epoch')],
      files: [{ file: 'exercise5.csv', content: runsCsv(models) }],
    };
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'exercise5')),
};
