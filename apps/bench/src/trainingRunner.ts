import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { recordsToCsv, type EpochRecord } from '@aa/train-loop';

import type { TrainSettings } from './config';
import { subset, tryCifar100, type BenchData, type DataRequest } from './data';
import { betaCurves } from './experiments/beta';
import {
  exercise3Models,
  exercise4Models,
  exercise5Models,
  exercise6Models,
  mixupModels,
  residualModels,
  runComparison,
  type ComparedModel,
} from './experiments/compare';
import { runShift, shiftModels, type ShiftResult } from './experiments/shift';
import type { TrainRunSettings } from './experiments/training';
import { cropGrid } from './report/grid';
import { encodePng } from './report/png';
import type { FigureRecord, ModelRecord, Results, TrainingKey, TrainingRecord } from './report/results';
import { lineChart } from './report/svg';
import type { Log } from './runner';

/** Size of the shipped sample. */
const SAMPLE = { train: 1000, test: 500 };

/** The loaded data of a run, subsets drawn. */
export interface RunData {
  cifar10: BenchData;
  train: BenchData['train'];
  test: BenchData['test'];
  request: DataRequest;
}

/** Draws the subsets and records them in `results.data`. */
export function prepareData(cifar10: BenchData, request: DataRequest, settings: TrainSettings, results: Results, log: Log): RunData {
  const trainSize = Math.min(settings.trainSize, cifar10.train.count);
  const testSize = Math.min(settings.testSize, cifar10.test.count);
  if (cifar10.sample && (settings.trainSize > SAMPLE.train || settings.testSize > SAMPLE.test)) {
    log(`data: the sample holds ${SAMPLE.train}/${SAMPLE.test} images; training on all of them (${settings.preset} asks for ${settings.trainSize}/${settings.testSize}).`);
  }
  results.data = {
    source: cifar10.source,
    sample: cifar10.sample,
    trainSize,
    testSize,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    preset: settings.preset,
  };
  log(`data: ${cifar10.source}${cifar10.sample ? ' (RUN ON THE SAMPLE)' : ''}; ${trainSize} train / ${testSize} test images, ${settings.epochs} epochs, batch ${settings.batchSize}`);
  return { cifar10, train: subset(cifar10.train, trainSize, settings.seed), test: subset(cifar10.test, testSize, settings.seed + 1), request };
}

function modelRecord(m: ComparedModel): ModelRecord {
  return { key: m.key, label: m.label, params: m.params, finalAccuracy: m.finalAccuracy, imagesPerSecond: m.imagesPerSecond, records: m.records };
}

/** One CSV of every model's records: the book's columns (train-loop's `recordsToCsv`) after a `model` column. */
export function combinedCsv(models: readonly { key: string; records: EpochRecord[] }[]): string {
  let header = '';
  const rows: string[] = [];
  for (const m of models) {
    const lines = recordsToCsv(m.records).trim().split('\n');
    header = `model,${lines[0] ?? ''}`;
    for (const line of lines.slice(1)) rows.push(`${m.key},${line}`);
  }
  return [header, ...rows].join('\n') + '\n';
}

function accuracyChart(title: string, models: readonly ModelRecord[], x: 'epoch' | 'time'): string {
  return lineChart({
    title,
    xLabel: x === 'epoch' ? 'epoch' : 'training time (s)',
    yLabel: 'test accuracy',
    series: models.map((m) => ({
      name: m.label,
      points: m.records.map((r) => [x === 'epoch' ? r.epoch + 1 : r.totalTime, r.testScores.Accuracy ?? Number.NaN] as [number, number]),
    })),
  });
}

interface Context {
  out: string;
  settings: TrainSettings;
  data: RunData;
  log: Log;
}

function settingsFor(ctx: Context, experiment: string): (key: string) => TrainRunSettings {
  return (key) => {
    ctx.log(`${experiment}: training ${key}`);
    return {
      epochs: ctx.settings.epochs,
      batchSize: ctx.settings.batchSize,
      seed: ctx.settings.seed,
      checkpointDir: join(ctx.out, 'checkpoints', `${experiment}-${key}`),
      resume: ctx.settings.resume,
      onEpoch: (r) =>
        ctx.log(
          `${experiment}/${key}: epoch ${r.epoch + 1}/${ctx.settings.epochs} loss ${r.trainLoss.toFixed(4)} test accuracy ` +
            `${((r.testScores.Accuracy ?? 0) * 100).toFixed(1)}% (${r.epochTime.toFixed(1)} s)`,
        ),
    };
  };
}

function writeFigure(ctx: Context, file: string, content: string | Buffer, caption: string, width: number): FigureRecord {
  writeFileSync(join(ctx.out, file), content);
  return { file, caption, width };
}

