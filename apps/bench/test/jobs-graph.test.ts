import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import type { BackendInfo } from '../src/backend';
import { EXPERIMENTS, experiment } from '../src/experiments';
import type { TrainingRecord } from '../src/experiments/training';
import { buildJobGraph } from '../src/jobs/graph';
import type { RunManifest } from '../src/jobs/manifest';
import { mergeQueueRun, recordsExecutor, unfinishedJobs } from '../src/jobs/merge';
import { runRecordPath, writeJsonAtomic } from '../src/jobs/records';
import { workerRecord } from '../src/jobs/versions';
import { runExperiments } from '../src/runner';
import { handRun, manifestHead, tinyInputs, tinyRunData } from './jobs-helpers';

const root = mkdtempSync(join(tmpdir(), 'aa-bench-graph-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const silent = { line: () => undefined, status: () => undefined };
const backend: BackendInfo = { name: 'cpu', provider: '@tensorflow/tfjs', skipped: [] };
const plans = (seeds: number[]) => Object.fromEntries(EXPERIMENTS.map((e) => [e.key, { epochs: 2, seeds }]));
const options = Object.fromEntries(EXPERIMENTS.map((e) => [e.key, e.key === 'shift' || e.key === 'exercise2' ? { imageId: 3 } : {}]));

/** Each experiment's models, as the chapter and the exercises name them (written out, not read from the code). */
const MODELS: Record<string, string[]> = {
  aliasing: [],
  shift: ['plain', 'aa'],
  residual: ['cnn', 'resnet', 'rezero'],
  mixup: ['rezero_mixup'],
  exercise2: ['strided', 'aa_strided', 'avg', 'blurpool'],
  exercise3: ['bottleneck_plain', 'bottleneck_rezero', 'dense_plain', 'dense_rezero'],
  exercise4: ['deep_plain', 'deep_rezero'],
  exercise5: ['rezero_aa'],
  exercise6: ['manifold_10'],
};

describe('the job graph', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has one job per (experiment, model, seed), seed by seed as the experiments train them, and one merge step per experiment', async () => {
    const before = tf.memory().numTensors;
    const { graph, work } = await buildJobGraph(EXPERIMENTS, plans([0, 1]), options, tinyInputs());
    expect(tf.memory().numTensors).toBe(before);
    const expected = EXPERIMENTS.flatMap((e) => [0, 1].flatMap((seed) => (MODELS[e.key] ?? []).map((model) => `${e.key}-${model}-seed${seed}`)));
    expect(graph.jobs.map((j) => j.name)).toEqual(expected);
    expect(graph.jobs.every((j) => j.dataset === 'cifar10' && j.epochs === 2)).toBe(true);
    expect(new Set(graph.jobs.map((j) => j.name)).size).toBe(graph.jobs.length);
    // Without CIFAR-100 exercise 3 trains its 10-class models on CIFAR-10 (its fallback), exercise 6 only its CIFAR-10 model.
    expect(work.filter((w) => w.experiment === 'exercise3').every((w) => w.spec.classes === 10)).toBe(true);
    // The shift models score the chosen test image's crops.
    expect(work.find((w) => w.experiment === 'shift')?.shiftImage?.index).toBe(3);
    expect(graph.merges.map((m) => m.experiment)).toEqual(EXPERIMENTS.map((e) => e.key));
    expect(graph.merges[2]).toEqual({ experiment: 'residual', jobs: ['residual-cnn-seed0', 'residual-resnet-seed0', 'residual-rezero-seed0', 'residual-cnn-seed1', 'residual-resnet-seed1', 'residual-rezero-seed1'], after: ['aliasing', 'shift'] });
    expect(graph.merges[0]).toEqual({ experiment: 'aliasing', jobs: [], after: [] });
  }, 120000);

  it('with CIFAR-100, exercises 3 and 6 train their 100-class models on it', async () => {
    const { graph, work } = await buildJobGraph([experiment('exercise3'), experiment('exercise6')], plans([5]), options, tinyInputs(true));
    expect(graph.jobs.map((j) => `${j.name} ${j.dataset}`)).toEqual([
      'exercise3-bottleneck_plain-seed5 cifar100',
      'exercise3-bottleneck_rezero-seed5 cifar100',
      'exercise3-dense_plain-seed5 cifar100',
      'exercise3-dense_rezero-seed5 cifar100',
      'exercise6-manifold_10-seed5 cifar10',
      'exercise6-manifold_100-seed5 cifar100',
    ]);
    expect(work.filter((w) => w.dataset === 'cifar100').every((w) => w.spec.classes === 100 && w.data.classes === 100)).toBe(true);
  }, 120000);
});

