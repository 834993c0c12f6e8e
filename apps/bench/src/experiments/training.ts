import { recordsToCsv } from '@aa/train-loop';

import type { Claim } from '../claims/claims';
import { meanAndSpread } from '../claims/stats';
import type { Block, Section } from '../report/document';
import { claimBlocks } from '../report/verdicts';
import { lineChart } from '../report/charts';
import type { ExperimentContext, ExperimentPlan, ExperimentRecordBase, Figure, ModelRun, ModelSpec, TrainTest } from './types';

/** One model of a training experiment over all its seeds. */
export interface ModelSummary {
  key: string;
  label: string;
  params: number;
  /** Final test accuracy: mean and sample std over seeds. */
  accuracy: { mean: number; std: number };
  /** Training images per second, mean over seeds. */
  imagesPerSecond: number;
  /** True when every seed learned (clearly above chance). */
  learned: boolean;
  /** One run per seed. */
  runs: ModelRun[];
}

/** The record every training experiment stores. */
export interface TrainingRecord extends ExperimentRecordBase {
  /** What it reproduces and how. */
  description: string;
  /** The data it trained on. */
  dataset: string;
  plan: ExperimentPlan;
  models: ModelSummary[];
  /** CSV of every run's per-epoch records. */
  csv: string;
}

/** Summarises one model's runs. */
export function summarise(runs: ModelRun[]): ModelSummary {
  const first = runs[0];
  if (!first) throw new Error('summarise: no runs');
  const acc = meanAndSpread(runs.map((r) => r.finalAccuracy));
  return {
    key: first.key,
    label: first.label,
    params: first.params,
    accuracy: { mean: acc.mean, std: acc.std },
    imagesPerSecond: runs.reduce((s, r) => s + r.imagesPerSecond, 0) / runs.length,
    learned: runs.every((r) => r.learned.learned),
    runs,
  };
}

/** Trains every spec once per seed of the plan, seed by seed (so an interrupted run holds whole pairs), and summarises. */
export async function trainAll(ctx: ExperimentContext, specs: readonly ModelSpec[], data?: TrainTest): Promise<ModelSummary[]> {
  const runs = new Map<string, ModelRun[]>(specs.map((s) => [s.key, []]));
  for (const seed of ctx.plan.seeds) {
    for (const spec of specs) runs.get(spec.key)?.push(await ctx.train(spec, seed, data));
  }
  return specs.map((s) => summarise(runs.get(s.key) ?? []));
}

/** One CSV of every run's records: train-loop's columns after `model` and `seed` columns. */
export function runsCsv(models: readonly ModelSummary[]): string {
  let header = '';
  const rows: string[] = [];
  for (const m of models) {
    for (const r of m.runs) {
      const lines = recordsToCsv(r.records).trim().split('\n');
      header = `model,seed,${lines[0] ?? ''}`;
      for (const line of lines.slice(1)) rows.push(`${m.key},${r.seed},${line}`);
    }
  }
  return [header, ...rows].join('\n') + '\n';
}

/** Mean test accuracy per epoch (or per training second) of each model over its seeds, as a chart. */
export async function accuracyFigure(file: string, title: string, models: readonly ModelSummary[], x: 'epoch' | 'time'): Promise<Figure> {
  const series = models.map((m) => {
    const epochs = Math.min(...m.runs.map((r) => r.records.length));
    const points = Array.from({ length: epochs }, (_, e) => {
      const at = (f: (r: ModelRun) => number) => m.runs.reduce((s, r) => s + f(r), 0) / m.runs.length;
      const y = at((r) => r.records[e]?.testScores.Accuracy ?? Number.NaN);
      return [x === 'epoch' ? e + 1 : at((r) => r.records[e]?.totalTime ?? Number.NaN), y] as [number, number];
    });
    return { name: m.label, points };
  });
  const seeds = models[0]?.runs.length ?? 1;
  return {
    file,
    content: await lineChart({ title, xLabel: x === 'epoch' ? 'epoch' : 'training time (s)', yLabel: 'test accuracy', series, integerX: x === 'epoch' }),
    caption: `test accuracy per ${x === 'epoch' ? 'epoch' : 'second of training'}${seeds > 1 ? `, mean of ${seeds} seeds` : ''}`,
    width: 560,
  };
}

const acc = (v: number) => `${(v * 100).toFixed(2)}%`;

/** `72.21%`, or `72.21% ± 0.40` over several seeds, or "did not learn". */
export function accuracyCell(m: ModelSummary): string {
  const value = m.runs.length > 1 ? `${acc(m.accuracy.mean)} ± ${(m.accuracy.std * 100).toFixed(2)}` : acc(m.accuracy.mean);
  return m.learned ? value : `${value} (did not learn)`;
}

/** The section of a training experiment: what it does, its verdicts, its figures and one row per model. */
export function trainingSection(r: TrainingRecord, claims: readonly Claim[], extraColumns?: { header: string[]; cells: (m: ModelSummary) => string[] }): Section {
  const seeds = r.plan.seeds;
  const header = ['model', 'trainable parameters', `final test accuracy${seeds.length > 1 ? ` (mean ± std, ${seeds.length} seeds)` : ''}`, 'training img/s', ...(extraColumns?.header ?? [])];
  const rows = r.models.map((m) => [m.label, m.params.toLocaleString('en-US'), accuracyCell(m), m.imagesPerSecond.toFixed(0), ...(extraColumns?.cells(m) ?? [])]);
  const blocks: Block[] = [
    ...claimBlocks(claims),
    {
      kind: 'text',
      text:
        `${r.description} Data: ${r.dataset}; ${r.plan.epochs} epoch${r.plan.epochs === 1 ? '' : 's'}, ` +
        `seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}. Per-epoch records: \`${r.csv}\`; ${formatSeconds(r.seconds)}.`,
    },
    { kind: 'images', items: r.figures.map((f) => ({ file: f.file, caption: f.caption, displayWidth: f.width })) },
    { kind: 'table', header, rows },
  ];
  if (r.models.some((m) => !m.learned)) {
    blocks.push({ kind: 'text', text: '"Did not learn": the final accuracy of at least one seed is not clearly above guessing (p ≥ 0.001, or below twice chance).' });
  }
  for (const note of r.notes) blocks.push({ kind: 'text', text: note });
  return { title: r.title, blocks };
}

/** `40 s`, `12 min 5 s`. */
export function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
