import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Command } from 'commander';

import { describeBackend, selectBackend, type BackendChoice } from '../backend';
import type { RunPlan } from '../plan';
import type { ProgressSink } from '../progress';
import { readResults, RESULTS_FILE } from '../report/results';
import { writeReport } from '../runner';
import { readManifest } from './manifest';
import { mergeQueueRun } from './merge';
import { checkRedis, parseQueueUrl } from './redis';
import { startWorker } from './worker';

/** Parses `--queue`: checks the address now (reaching it is checked when the run starts). */
export function queueUrl(value: string): string {
  parseQueueUrl(value);
  return value;
}

/** Fails at once when the Redis of `--queue` cannot be reached, before any data is loaded. */
export async function checkQueue(value: string): Promise<void> {
  await checkRedis(parseQueueUrl(value));
}

/** Parses a positive number of seconds (`--lock-seconds 2.5`), naming the option. */
export function positiveSeconds(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds, got '${value}'.`);
    return n;
  };
}

/** The plan of the run in `out` when it is continued with `--resume`: from its results, or from its queue manifest. */
export function earlierPlan(out: string): RunPlan | null {
  if (existsSync(join(out, RESULTS_FILE))) {
    const s = readResults(out).settings;
    if (s) return { sizes: { trainSize: s.trainSize, testSize: s.testSize }, plans: s.plans, seconds: Number.NaN, why: s.sizing };
  }
  const manifest = readManifest(out);
  return manifest ? { ...manifest.training.plan, seconds: Number.NaN } : null;
}

/**
 * `aa-bench report <dir>`: for a queue run (a `jobs.json` in `dir`), merges the workers' records into `results.json`
 * first; then, for any run, rebuilds `report.md` and `report.html` from `results.json`.
 */
export async function reportCommand(dir: string, backend: BackendChoice, sink: ProgressSink, options: { partial?: boolean } = {}): Promise<void> {
  const out = resolve(dir);
  const manifest = readManifest(out);
  if (manifest) {
    const info = await selectBackend(backend);
    if (info.name !== manifest.submitter.backend) sink.line(`report: merging on ${info.name}; the run trained on ${manifest.submitter.backend} (only the aliasing measurement, if any, is computed here)`);
    await mergeQueueRun(out, manifest, info, sink, undefined, options);
    return;
  }
  if (options.partial) sink.line('report: --partial applies to --queue runs only; this run has its results.json');
  writeReport(out, readResults(out));
}

/** Adds `aa-bench worker`. */
export function addWorkerCommand(program: Command, backend: () => BackendChoice, sink: ProgressSink): void {
  program
    .command('worker')
    .description(
      'take training jobs from a queue (aa-bench <command> --queue URL puts them there) and train them into their run folder, ' +
        'which every worker must see at the same path (a shared folder, e.g. NFS); any number of workers, on any machines',
    )
    .requiredOption('--queue <url>', 'the Redis of the queue, redis://host:port', queueUrl)
    .option('--lock-seconds <s>', "a job's lock: a killed worker's job is retried this long after its last renewal (must exceed the longest step)", positiveSeconds('--lock-seconds'), 300)
    .option('--stalled-seconds <s>', 'how often to look for the jobs of killed workers', positiveSeconds('--stalled-seconds'), 30)
    .option('--max-stalled <n>', 'how many times a job may be recovered from a killed worker before it fails', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--max-stalled must be a positive integer, got '${v}'.`);
      return n;
    }, 5)
    .action(async (o: { queue: string; lockSeconds: number; stalledSeconds: number; maxStalled: number }) => {
      const info = await selectBackend(backend());
      describeBackend(info).forEach((line) => sink.line(line));
      const worker = await startWorker({ url: o.queue, backend: info, sink, lockMs: o.lockSeconds * 1000, stalledMs: o.stalledSeconds * 1000, maxStalled: o.maxStalled });
      let code = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (code) process.exit(code); // a second signal: now
        code = signal === 'SIGINT' ? 130 : 143;
        sink.line(`${signal}: stopping`);
        void worker.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await worker.done;
      process.exit(code);
    });
}
