import { accuracyClaim, CHAPTER_EPOCHS } from '../claims/claims';
import { betaCurves } from '../figures/beta';
import { lineChart } from '../report/charts';
import { resnetSpec } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type ModelSummary, type TrainingRecord } from './training';
import type { Experiment } from './types';

const TITLE = 'MixUp';

/** The chapter's MixUp α. */
export const MIXUP_ALPHA = 0.25;

function residualModels(results: { experiments: Record<string, unknown> }): ModelSummary[] {
  return ((results.experiments.residual as TrainingRecord | undefined)?.models ?? []).filter((m) => m.key !== 'cnn');
}

/** Section 14.3: the ReZero ResNet trained with MixUp, against the residual experiment's ReZero ResNet. */
export const mixup: Experiment<TrainingRecord> = {
  key: 'mixup',
  command: 'mixup',
  title: TITLE,
  summary: 'Beta(a, a) densities; the ReZero ResNet trained with MixUp (alpha 0.25), against the residual experiment',
  trains: true,
  models: () => [resnetSpec(true, 'rezero_mixup', 'ResNet ReZero + MixUp', { mixupAlpha: MIXUP_ALPHA })],
  run: async (ctx) => {
    const models = await trainAll(ctx, mixup.models());
    const compared = [...residualModels({ experiments: ctx.previous }), ...models];
    const curves = betaCurves();
    return {
      record: {
        title: TITLE,
        description:
          `Section 14.3: the ReZero ResNet trained with MixUp (α = ${MIXUP_ALPHA}, one λ ~ Beta(α, α) per batch, the chapter's collator), ` +
          'plotted with the ResNets of the residual experiment when the run has them, per epoch and per second of training.',
        dataset: ctx.cifar10.name,
        plan: ctx.plan,
        models,
        csv: 'mixup.csv',
        notes: residualModels({ experiments: ctx.previous }).length ? [] : ['The residual experiment did not run in this run, so there is no ReZero ResNet without MixUp to compare with: run `aa-bench chapter` (or `residual` and `mixup` into the same --out).'],
      },
      figures: [
        {
          file: 'mixup-beta.svg',
          content: await lineChart({
            title: 'Beta(α, α): the distribution of the MixUp weight λ',
            xLabel: 'λ',
            yLabel: 'density',
            yDomain: [0, 4],
            markers: false,
            series: curves.map((c) => ({ name: `α = ${c.alpha}`, points: c.points.filter(([, y]) => y <= 4) })),
          }),
          caption: 'Beta(α, α) densities for α = 0.1, 0.2, 0.3, 0.4 (figure 14.6)',
          width: 560,
        },
        await accuracyFigure('mixup-accuracy.svg', 'MixUp: test accuracy per epoch', compared, 'epoch'),
        await accuracyFigure('mixup-time.svg', 'MixUp: test accuracy per training second', compared, 'time'),
      ],
      files: [{ file: 'mixup.csv', content: runsCsv(models) }],
    };
  },
  claims: (r, results) => {
    const rezero = residualModels(results).find((m) => m.key === 'rezero');
    const residualPlan = (results.experiments.residual as TrainingRecord | undefined)?.plan;
    const epochs = Math.min(r.plan.epochs, residualPlan?.epochs ?? r.plan.epochs);
    return [
      accuracyClaim({
        id: 'mixup-beats-rezero',
        finding: 'MixUp raises the ReZero ResNet\'s accuracy',
        statement: 'Training the ReZero ResNet with MixUp makes it more accurate (section 14.3); the chapter says the benefit shows with long training.',
        experiment: 'mixup',
        better: r.models[0]?.runs ?? [],
        worse: residualPlan && residualPlan.epochs === r.plan.epochs ? (rezero?.runs ?? []) : [],
        adequate: epochs >= CHAPTER_EPOCHS,
        tooShort: epochs < CHAPTER_EPOCHS ? `the run is too short to test it: ${epochs} epochs, where the chapter trains ${CHAPTER_EPOCHS} and says MixUp's benefit needs long training` : undefined,
      }),
    ];
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'mixup')),
};
