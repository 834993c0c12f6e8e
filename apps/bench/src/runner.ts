import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { loadCheckpoint } from '@aa/train-loop/node';
import * as tf from '@tensorflow/tfjs';

import type { BackendInfo } from './backend';
import { trainTest, tryCifar100, type RunData } from './data';
import { EXPERIMENTS } from './experiments';
import type { Experiment, ExperimentContext, ModelRun, ModelSpec, TrainTest } from './experiments/types';
import { ensureOutputDir, runPaths } from './outputDir';
import type { RunPlan } from './plan';
import { TrainingProgress, type ProgressSink } from './progress';
import { buildDocument } from './report/document';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { readResults, RESULTS_FILE, writeResults, type Results, type RunSettingsRecord } from './report/results';
import { trainModel } from './training/trainModel';

/** What one call of {@link runExperiments} does. */
export interface RunRequest {
  out: string;
  /** The CLI command, recorded and shown (`chapter`, `shift`, ...). */
  command: string;
  experiments: readonly Experiment[];
  /** Each experiment's own option values, by experiment key. */
  options: Record<string, Record<string, unknown>>;
  backend: BackendInfo;
  sink: ProgressSink;
  /** Continue the run in `out`. */
  resume: boolean;
  /** Present when the run trains models. */
  training?: { data: RunData; plan: RunPlan; settings: Omit<RunSettingsRecord, 'plans'> };
}

/** Models this small also get their final weights saved (the playground can load them). */
const SAVED_MODEL_MAX_PARAMS = 100_000;

function environment(backend: BackendInfo): Results['environment'] {
  return {
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: backend.name,
    backendProvider: backend.provider,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
  };
}

/** Writes `results.json`, `report.md` and `report.html` into `out`. */
export function writeReport(out: string, results: Results): void {
  writeResults(out, results);
  const doc = buildDocument(results, EXPERIMENTS);
  writeFileSync(join(out, 'report.md'), renderMarkdown(doc));
  writeFileSync(join(out, 'report.html'), renderHtml(doc, out));
}

/** Recomputes every claim from the experiments recorded so far. */
export function evaluateClaims(results: Results): Results['claims'] {
  return EXPERIMENTS.flatMap((e) => {
    const record = results.experiments[e.key];
    return record && e.claims ? e.claims(record, results) : [];
  });
}

/** The settings two runs must share for one to continue the other. */
function settingDifferences(before: RunSettingsRecord | undefined, now: RunSettingsRecord | undefined, sourceBefore?: string, sourceNow?: string): string[] {
  const diffs: string[] = [];
  if (!before || !now) return before === now ? [] : ['training settings (one of the runs trains no models)'];
  for (const key of ['trainSize', 'testSize', 'batchSize', 'seed'] as const) {
    if (before[key] !== now[key]) diffs.push(`${key} (${before[key]} before, ${now[key]} now)`);
  }
  for (const [key, plan] of Object.entries(now.plans)) {
    const old = before.plans[key];
    if (old && old.epochs !== plan.epochs) diffs.push(`${key} epochs (${old.epochs} before, ${plan.epochs} now)`);
    if (old && old.seeds.join(',') !== plan.seeds.join(',')) diffs.push(`${key} seeds (${old.seeds.join(',')} before, ${plan.seeds.join(',')} now)`);
  }
  if (sourceBefore !== undefined && sourceNow !== undefined && sourceBefore !== sourceNow) diffs.push(`data (${sourceBefore} before, ${sourceNow} now)`);
  return diffs;
}

/** The previous run in `out` when resuming, checked against this one; refuses to overwrite another run without `resume`. */
function previousRun(req: RunRequest, settings: RunSettingsRecord | undefined): Results | null {
  const exists = existsSync(join(req.out, RESULTS_FILE));
  if (!exists) {
    if (req.resume) req.sink.line(`--resume: nothing to resume in ${req.out}; starting fresh.`);
    return null;
  }
  const before = readResults(req.out);
  if (!req.resume) {
    throw new Error(
      `--out ${req.out} holds another run (aa-bench ${before.command}, started ${before.startedAt}); pass --resume to continue it, or choose another --out.`,
    );
  }
  const diffs = settingDifferences(before.settings, settings, before.data?.source, req.training?.data.source);
  if (diffs.length) throw new Error(`--resume: the run in ${req.out} used other settings: ${diffs.join('; ')}. Give the same settings, or choose another --out.`);
  return before;
}