describe('the merge', () => {
  const shiftExperiment = experiment('shift');
  // Final accuracies written by hand: plain 0.25 and 0.5, aa 0.5 and 0.75.
  const accuracies: Record<string, number[]> = { plain: [0.25, 0.5], aa: [0.5, 0.75] };

  it('builds results.json from the finished records, in the experiment order, keeping who trained each', async () => {
    const out = join(root, 'merged');
    for (const [model, accs] of Object.entries(accuracies)) {
      accs.forEach((a, seed) => writeJsonAtomic(runRecordPath(out, { experiment: 'shift', model, seed }), { ...handRun(model, seed, a, true), worker: { hostname: 'h', pid: 100 + seed } }));
    }
    const inputs = tinyInputs();
    const results = await runExperiments({
      out,
      command: 'shift',
      experiments: [shiftExperiment],
      options: { shift: { imageId: 3 } },
      backend,
      sink: silent,
      resume: false,
      training: { data: inputs.data, plan: { sizes: { trainSize: 16, testSize: 8 }, plans: { shift: { epochs: 1, seeds: [0, 1] } }, seconds: 0, why: [] }, settings: { preset: 'smoke', trainSize: 16, testSize: 8, batchSize: 8, seed: 0, sizing: [] } },
      jobs: recordsExecutor(out),
      inputs,
      rebuild: true,
    });
    const shift = results.experiments.shift as TrainingRecord;
    expect(shift.models.map((m) => m.key)).toEqual(['plain', 'aa']);
    expect(shift.models.map((m) => m.accuracy.mean)).toEqual([0.375, 0.625]);
    expect(shift.models[1]?.runs.map((r) => (r as { worker?: { pid: number } }).worker?.pid)).toEqual([100, 101]);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiments.shift.models[0].runs[1].finalAccuracy).toBe(0.5);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    expect(unfinishedJobs(out, [{ experiment: 'shift', model: 'plain', seed: 1 }, { experiment: 'shift', model: 'plain', seed: 2 }])).toEqual([{ experiment: 'shift', model: 'plain', seed: 2 }]);
  }, 120000);

  it('refuses to merge while jobs are unfinished, naming them and how to finish them', async () => {
    const out = join(root, 'partial');
    writeJsonAtomic(runRecordPath(out, { experiment: 'shift', model: 'plain', seed: 0 }), handRun('plain', 0, 0.5, true));
    const { graph } = await buildJobGraph([shiftExperiment], { shift: { epochs: 1, seeds: [0] } }, { shift: { imageId: 3 } }, tinyInputs());
    const data = tinyRunData();
    const manifest: RunManifest = {
      ...manifestHead('shift', ['shift']),
      options: { shift: { imageId: 3 } },
      training: { request: data.request, plan: { sizes: { trainSize: 16, testSize: 8 }, plans: { shift: { epochs: 1, seeds: [0] } }, seconds: 0, why: [] }, settings: { preset: 'smoke', trainSize: 16, testSize: 8, batchSize: 8, seed: 0, sizing: [] }, source: data.source, embedded: true, fingerprint: '' },
      submitter: workerRecord(backend),
      queue: { url: 'redis://127.0.0.1:6379', name: 'aa-bench' },
      graph,
    };
    await expect(mergeQueueRun(out, manifest, backend, silent)).rejects.toThrow(
      /^1 of the 2 jobs of the run in .*partial has not finished \(shift-aa-seed0\); start workers \(aa-bench worker --queue redis:\/\/127\.0\.0\.1:6379\) and wait for them, or re-attach: aa-bench --out .*partial shift --queue redis:\/\/127\.0\.0\.1:6379 \.\.\. --resume \(or merge the finished experiments alone: aa-bench report .*partial --partial\)\.$/,
    );
    // --partial merges what finished: here nothing, since shift's second job is missing; the report says so.
    const lines: string[] = [];
    const results = await mergeQueueRun(out, manifest, backend, { ...silent, line: (l: string) => lines.push(l) }, tinyInputs(), { partial: true });
    expect(results.experiments.shift).toBeUndefined();
    expect(lines).toContain('report: --partial: leaving out shift (1 of the 2 jobs have not finished); merging nothing');
  }, 120000);
});
