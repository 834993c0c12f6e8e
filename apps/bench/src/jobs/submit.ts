import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { Queue, type Job } from 'bullmq';

import { ensureOutputDir } from '../outputDir';
import { RESULTS_FILE, type Results } from '../report/results';
import type { RunRequest } from '../runner';
import { runInputs } from './context';
import { buildJobGraph } from './graph';
import { dataFingerprint, manifestDifferences, readManifest, writeManifest, type RunManifest } from './manifest';
import { mergeQueueRun } from './merge';
import { queueJobId } from './names';
import { readRunRecord } from './records';
import { checkRedis, parseQueueUrl, QUEUE_NAME, redisOptions } from './redis';
import type { PlannedJob } from './types';
import { incompatibilities, workerName, workerRecord } from './versions';

/** What a queue job carries: the run folder and the job's key (the rest is in the folder's manifest). */
export interface QueueJobData {
  out: string;
  name: string;
  experiment: string;
  model: string;
  seed: number;
}

/** What a worker reports while it trains a job (BullMQ job progress). */
export interface QueueJobProgress {
  worker: string;
  attempt: number;
  /** Epochs done. */
  epoch: number;
  epochs: number;
}

/** How {@link runOnQueue} submits and waits. */
export interface QueueRunOptions {
  /** `redis://host:port`. */
  url: string;
  /** How often the jobs are looked at, in ms. Default 1000. */
  pollMs?: number;
  /** Starts of a job that throws before it fails for good (a dead worker's job is recovered separately). Default 3. */
  attempts?: number;
  /** How long a job may stay completed without its record appearing (a folder that is not shared), in ms. Default 60 s. */
  recordGraceMs?: number;
}

const DAY_SECONDS = 24 * 3600;

/** A job's line of the summary the wait prints when it ends. */
interface Watched {
  job: PlannedJob;
  id: string;
  state?: string;
  attempt?: number;
  worker?: string;
  completedSince?: number;
}

/** Refuses a folder that holds another run; returns the queue run to continue, if any. */
function previousQueueRun(req: RunRequest, out: string): RunManifest | null {
  const before = readManifest(out);
  if (!before && existsSync(join(out, RESULTS_FILE))) {
    throw new Error(`--out ${out} holds a run that was not made through a queue; choose another --out for a --queue run.`);
  }
  if (before && !req.resume) {
    throw new Error(`--out ${out} holds another run (aa-bench ${before.command} --queue, submitted ${before.createdAt}); pass --resume to re-attach to it, or choose another --out.`);
  }
  if (!before && req.resume) req.sink.line(`--resume: nothing to resume in ${out}; starting fresh.`);
  return before;
}

/**
 * Runs `req` through a BullMQ queue: writes the run's manifest (`jobs.json`) into `req.out`, puts every training job
 * that has no finished record on the queue under its deterministic id (so submitting again, or re-attaching with
 * `resume`, adds nothing twice and retries the jobs that failed), prints progress while `aa-bench worker` processes
 * train them, and when every job has finished merges their records into `results.json` and the report, as an
 * in-process run would have written them. Fails with each failed job's reason.
 */
export async function runOnQueue(req: RunRequest, options: QueueRunOptions): Promise<Results> {
  const training = req.training;
  if (!training) throw new Error(`--queue: aa-bench ${req.command} trains no models; run it without --queue.`);
  const address = parseQueueUrl(options.url);
  await checkRedis(address);
  const out = ensureOutputDir(req.out);
  const before = previousQueueRun(req, out);
  const inputs = req.inputs ?? runInputs(training.data, training.plan.sizes, training.settings.seed, (l) => req.sink.line(l));
  const { graph } = await buildJobGraph(req.experiments, training.plan.plans, req.options, inputs);
  const manifest: RunManifest = {
    tool: 'aa-bench',
    kind: 'queue-run',
    format: 1,
    createdAt: new Date().toISOString(),
    command: req.command,
    experiments: req.experiments.map((e) => e.key),
    options: req.options,
    training: {
      request: training.data.request,
      plan: training.plan,
      settings: training.settings,
      source: training.data.source,
      embedded: training.data.embedded,
      fingerprint: dataFingerprint(inputs.cifar10),
    },
    submitter: workerRecord(req.backend),
    queue: { url: address.url, name: QUEUE_NAME },
    graph,
  };
  if (before) {
    const diffs = [...manifestDifferences(before, manifest), ...incompatibilities(before.submitter, manifest.submitter)];
    if (diffs.length) throw new Error(`--resume: the run in ${out} used other settings: ${diffs.join('; ')}. Give the same settings, or choose another --out.`);
  }
  writeManifest(out, before ? { ...manifest, createdAt: before.createdAt } : manifest);

  const queue = new Queue<QueueJobData>(QUEUE_NAME, { connection: redisOptions(address) });
  try {
    await submit(queue, out, graph.jobs, req, address.url, options.attempts ?? 3);
    await waitForJobs(queue, out, graph.jobs, req, options);
  } finally {
    await queue.close();
  }
  return mergeQueueRun(out, manifest, req.backend, req.sink, inputs);
}

