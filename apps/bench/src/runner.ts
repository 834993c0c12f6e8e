import { existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import type { BackendInfo } from './backend';
import type { RunData } from './data';
import { EXPERIMENTS } from './experiments';
import type { Experiment } from './experiments/types';
import { experimentContext, runInputs, type RunInputs } from './jobs/context';
import { trainJob } from './jobs/trainJob';
import type { JobExecutor } from './jobs/types';
import { ensureOutputDir, runPaths } from './outputDir';
import type { RunPlan } from './plan';
import type { ProgressSink } from './progress';
import { buildDocument } from './report/document';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { readResults, RESULTS_FILE, writeResults, type Results, type RunSettingsRecord } from './report/results';

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
  /** How each training job gets its run. Default {@link inProcessJobs}: trained here, one after the other. */
  jobs?: JobExecutor;
  /** The run's subsets when the caller has drawn them already (default: drawn from `training`). */
  inputs?: RunInputs;
  /**
   * Rebuild `results.json` from jobs that finished elsewhere (the merge of a queue run, which checked the run folder
   * itself): an earlier `results.json` in `out` is replaced rather than refused or resumed.
   */
  rebuild?: boolean;
}

/** The default {@link JobExecutor}: each job trained in this process as the experiment asks for it (resumed with `resume`). */
export function inProcessJobs(req: Pick<RunRequest, 'out' | 'sink' | 'resume' | 'training'>): JobExecutor {
  const batchSize = req.training?.settings.batchSize ?? 128;
  return async (job) => (await trainJob(job, { out: req.out, batchSize, sink: req.sink, mode: 'replace', resume: req.resume })).record;
}

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
export function settingDifferences(before: RunSettingsRecord | undefined, now: RunSettingsRecord | undefined, sourceBefore?: string, sourceNow?: string): string[] {
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

/**
 * Runs `req.experiments` in order into `req.out`. Experiments only compute; this writes every file (figures, CSV,
 * per-model runs, results.json and the report after each experiment, so an interrupted run keeps what finished),
 * prints progress, and keeps each model's checkpoints until the model has finished. Each model an experiment trains
 * is a job (experiment, model, seed) handed to `req.jobs`: trained here by default, or read from the records of a
 * queue's workers when this is a queue run's merge.
 */
export async function runExperiments(req: RunRequest): Promise<Results> {
  const out = ensureOutputDir(req.out);
  const settings: RunSettingsRecord | undefined = req.training ? { ...req.training.settings, plans: req.training.plan.plans } : undefined;
  if (!req.rebuild) previousRun({ ...req, out }, settings);
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
  const inputs = req.inputs ?? (training ? runInputs(training.data, training.plan.sizes, training.settings.seed, (l) => req.sink.line(l)) : null);
  const jobs = req.jobs ?? inProcessJobs({ ...req, out });

  for (const e of req.experiments) {
    const started = performance.now();
    req.sink.line(`== ${e.key}: ${e.title}`);
    const plan = training?.plan.plans[e.key] ?? { epochs: 1, seeds: [0] };
    const ctx = experimentContext({ experiment: e, plan, options: req.options[e.key] ?? {}, inputs, previous: results.experiments, log: (line) => req.sink.line(line) }, jobs);
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