/** Saves a model's topology and weights as `model.json` + `weights.bin` (loadable with `tf.loadLayersModel`). */
async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<void> {
  ensureOutputDir(dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = { modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/**
 * Runs `req.experiments` in order into `req.out`. Experiments only compute; this writes every file (figures, CSV,
 * per-model runs, results.json and the report after each experiment, so an interrupted run keeps what finished),
 * prints progress, and keeps each model's checkpoints until the model has finished.
 */
export async function runExperiments(req: RunRequest): Promise<Results> {
  const out = ensureOutputDir(req.out);
  const settings: RunSettingsRecord | undefined = req.training ? { ...req.training.settings, plans: req.training.plan.plans } : undefined;
  previousRun({ ...req, out }, settings);
  const paths = runPaths(out);
  const results: Results = {
    tool: 'aa-bench',
    format: 2,
    startedAt: new Date().toISOString(),
    command: req.command,
    planned: req.experiments.map((e) => e.key),
    environment: environment(req.backend),
    settings,
    experiments: {},
    claims: [],
  };
  const training = req.training;
  if (training) results.data = { source: training.data.source, embedded: training.data.embedded, trainSize: training.plan.sizes.trainSize, testSize: training.plan.sizes.testSize };
  const dataName = training?.data.embedded ? 'CIFAR-10 (embedded subset)' : 'CIFAR-10';
  const cifar10: TrainTest | null = training ? trainTest(training.data, training.plan.sizes, training.settings.seed, dataName) : null;
  let cifar100: TrainTest | null | undefined;

  for (const e of req.experiments) {
    const started = performance.now();
    req.sink.line(`== ${e.key}: ${e.title}`);
    const plan = training?.plan.plans[e.key] ?? { epochs: 1, seeds: [0] };
    const train = async (spec: ModelSpec, seed: number, data?: TrainTest): Promise<ModelRun> => {
      if (!training || !cifar10) throw new Error(`${e.key}: this run has no training data`);
      const id = `${e.key}-${spec.key}-seed${seed}`;
      const runFile = join(paths.runs, `${id}.json`);
      if (req.resume && existsSync(runFile)) {
        req.sink.line(`${e.key}/${spec.key} seed ${seed}: finished in the earlier run, reused`);
        return JSON.parse(readFileSync(runFile, 'utf8')) as ModelRun;
      }
      const checkpointDir = join(paths.checkpoints, id);
      if (req.resume) {
        const cp = await loadCheckpoint(checkpointDir).catch(() => null);
        if (cp) req.sink.line(`resuming ${e.key}/${spec.key} seed ${seed} from epoch ${cp.state.epoch + 2} (epochs 1-${cp.state.epoch + 1} were done)`);
      }
      ensureOutputDir(paths.checkpoints);
      const name = `${e.key}/${spec.key}${plan.seeds.length > 1 ? ` seed ${seed}` : ''}`;
      const bar = new TrainingProgress(req.sink, name, plan.epochs);
      const set = data ?? cifar10;
      req.sink.line(`${name}: training ${spec.label}, ${plan.epochs} epoch${plan.epochs === 1 ? '' : 's'} on ${set.train.count.toLocaleString('en-US')} images`);
      const { run, model } = await trainModel(spec, seed, set, {
        epochs: plan.epochs,
        batchSize: training.settings.batchSize,
        checkpointDir,
        resume: req.resume,
        shiftImage: spec.shift ? { set: training.data.fullTest, index: Math.min(Number(req.options[e.key]?.imageId ?? 0), training.data.fullTest.count - 1) } : undefined,
        onBatch: (p) => bar.batch(p.epoch, p.images, p.total),
        onEpoch: (r) =>
          req.sink.line(
            `${name}: epoch ${r.epoch + 1}/${plan.epochs} loss ${r.trainLoss.toFixed(4)} test accuracy ${((r.testScores.Accuracy ?? 0) * 100).toFixed(1)}% (${r.epochTime.toFixed(1)} s)`,
          ),
      });
      try {
        if (run.params <= SAVED_MODEL_MAX_PARAMS) await saveModelFiles(model, join(paths.models, id));
      } finally {
        model.dispose();
      }
      ensureOutputDir(paths.runs);
      writeFileSync(`${runFile}.tmp`, JSON.stringify(run));
      renameSync(`${runFile}.tmp`, runFile);
      rmSync(checkpointDir, { recursive: true, force: true });
      req.sink.line(`${name}: final test accuracy ${(run.finalAccuracy * 100).toFixed(2)}%${run.learned.learned ? '' : ' (did not learn)'}, ${run.imagesPerSecond.toFixed(0)} img/s`);
      return run;
    };
    const ctx: ExperimentContext = {
      plan,
      options: req.options[e.key] ?? {},
      data: training?.data as RunData,
      cifar10: cifar10 as TrainTest,
      cifar100: async () => {
        if (cifar100 === undefined) {
          const d = training && !training.data.embedded ? await tryCifar100(training.data.request, (l) => req.sink.line(l)) : null;
          cifar100 = d && training ? trainTest(d, training.plan.sizes, training.settings.seed, 'CIFAR-100') : null;
        }
        return cifar100;
      },
      train,
      previous: results.experiments,
      log: (line) => req.sink.line(line),
    };
    const output = await e.run(ctx);
    for (const f of output.figures) writeFileSync(join(out, f.file), f.content);
    for (const f of output.files ?? []) writeFileSync(join(out, f.file), f.content);
    results.experiments[e.key] = {
      ...output.record,
      figures: output.figures.map(({ file, caption, width }) => ({ file, caption, width })),
      seconds: (performance.now() - started) / 1000,
    };
    results.claims = evaluateClaims(results);
    for (const c of results.claims.filter((c) => c.experiment === e.key)) req.sink.line(`claim ${c.id}: ${c.verdict}${c.pValue === null ? '' : ` (p = ${c.pValue.toPrecision(2)})`}`);
    writeReport(out, results);
  }
  results.finishedAt = new Date().toISOString();
  writeReport(out, results);
  rmSync(paths.checkpoints, { recursive: true, force: true });
  return results;
}
