import type { BackendInfo } from '../backend';
import { experiment } from '../experiments';
import type { ProgressSink } from '../progress';
import type { Results } from '../report/results';
import { runExperiments } from '../runner';
import type { RunInputs } from './context';
import { manifestInputs, type RunManifest } from './manifest';
import { jobName } from './names';
import { readRunRecord } from './records';
import type { JobExecutor, JobKey } from './types';

/** A {@link JobExecutor} that trains nothing: a job's run is the record its worker wrote in `out/runs/`. */
export function recordsExecutor(out: string): JobExecutor {
  return async (job) => {
    const record = readRunRecord(out, job);
    if (!record) throw new Error(`job ${jobName(job)} has not finished: ${out}/runs/${jobName(job)}.json is missing`);
    return record;
  };
}

/** The jobs of `jobs` without a finished record in `out`. */
export function unfinishedJobs<J extends JobKey>(out: string, jobs: readonly J[]): J[] {
  return jobs.filter((j) => readRunRecord(out, j) === null);
}

/** What {@link mergeQueueRun} may leave out. */
export interface MergeOptions {
  /** Merge only the experiments whose jobs have all finished (a campaign stopped part-way); the others are named and left out. */
  partial?: boolean;
}

/**
 * Merges a queue run: its experiments run in this process in the run's order on the workers' records (nothing is
 * trained), writing figures, CSV, `results.json` and the report as an in-process run does. Every job must have
 * finished, unless `partial`; the error lists those that have not and how to finish them.
 */
export async function mergeQueueRun(out: string, manifest: RunManifest, backend: BackendInfo, sink: ProgressSink, inputs?: RunInputs, options: MergeOptions = {}): Promise<Results> {
  const missing = unfinishedJobs(out, manifest.graph.jobs);
  let experiments = manifest.experiments;
  if (missing.length && options.partial) {
    const incomplete = new Set(missing.map((j) => j.experiment));
    experiments = experiments.filter((key) => !incomplete.has(key));
    sink.line(
      `report: --partial: leaving out ${[...incomplete].join(', ')} (${missing.length} of the ${manifest.graph.jobs.length} jobs have not finished); ` +
        `merging ${experiments.length ? experiments.join(', ') : 'nothing'}`,
    );
  } else if (missing.length) {
    const names = missing.map((j) => j.name);
    throw new Error(
      `${missing.length} of the ${manifest.graph.jobs.length} jobs of the run in ${out} ${missing.length === 1 ? 'has' : 'have'} not finished (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}); ` +
        `start workers (aa-bench worker --queue ${manifest.queue.url}) and wait for them, or re-attach: aa-bench --out ${out} ${manifest.command} --queue ${manifest.queue.url} ... --resume ` +
        `(or merge the finished experiments alone: aa-bench report ${out} --partial).`,
    );
  }
  const t = manifest.training;
  const loaded = inputs ?? (await manifestInputs(manifest, out, (l) => sink.line(l)));
  return runExperiments({
    out,
    command: manifest.command,
    experiments: experiments.map(experiment),
    options: manifest.options,
    backend,
    sink,
    resume: false,
    training: { data: loaded.data, plan: t.plan, settings: t.settings },
    jobs: recordsExecutor(out),
    inputs: loaded,
    rebuild: true,
  });
}
