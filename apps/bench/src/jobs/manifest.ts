import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { resolveCifar10, type DataRequest } from '../data';
import type { TrainTest } from '../experiments/types';
import type { RunPlan } from '../plan';
import type { RunSettingsRecord } from '../report/results';
import { settingDifferences } from '../runner';
import { runInputs, type RunInputs } from './context';
import { writeJsonAtomic } from './records';
import type { JobGraph, WorkerRecord } from './types';

/** The manifest of a queue run, in its run folder: what workers and `aa-bench report` rebuild the run from. */
export const MANIFEST_FILE = 'jobs.json';

/** Everything a worker needs besides the job's key, and the merge needs besides the finished records. */
export interface RunManifest {
  tool: 'aa-bench';
  kind: 'queue-run';
  format: 1;
  createdAt: string;
  /** The CLI command (`shift`, `all`, ...). */
  command: string;
  /** The experiments' keys, in the run's order. */
  experiments: string[];
  /** Each experiment's own option values. */
  options: Record<string, Record<string, unknown>>;
  training: {
    /** Where the data comes from; every worker loads it the same way (the same paths on every machine). */
    request: DataRequest;
    plan: RunPlan;
    settings: Omit<RunSettingsRecord, 'plans'>;
    source: string;
    embedded: boolean;
    /** SHA-256 of the run's CIFAR-10 subsets: a worker that loaded other images refuses the jobs. */
    fingerprint: string;
  };
  /** The process that submitted the run: workers must match its backend and code. */
  submitter: WorkerRecord;
  /** The queue, without any password. */
  queue: { url: string; name: string };
  graph: JobGraph;
}

/** SHA-256 (16 hex digits) of the images and labels of a run's train and test subsets. */
export function dataFingerprint(set: TrainTest): string {
  const hash = createHash('sha256');
  for (const part of [set.train, set.test]) {
    hash.update(`${part.count}x${part.height}x${part.width}x${part.channels}\0`);
    hash.update(part.images);
    hash.update(Uint8Array.from(part.labels));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes the manifest into `out` atomically. */
export function writeManifest(out: string, manifest: RunManifest): void {
  writeJsonAtomic(join(out, MANIFEST_FILE), manifest);
}

/** The manifest in `out`, or null when `out` holds no queue run. */
export function readManifest(out: string): RunManifest | null {
  const file = join(out, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  let parsed: Partial<RunManifest>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunManifest>;
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed.tool !== 'aa-bench' || parsed.kind !== 'queue-run' || parsed.format !== 1) throw new Error(`${file} is not the manifest of an aa-bench queue run.`);
  return parsed as RunManifest;
}

/** Why a queue run cannot continue `before` (empty: it can): the command, experiments, options, settings or data differ. */
export function manifestDifferences(before: RunManifest, now: RunManifest): string[] {
  const diffs: string[] = [];
  if (before.command !== now.command) diffs.push(`command (${before.command} before, ${now.command} now)`);
  if (before.experiments.join(',') !== now.experiments.join(',')) diffs.push(`experiments (${before.experiments.join(', ')} before, ${now.experiments.join(', ')} now)`);
  if (JSON.stringify(before.options) !== JSON.stringify(now.options)) diffs.push(`experiment options (${JSON.stringify(before.options)} before, ${JSON.stringify(now.options)} now)`);
  const settings = (m: RunManifest): RunSettingsRecord => ({ ...m.training.settings, plans: m.training.plan.plans });
  diffs.push(...settingDifferences(settings(before), settings(now), before.training.source, now.training.source));
  if (before.training.fingerprint !== now.training.fingerprint) diffs.push(`data (other images: fingerprint ${before.training.fingerprint} before, ${now.training.fingerprint} now)`);
  return diffs;
}

/**
 * The run's data as the manifest says, loaded here (a worker, or the merge): the same request, sizes and seed give
 * the same subsets, which the fingerprint checks; other data is an error rather than other numbers.
 */
export async function manifestInputs(manifest: RunManifest, out: string, log: (line: string) => void): Promise<RunInputs> {
  const t = manifest.training;
  const data = await resolveCifar10(t.request, log);
  const inputs = runInputs(data, t.plan.sizes, t.settings.seed, log);
  const fingerprint = dataFingerprint(inputs.cifar10);
  if (data.embedded !== t.embedded || fingerprint !== t.fingerprint) {
    throw new Error(
      `the data loaded here (${data.source}, fingerprint ${fingerprint}) is not the data of the run in ${out} (${t.source}, fingerprint ${t.fingerprint}); ` +
        'give every machine the same CIFAR-10 (the same --data-dir, --archive or cache path) or use --subset everywhere.',
    );
  }
  return inputs;
}
