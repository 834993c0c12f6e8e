import { bottleneckResnet, denseResidualNet } from '@aa/rezero';

import { CHAPTER_CROPS, INPUT_24 } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type TrainingRecord } from './training';
import type { Experiment, ModelSpec } from './types';

const TITLE = 'Exercise 3: bottleneck and fully connected residual blocks';

function specs(classes: number): ModelSpec[] {
  const cost = { bottleneck: { resnet: 0.7 }, dense: { cnn: 0.35 } };
  return [
    { key: 'bottleneck_plain', label: 'bottleneck, plain', build: (seed) => bottleneckResnet({ rezero: false, classes, inputShape: INPUT_24, seed }), workload: cost.bottleneck, classes, ...CHAPTER_CROPS },
    { key: 'bottleneck_rezero', label: 'bottleneck, ReZero', build: (seed) => bottleneckResnet({ rezero: true, classes, inputShape: INPUT_24, seed }), workload: cost.bottleneck, classes, ...CHAPTER_CROPS },
    { key: 'dense_plain', label: 'fully connected, plain', build: (seed) => denseResidualNet({ rezero: false, classes, inputShape: INPUT_24, seed }), workload: cost.dense, classes, ...CHAPTER_CROPS },
    { key: 'dense_rezero', label: 'fully connected, ReZero', build: (seed) => denseResidualNet({ rezero: true, classes, inputShape: INPUT_24, seed }), workload: cost.dense, classes, ...CHAPTER_CROPS },
  ];
}

/** Exercise 3: ReZero versions of the bottleneck block and of a fully connected residual block, on CIFAR-100 when available. */
export const exercise3: Experiment<TrainingRecord> = {
  key: 'exercise3',
  command: 'exercises',
  exercise: 3,
  title: TITLE,
  summary: 'bottleneck and fully connected residual blocks, ReZero vs plain (CIFAR-100 when available)',
  trains: true,
  models: () => specs(100),
  run: async (ctx) => {
    const c100 = await ctx.cifar100();
    const data = c100 ?? ctx.cifar10;
    const models = await trainAll(ctx, specs(data.classes), data);
    return {
      record: {
        title: TITLE,
        description: 'Bottleneck residual blocks (1×1–3×3–1×1) and fully connected residual blocks, each with ReZero and plain connections.',
        dataset: data.name,
        plan: ctx.plan,
        models,
        csv: 'exercise3.csv',
        notes: c100 ? [] : [`CIFAR-100 is not available to this run, so the exercise ran on ${ctx.cifar10.name} instead.`],
      },
      figures: [await accuracyFigure('exercise3-accuracy.svg', 'Exercise 3: test accuracy per epoch', models, 'epoch')],
      files: [{ file: 'exercise3.csv', content: runsCsv(models) }],
    };
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'exercise3')),
};
