import { accuracyClaim, CHAPTER_EPOCHS } from '../claims/claims';
import { cnnSpec, resnetSpec } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type TrainingRecord } from './training';
import type { Experiment } from './types';

const TITLE = 'Residual connections: CNN vs ResNet vs ReZero';

/** Section 14.2: the plain CNN, the 28-block ResNet and the same ResNet with ReZero connections. */
export const residual: Experiment<TrainingRecord> = {
  key: 'residual',
  command: 'residual',
  title: TITLE,
  summary: 'plain CNN vs ResNet vs ReZero ResNet (28 blocks)',
  trains: true,
  models: () => [cnnSpec('max', 'cnn', 'plain CNN'), resnetSpec(false, 'resnet', 'ResNet'), resnetSpec(true, 'rezero', 'ResNet ReZero')],
  run: async (ctx) => {
    const models = await trainAll(ctx, residual.models());
    return {
      record: {
        title: TITLE,
        description:
          'Section 14.2: the plain CNN, the 28-block ResNet (1,181,194 parameters) and the same network with ReZero connections ' +
          '(1,181,222: one α per block, starting at 0), trained the same way.',
        dataset: ctx.cifar10.name,
        plan: ctx.plan,
        models,
        csv: 'residual.csv',
        notes: [],
      },
      figures: [
        await accuracyFigure('residual-accuracy.svg', 'Residual: test accuracy per epoch', models, 'epoch'),
        await accuracyFigure('residual-time.svg', 'Residual: test accuracy per training second', models, 'time'),
      ],
      files: [{ file: 'residual.csv', content: runsCsv(models) }],
    };
  },
  claims: (r) => [
    accuracyClaim({
      id: 'rezero-beats-resnet',
      finding: 'ReZero beats ordinary residual connections',
      statement: 'The ReZero ResNet is more accurate than the same ResNet with ordinary residual connections, trained the same way (section 14.2).',
      experiment: 'residual',
      better: r.models.find((m) => m.key === 'rezero')?.runs ?? [],
      worse: r.models.find((m) => m.key === 'resnet')?.runs ?? [],
      adequate: r.plan.epochs >= CHAPTER_EPOCHS,
    }),
  ],
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'residual')),
};