/** Adds the unfinished jobs that are not on the queue and retries the failed ones. */
async function submit(queue: Queue<QueueJobData>, out: string, jobs: readonly PlannedJob[], req: RunRequest, url: string, attempts: number): Promise<void> {
  let finished = 0;
  let queued = 0;
  let retried = 0;
  const add: { name: string; data: QueueJobData; opts: { jobId: string } & Record<string, unknown> }[] = [];
  for (const job of jobs) {
    if (readRunRecord(out, job)) {
      finished++;
      continue;
    }
    const id = queueJobId(out, job);
    const existing = await queue.getJob(id);
    if (existing && (await existing.getState()) === 'failed') {
      await existing.retry('failed', { resetAttemptsMade: true });
      retried++;
    } else if (existing) {
      queued++;
    } else {
      add.push({
        name: 'train',
        data: { out, name: job.name, experiment: job.experiment, model: job.model, seed: job.seed },
        opts: { jobId: id, attempts, backoff: { type: 'fixed', delay: 10_000 }, removeOnComplete: { age: 30 * DAY_SECONDS }, removeOnFail: { age: 30 * DAY_SECONDS } },
      });
    }
  }
  if (add.length) await queue.addBulk(add);
  req.sink.line(`queue: ${jobs.length} jobs on ${url} (queue ${QUEUE_NAME}): ${add.length} added, ${queued} already queued, ${retried} failed ones retried, ${finished} finished before`);
  if (finished < jobs.length) req.sink.line(`start workers on any machine that sees ${out} at this path: aa-bench --backend ${req.backend.name} worker --queue ${url}`);
}

/** Waits until every job has its record, printing each job's changes; throws when jobs failed for good. */
async function waitForJobs(queue: Queue<QueueJobData>, out: string, jobs: readonly PlannedJob[], req: RunRequest, options: QueueRunOptions): Promise<void> {
  const pollMs = options.pollMs ?? 1000;
  const graceMs = options.recordGraceMs ?? 60_000;
  const open = new Map<string, Watched>(jobs.filter((j) => !readRunRecord(out, j)).map((j) => [j.name, { job: j, id: queueJobId(out, j) }]));
  const failures: string[] = [];
  while (open.size > 0) {
    let running = 0;
    for (const w of [...open.values()]) {
      const record = readRunRecord(out, w.job);
      if (record) {
        const by = record.worker ? ` by ${workerName(record.worker)}${record.worker.attempt > 1 ? ` on attempt ${record.worker.attempt}` : ''}${record.worker.resumedFromEpoch ? `, resumed from epoch ${record.worker.resumedFromEpoch}` : ''}` : '';
        req.sink.line(`job ${w.job.name}: finished${by}`);
        open.delete(w.job.name);
        continue;
      }
      const job = (await queue.getJob(w.id)) as Job<QueueJobData> | undefined;
      if (!job) {
        // Lost from Redis (restarted without persistence, or removed): put it back under the same id.
        await queue.add('train', { out, name: w.job.name, experiment: w.job.experiment, model: w.job.model, seed: w.job.seed }, { jobId: w.id, attempts: options.attempts ?? 3 });
        req.sink.line(`job ${w.job.name}: was no longer on the queue; added again`);
        continue;
      }
      const state = await job.getState();
      const progress = (typeof job.progress === 'object' ? job.progress : null) as QueueJobProgress | null;
      if (state === 'failed') {
        failures.push(`${w.job.name} (${job.failedReason ?? 'no reason given'})`);
        open.delete(w.job.name);
        continue;
      }
      if (state === 'completed') {
        w.completedSince ??= Date.now();
        if (Date.now() - w.completedSince > graceMs) {
          throw new Error(`job ${w.job.name} completed on a worker, but ${out}/runs/${w.job.name}.json did not appear: every worker must see --out at the same path (a shared folder, e.g. NFS).`);
        }
      }
      if (state === 'active') {
        running++;
        if (progress && (progress.worker !== w.worker || progress.attempt !== w.attempt)) {
          // Taken again between two looks, so its wait in the queue went unseen.
          if (w.state === 'active' && w.worker) req.sink.line(`job ${w.job.name}: back in the queue (its worker ${w.worker} stopped); it resumes from its last checkpoint`);
          req.sink.line(`job ${w.job.name}: running on ${progress.worker} (attempt ${progress.attempt})`);
          w.worker = progress.worker;
          w.attempt = progress.attempt;
        }
      } else if (w.state === 'active' && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
        req.sink.line(`job ${w.job.name}: back in the queue (${w.worker ? `its worker ${w.worker} stopped` : 'a worker gave it back'}); it resumes from its last checkpoint`);
      }
      w.state = state;
    }
    if (open.size === 0) break;
    req.sink.status(`jobs: ${jobs.length - open.size - failures.length}/${jobs.length} finished, ${running} running, ${open.size - running} waiting`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  if (failures.length) {
    throw new Error(`${failures.length} job${failures.length === 1 ? '' : 's'} failed for good: ${failures.join('; ')}. Fix the cause, then re-attach with the same command and --resume (failed jobs are retried).`);
  }
}