function finish(ctx: Context, key: TrainingKey, record: Omit<TrainingRecord, 'csv' | 'seconds'>, started: number): TrainingRecord {
  const csv = `${key}.csv`;
  writeFileSync(join(ctx.out, csv), combinedCsv(record.models));
  const done = { ...record, csv, seconds: (performance.now() - started) / 1000 };
  for (const m of done.models) {
    ctx.log(`${key}: ${m.label}: final test accuracy ${m.finalAccuracy === null ? 'n/a' : `${(m.finalAccuracy * 100).toFixed(2)}%`}, ${m.imagesPerSecond.toFixed(0)} img/s`);
  }
  return done;
}

function shiftRecord(ctx: Context, key: 'shift' | 'exercise2', r: ShiftResult, started: number): TrainingRecord {
  const models: ModelRecord[] = r.models.map((m) => ({ ...modelRecord(m), shift: m.metrics, imageProbabilities: m.imageProbabilities }));
  const figures: FigureRecord[] = [
    writeFigure(ctx, `${key}-accuracy.svg`, accuracyChart('Test accuracy (centre crops) per epoch', models, 'epoch'), 'test accuracy per epoch', 560),
    writeFigure(
      ctx,
      `${key}-probability.svg`,
      lineChart({
        title: `Correct-class probability per shift, test image ${r.imageId} (${r.className})`,
        xLabel: 'crop index (top·8 + left)',
        yLabel: `P(${r.className})`,
        yDomain: [0, 1],
        series: models.map((m) => ({ name: m.label, points: (m.imageProbabilities ?? []).map((p, i) => [i, p] as [number, number]) })),
      }),
      'probability of the correct class for each of the 64 crops',
      560,
    ),
  ];
  if (key === 'shift') {
    for (const m of models) {
      figures.push(
        writeFigure(ctx, `shift-grid-${m.key}.png`, encodePng(cropGrid(r.crops, m.imageProbabilities ?? [])), `${m.label}: the 64 crops of test image ${r.imageId} with P(${r.className})`, 300),
      );
    }
  }
  return finish(
    ctx,
    key,
    {
      title: key === 'shift' ? 'Shift: plain vs anti-aliased CNN' : 'Exercise 2: anti-aliased strided convolutions and blur pooling',
      description:
        key === 'shift'
          ? 'The chapter trains its small CNN with max pooling and with anti-aliased max-blur pooling on random 24×24 crops and tests on the ' +
            'centre crop. Exercise 1: every test image is cut into its 64 24×24 crops; a shift-stable model keeps the correct-class probability ' +
            'steady (low median std), predicts the centre crop\'s class on every crop (agreement) and stays accurate over all shifts.'
          : 'Exercise 2: the same protocol with strided convolutions vs anti-aliased strided convolutions (convolution at stride 1, BN, ReLU, ' +
            'then a binomial blur at stride 2), and average pooling vs blur pooling.',
      dataset: ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10',
      models,
      figures,
      image: { id: r.imageId, label: r.imageLabel, className: r.className },
      notes: [],
    },
    started,
  );
}

function comparisonRecord(
  ctx: Context,
  key: TrainingKey,
  title: string,
  description: string,
  dataset: string,
  compared: ComparedModel[],
  started: number,
  extra: { timeChart?: boolean; figures?: FigureRecord[]; notes?: string[]; more?: ModelRecord[] } = {},
): TrainingRecord {
  const models = compared.map(modelRecord);
  const plotted = [...(extra.more ?? []), ...models];
  const figures = [...(extra.figures ?? [])];
  figures.push(writeFigure(ctx, `${key}-accuracy.svg`, accuracyChart(`${title}: test accuracy per epoch`, plotted, 'epoch'), 'test accuracy per epoch', 560));
  if (extra.timeChart) {
    figures.push(writeFigure(ctx, `${key}-time.svg`, accuracyChart(`${title}: test accuracy per training second`, plotted, 'time'), 'test accuracy against training time', 560));
  }
  return finish(ctx, key, { title, description, dataset, models, figures, notes: extra.notes ?? [] }, started);
}

/**
 * Runs the training experiments `keys` in order, writing each one's CSV and figures into `out` and recording it in
 * `results`; `save` is called after each (the CLI rewrites results.json and the report, so an interrupted run keeps
 * what finished).
 */
