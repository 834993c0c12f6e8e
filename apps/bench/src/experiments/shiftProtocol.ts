import { shiftedCrops } from '@aa/cifar-data';
import * as tf from '@tensorflow/tfjs';

import { nonNegativeInt } from '../config';
import { cropGrid } from '../report/grid';
import { encodePng } from '../report/png';
import { lineChart } from '../report/charts';
import { accuracyFigure, runsCsv, trainAll, type ModelSummary, type TrainingRecord } from './training';
import type { ExperimentContext, ExperimentOption, ExperimentOutput, Figure, ModelSpec } from './types';

/** A shift-protocol experiment as stored: a training record plus the test image of the crop figures. */
export interface ShiftRecord extends TrainingRecord {
  image: { id: number; label: number; className: string };
}

/** `--image-id`: the test image of the crop grid and the probability-per-shift plot. */
export const IMAGE_ID_OPTION: ExperimentOption = {
  flags: '--image-id <n>',
  description: 'test image of the crop grid and probability-per-shift plot (the chapter uses 213)',
  parse: nonNegativeInt('--image-id'),
  default: 213,
};

/**
 * The chapter's shift protocol (section 14.1.1 and exercise 1) for `specs`: train on random 24×24 crops, test on
 * centre crops, then score all 64 crops of every test image. Figures: accuracy per epoch, the correct-class
 * probability over the 64 crops of one test image, and (with `grids`) each model's 8×8 crop grid.
 */
export async function runShiftProtocol(
  ctx: ExperimentContext,
  o: { key: string; title: string; description: string; specs: ModelSpec[]; grids: boolean },
): Promise<ExperimentOutput<ShiftRecord>> {
  const fullTest = ctx.data.fullTest;
  const id = Math.min(ctx.options.imageId as number, fullTest.count - 1);
  const label = fullTest.labels[id] as number;
  const className = ctx.data.classNames[label] ?? String(label);
  const models = await trainAll(ctx, o.specs);
  const first = (m: ModelSummary) => m.runs[0]?.shift?.imageProbabilities ?? [];
  const figures: Figure[] = [
    await accuracyFigure(`${o.key}-accuracy.svg`, 'Test accuracy (centre crops) per epoch', models, 'epoch'),
    {
      file: `${o.key}-probability.svg`,
      content: await lineChart({
        title: `P(${className}) per shift, test image ${id}`,
        xLabel: 'crop index (top·8 + left)',
        yLabel: `P(${className})`,
        yDomain: [0, 1],
        series: models.map((m) => ({ name: m.label, points: first(m).map((p, i) => [i, p] as [number, number]) })),
        integerX: true,
      }),
      caption: `probability of the correct class for each of the 64 crops of test image ${id} (seed ${ctx.plan.seeds[0]})`,
      width: 560,
    },
  ];
  if (o.grids) {
    const crops = tf.tidy(() => Float32Array.from(shiftedCrops(fullTest, id, { size: 24, shifts: 8 }).dataSync()));
    for (const m of models) {
      const grid = cropGrid(crops, first(m));
      figures.push({
        file: `${o.key}-grid-${m.key}.png`,
        content: encodePng(grid),
        caption: `${m.label}: the 64 crops of test image ${id} with P(${className}) (blue: P ≥ 0.5, vermillion: below)`,
        width: grid.width,
      });
    }
  }
  return {
    record: {
      title: o.title,
      description: o.description,
      dataset: ctx.cifar10.name,
      plan: ctx.plan,
      models,
      csv: `${o.key}.csv`,
      image: { id, label, className },
      notes: [],
    },
    figures,
    files: [{ file: `${o.key}.csv`, content: runsCsv(models) }],
  };
}

const mean = (m: ModelSummary, f: (x: NonNullable<ModelSummary['runs'][number]['shift']>['metrics']) => number) =>
  m.runs.reduce((s, r) => s + (r.shift ? f(r.shift.metrics) : 0), 0) / m.runs.length;

/** Exercise 1's columns; a model that did not learn gets none (its "stability" would mean nothing). */
export const SHIFT_COLUMNS = {
  header: ['median std of P(correct) over shifts', 'agreement with centre crop', 'accuracy over all shifts', 'consistency (two random shifts agree)'],
  cells: (m: ModelSummary): string[] =>
    m.learned
      ? [
          mean(m, (s) => s.medianStd).toFixed(4),
          `${(mean(m, (s) => s.agreement) * 100).toFixed(2)}%`,
          `${(mean(m, (s) => s.accuracyAllShifts) * 100).toFixed(2)}%`,
          `${(mean(m, (s) => s.consistency) * 100).toFixed(2)}%`,
        ]
      : ['did not learn', 'did not learn', 'did not learn', 'did not learn'],
};
