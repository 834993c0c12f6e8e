import { accuracyClaim, CHAPTER_EPOCHS } from '../claims/claims';
import { chapterResnet } from '@aa/rezero';

import { CHAPTER_CROPS, INPUT_24 } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type TrainingRecord } from './training';
import type { Experiment, ModelSpec } from './types';

const TITLE = 'Exercise 4: 18 blocks per stage';

const deep = (rezero: boolean, key: string, label: string): ModelSpec => ({
  key,
  label,
  build: (seed) => chapterResnet({ rezero, blocksPerStage: 18, inputShape: INPUT_24, seed }),
  workload: { resnet: 2.6 },
  ...CHAPTER_CROPS,
});

/** Exercise 4: the ResNet with 18 same-shape blocks per stage, ReZero against plain. */
export const exercise4: Experiment<TrainingRecord> = {
  key: 'exercise4',
  command: 'exercises',
  exercise: 4,
  title: TITLE,
  summary: 'the ResNet with 18 blocks per stage (76 blocks), ReZero vs plain',
  trains: true,
  models: () => [deep(false, 'deep_plain', 'ResNet, 18 blocks/stage'), deep(true, 'deep_rezero', 'ReZero, 18 blocks/stage')],
  run: async (ctx) => {
    const models = await trainAll(ctx, exercise4.models());
    return {
      record: {
        title: TITLE,
        description: 'The ResNet with 18 same-shape blocks per stage (76 blocks), ReZero vs plain: ReZero should keep training the deeper network easy.',
        dataset: ctx.cifar10.name,
        plan: ctx.plan,
        models,
        csv: 'exercise4.csv',
        notes: [],
      },
      figures: [
        await accuracyFigure('exercise4-accuracy.svg', 'Exercise 4: test accuracy per epoch', models, 'epoch'),
        await accuracyFigure('exercise4-time.svg', 'Exercise 4: test accuracy per training second', models, 'time'),
      ],
      files: [{ file: 'exercise4.csv', content: runsCsv(models) }],
    };
  },
  claims: (r) => [
    accuracyClaim({
      id: 'ex4-rezero-beats-deep-resnet',
      finding: 'ReZero trains the 76-block ResNet better (exercise 4)',
      statement: 'With 18 blocks per stage, the ReZero ResNet is more accurate than the plain one (exercise 4).',
      experiment: 'exercise4',
      better: r.models.find((m) => m.key === 'deep_rezero')?.runs ?? [],
      worse: r.models.find((m) => m.key === 'deep_plain')?.runs ?? [],
      adequate: r.plan.epochs >= CHAPTER_EPOCHS,
    }),
  ],
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'exercise4')),
};