export async function runTrainingExperiments(
  out: string,
  keys: readonly TrainingKey[],
  settings: TrainSettings,
  data: RunData,
  results: Results,
  log: Log,
  save: () => void,
): Promise<void> {
  mkdirSync(out, { recursive: true });
  const ctx: Context = { out, settings, data, log };
  const { train, test } = data;
  let cifar100: BenchData | null | undefined;
  const hundred = async () => {
    if (cifar100 === undefined) cifar100 = data.cifar10.sample ? null : await tryCifar100(data.request, log);
    return cifar100;
  };
  for (const key of keys) {
    const started = performance.now();
    log(`== ${key}`);
    let record: TrainingRecord;
    switch (key) {
      case 'shift':
      case 'exercise2': {
        const r = await runShift(train, test, data.cifar10.test, data.cifar10.classNames, settings.imageId, settingsFor(ctx, key), shiftModels(key === 'shift' ? 'chapter' : 'exercise2'));
        record = shiftRecord(ctx, key, r, started);
        break;
      }
      case 'residual':
        record = comparisonRecord(
          ctx,
          key,
          'Residual connections: CNN vs ResNet vs ReZero',
          'Section 14.2: the plain CNN, the 28-block ResNet (1,181,194 parameters) and the same network with ReZero connections ' +
            '(1,181,222), trained the same way.',
          ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10',
          await runComparison(residualModels(), train, test, settingsFor(ctx, key)),
          started,
          { timeChart: true },
        );
        break;
      case 'mixup': {
        const curves = betaCurves();
        const beta = writeFigure(
          ctx,
          'mixup-beta.svg',
          lineChart({
            title: 'Beta(α, α): the distribution of the MixUp weight λ',
            xLabel: 'λ',
            yLabel: 'density',
            yDomain: [0, 4],
            markers: false,
            series: curves.map((c) => ({ name: `α = ${c.alpha}`, points: c.points.filter(([, y]) => y <= 4) })),
          }),
          'Beta(α, α) densities for α = 0.1, 0.2, 0.3, 0.4 (figure 14.6)',
          560,
        );
        record = comparisonRecord(
          ctx,
          key,
          'MixUp',
          'Section 14.3: the ReZero ResNet trained with MixUp (α = 0.25, one λ per batch, the chapter\'s collator), plotted with the models ' +
            'of the residual experiment when the run has them, per epoch and per second of training.',
          ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10',
          await runComparison(mixupModels(), train, test, settingsFor(ctx, key)),
          started,
          { timeChart: true, figures: [beta], more: results.experiments.residual?.models ?? [] },
        );
        break;
      }
      case 'exercise3':
      case 'exercise6': {
        const c100 = await hundred();
        const sets: { data: { train: typeof train; test: typeof test }; classes: number; name: string }[] = [];
        if (key === 'exercise6') sets.push({ data: { train, test }, classes: 10, name: ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10' });
        if (c100) {
          sets.push({ data: { train: subset(c100.train, train.count, settings.seed), test: subset(c100.test, test.count, settings.seed + 1) }, classes: 100, name: 'CIFAR-100' });
        } else if (key === 'exercise3') {
          sets.push({ data: { train, test }, classes: 10, name: `${ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10'} (CIFAR-100 unavailable)` });
        }
        const compared: ComparedModel[] = [];
        for (const set of sets) {
          const specs = key === 'exercise3' ? exercise3Models(set.classes) : exercise6Models(set.classes);
          compared.push(...(await runComparison(specs, set.data.train, set.data.test, settingsFor(ctx, `${key}-${set.classes}`))));
        }
        record = comparisonRecord(
          ctx,
          key,
          key === 'exercise3' ? 'Exercise 3: bottleneck and fully connected residual blocks' : 'Exercise 6: Manifold MixUp',
          key === 'exercise3'
            ? 'Bottleneck residual blocks (1×1–3×3–1×1) and fully connected residual blocks, each with ReZero and plain connections.'
            : 'Manifold MixUp (α = 2): each batch is mixed at the input or after one of the ResNet\'s four stages, picked at random.',
          sets.map((s) => s.name).join(' and '),
          compared,
          started,
          { notes: c100 ? [] : ['CIFAR-100 is not available to this run, so the CIFAR-100 part ran on the CIFAR-10 data instead (or was left out).'] },
        );
        break;
      }
      case 'exercise4':
        record = comparisonRecord(
          ctx,
          key,
          'Exercise 4: 18 blocks per stage',
          'The ResNet with 18 same-shape blocks per stage (76 blocks), ReZero vs plain: ReZero should keep training the deeper network easy.',
          ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10',
          await runComparison(exercise4Models(), train, test, settingsFor(ctx, key)),
          started,
          { timeChart: true },
        );
        break;
      case 'exercise5':
        record = comparisonRecord(
          ctx,
          key,
          'Exercise 5: anti-aliased strided convolutions in the ReZero ResNet',
          'The ReZero ResNet whose three stride-2 blocks blur-pool (3-tap binomial at stride 2) before convolving at stride 1, through ' +
            '@aa/rezero\'s downsample hook; compared with the plain ReZero ResNet of the residual experiment when the run has it.',
          ctx.data.cifar10.sample ? 'CIFAR-10 sample' : 'CIFAR-10',
          await runComparison(exercise5Models(), train, test, settingsFor(ctx, key)),
          started,
          { more: (results.experiments.residual?.models ?? []).filter((m) => m.key === 'rezero') },
        );
        break;
    }
    results.experiments[key] = record;
    save();
  }
}
