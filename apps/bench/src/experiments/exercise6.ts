import type * as tf from '@tensorflow/tfjs';

import { segmentedResnet } from '@aa/rezero';

import { manifoldStep } from '../training/manifoldStep';
import { CHAPTER_CROPS, INPUT_24 } from './chapterModels';
import { accuracyFigure, runsCsv, trainAll, trainingSection, type ModelSummary, type TrainingRecord } from './training';
import type { Experiment, ModelSpec } from './types';

const TITLE = 'Exercise 6: Manifold MixUp';

/** The segments of each model built here, for its training step. */
const SEGMENTS = new WeakMap<tf.LayersModel, tf.LayersModel[]>();

function spec(classes: number): ModelSpec {
  return {
    key: `manifold_${classes}`,
    label: `ReZero + Manifold MixUp (${classes} classes)`,
    build: (seed) => {
      const { model, segments } = segmentedResnet({ classes, inputShape: INPUT_24, seed });
      SEGMENTS.set(model, segments);
      return model;
    },
    step: (model) => manifoldStep(SEGMENTS.get(model) ?? []),
    workload: { resnet: 1.2 },
    classes,
    ...CHAPTER_CROPS,
  };
}

/** Exercise 6: Manifold MixUp on the ReZero ResNet, on CIFAR-10 and (when available) CIFAR-100. */
export const exercise6: Experiment<TrainingRecord> = {
  key: 'exercise6',
  command: 'exercises',
  exercise: 6,
  title: TITLE,
  summary: 'Manifold MixUp (alpha 2) on the ReZero ResNet, CIFAR-10 and CIFAR-100',
  trains: true,
  models: () => [spec(10), spec(100)],
  run: async (ctx) => {
    const c100 = await ctx.cifar100();
    const models: ModelSummary[] = [...(await trainAll(ctx, [spec(10)]))];
    if (c100) models.push(...(await trainAll(ctx, [spec(100)], c100)));
    return {
      record: {
        title: TITLE,
        description: "Manifold MixUp (α = 2): each batch is mixed at the input or after one of the ResNet's four stages, picked at random.",
        dataset: c100 ? `${ctx.cifar10.name} and ${c100.name}` : ctx.cifar10.name,
        plan: ctx.plan,
        models,
        csv: 'exercise6.csv',
        notes: c100 ? [] : ['CIFAR-100 is not available to this run, so only the CIFAR-10 part ran.'],
      },
      figures: [await accuracyFigure('exercise6-accuracy.svg', 'Exercise 6: test accuracy per epoch', models, 'epoch')],
      files: [{ file: 'exercise6.csv', content: runsCsv(models) }],
    };
  },
  section: (r, results) => trainingSection(r, results.claims.filter((c) => c.experiment === 'exercise6')),
};
