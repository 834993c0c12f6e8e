import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';

import type { BackendInfo } from '../backend';
import { experiment as experimentByKey } from '../experiments';
import type { ProgressSink } from '../progress';
import type { RunInputs } from './context';
import { discoverJobs } from './graph';
import { manifestInputs, readManifest, type RunManifest } from './manifest';
import { checkRedis, parseQueueUrl, QUEUE_NAME, redisOptions } from './redis';
import type { QueueJobData, QueueJobProgress } from './submit';
import { trainJob } from './trainJob';
import type { JobWork, WorkerRecord } from './types';
import { incompatibilities, workerName, workerRecord } from './versions';

/** How a worker takes jobs. */
export interface WorkerOptions {
  /** `redis://host:port`. */
  url: string;
  backend: BackendInfo;
  sink: ProgressSink;
  /**
   * How long a job's lock lasts without renewal, in ms (renewed every half of it while the worker lives). A killed
   * worker's job goes back to the queue this long after its last renewal, at the next stalled check. It must exceed
   * the longest stretch the training keeps the event loop busy (the final shift scoring of a large test set).
   * Default 300 s.
   */
  lockMs?: number;
  /** How often this worker looks for other workers' stalled jobs, in ms. Default 30 s. */
  stalledMs?: number;
  /** How many times a job may be recovered from a dead worker before it fails for good. Default 5. */
  maxStalled?: number;
}

/** A running worker. */
export interface WorkerHandle {
  /** Settles when the worker has stopped: resolves after {@link WorkerHandle.stop}, rejects when it refused to go on. */
  done: Promise<void>;
  /**
   * Stops taking jobs; the job in hand goes back to the queue at once (another worker resumes it from its last
   * checkpoint) rather than after its lock expires.
   */
  stop(): Promise<void>;
  /** This worker as recorded with its results. */
  record: WorkerRecord;
}

const DEFAULT_LOCK_MS = 300_000;

/**
 * The longest time the event loop was held while a job ran: BullMQ renews the job's lock on a timer, so a stretch of
 * synchronous work longer than half the lock lets the lock expire and the job be taken for a dead worker's.
 */
function eventLoopLag(tickMs = 100): { readonly max: number; stop(): void } {
  let last = performance.now();
  const state = { max: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    state.max = Math.max(state.max, now - last - tickMs);
    last = now;
  }, tickMs);
  timer.unref();
  return {
    get max() {
      return state.max;
    },
    stop: () => clearInterval(timer),
  };
}

/** Why this worker must not train the jobs of a run: its results would not be the run's. */
class RefusedError extends Error {}

/** What a worker keeps of the run it served last: its manifest, data and the jobs found per experiment. */
interface RunCache {
  out: string;
  manifest: RunManifest;
  inputs: RunInputs;
  jobs: Map<string, JobWork[]>;
}

/**
 * Starts a BullMQ worker on the bench's queue: it takes one job at a time, checks that its backend and code are the
 * submitter's (and its data the run's), trains the job into the run folder named in the job (resuming its checkpoint,
 * skipping it when its record is already there, publishing the record once) and records itself in the result. A
 * worker that is not fit for a run gives the job back and stops with the reasons, so that another worker takes it.
 */
export async function startWorker(o: WorkerOptions): Promise<WorkerHandle> {
  const address = parseQueueUrl(o.url);
  await checkRedis(address);
  const me = workerRecord(o.backend);
  const sink = o.sink;
  let cache: RunCache | null = null;
  let active: { job: Job<QueueJobData>; token?: string } | null = null;
  let refused: Error | null = null;
  let settle: { resolve: () => void; reject: (e: Error) => void } = { resolve: () => undefined, reject: () => undefined };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const runFor = async (out: string): Promise<RunCache> => {
    if (cache?.out === out) return cache;
    const manifest = readManifest(out);
    if (!manifest) {
      // The folder around the run is there but the run is not: it was removed, so the job is dropped. Without that
      // folder this machine does not see the share: the worker, not the job, is at fault.
      if (existsSync(dirname(out))) throw new UnrecoverableError(`the run folder ${out} holds no run any more (no ${out}/jobs.json); the job is dropped`);
      throw new RefusedError(`the run folder ${out} is not visible here (no ${dirname(out)}): every worker must see --out at the same path (a shared folder, e.g. NFS)`);
    }
    const diffs = incompatibilities(manifest.submitter, me);
    if (diffs.length) throw new RefusedError(`this worker cannot train the jobs of ${out}: ${diffs.join('; ')}`);
    let inputs: RunInputs;
    try {
      inputs = await manifestInputs(manifest, out, (l) => sink.line(l));
    } catch (err) {
      throw new RefusedError(err instanceof Error ? err.message : String(err));
    }
    cache = { out, manifest, inputs, jobs: new Map() };
    return cache;
  };

  const workOf = async (run: RunCache, data: QueueJobData): Promise<JobWork> => {
    let jobs = run.jobs.get(data.experiment);
    if (!jobs) {
      const e = experimentByKey(data.experiment);
      const t = run.manifest.training;
      jobs = await discoverJobs(e, t.plan.plans[e.key] ?? { epochs: 1, seeds: [0] }, run.manifest.options[e.key] ?? {}, run.inputs);
      run.jobs.set(data.experiment, jobs);
    }
    const work = jobs.find((j) => j.model === data.model && j.seed === data.seed);
    if (!work) throw new UnrecoverableError(`the run in ${data.out} has no job ${data.name}: its ${data.experiment} trains ${jobs.map((j) => `${j.model} seed ${j.seed}`).join(', ')}`);
    return work;
  };

  const processor = async (job: Job<QueueJobData>, token?: string): Promise<{ name: string; worker: string; reused: boolean; resumedFromEpoch: number | null; published: boolean }> => {
    const data = job.data;
    const attempt = job.attemptsStarted;
    active = { job, token };
    const lag = eventLoopLag();
    try {
      let run: RunCache;
      try {
        run = await runFor(data.out);
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
        // Given back, not failed: a fit worker takes it. This one stops, since every job of the run would be refused;
        // closing before the WaitingError keeps BullMQ from fetching the next job (this very one, often) meanwhile.
        refused = err;
        await job.moveToWait(token);
        void close();
        throw new WaitingError();
      }
      const work = await workOf(run, data);
      sink.line(`job ${data.name}: started on ${workerName(me)} (attempt ${attempt}) for ${data.out}`);
      const startedAt = new Date().toISOString();
      const progress = (epoch: number): QueueJobProgress => ({ worker: workerName(me), attempt, epoch, epochs: work.plan.epochs });
      await job.updateProgress(progress(0));
      const outcome = await trainJob(work, {
        out: data.out,
        batchSize: run.manifest.training.settings.batchSize,
        sink,
        mode: 'once',
        resume: true,
        onEpoch: (r) => void job.updateProgress(progress(r.epoch + 1)).catch(() => undefined),
        stamp: (record, resumedFromEpoch) => ({ ...record, worker: { ...me, jobId: String(job.id), attempt, resumedFromEpoch, startedAt, finishedAt: new Date().toISOString() } }),
      });
      sink.line(
        `job ${data.name}: ${outcome.reused ? 'already finished' : outcome.published ? 'finished' : 'finished, but another worker published it first'} (attempt ${attempt}; ` +
          `the event loop was held up to ${(lag.max / 1000).toFixed(1)} s at a time, the lock lasts ${((o.lockMs ?? DEFAULT_LOCK_MS) / 1000).toFixed(0)} s)`,
      );
      return { name: data.name, worker: workerName(me), reused: outcome.reused, resumedFromEpoch: outcome.resumedFromEpoch, published: outcome.published };
    } finally {
      lag.stop();
      active = null;
    }
  };

  const worker = new Worker<QueueJobData>(QUEUE_NAME, processor, {
    connection: redisOptions(address),
    concurrency: 1,
    lockDuration: o.lockMs ?? DEFAULT_LOCK_MS,
    stalledInterval: o.stalledMs ?? 30_000,
    maxStalledCount: o.maxStalled ?? 5,
  });
  let lastError = '';
  worker.on('error', (err) => {
    // ioredis reports a lost connection on every retry; one line per distinct message.
    if (err.message !== lastError) sink.line(`worker: ${err.message}`);
    lastError = err.message;
  });
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof WaitingError)) sink.line(`job ${job.data.name}: failed on ${workerName(me)}: ${err.message}`);
  });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await worker.close(true);
      if (refused) settle.reject(refused);
      else settle.resolve();
    })());

  const stop = async (): Promise<void> => {
    const hand = active;
    if (hand) {
      await hand.job.moveToWait(hand.token).catch(() => undefined);
      sink.line(`job ${hand.job.data.name}: given back to the queue; another worker resumes it from its last checkpoint`);
    }
    await close();
  };

  await worker.waitUntilReady();
  sink.line(`worker ${workerName(me)} (backend ${me.backend}, code ${me.code}) takes jobs from ${address.url} (queue ${QUEUE_NAME})`);
  return { done, stop, record: me };
}
