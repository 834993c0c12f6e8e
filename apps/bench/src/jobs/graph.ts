import type { Experiment, ExperimentPlan, ModelRun } from '../experiments/types';
import type { RunInputs } from './context';
import { experimentContext } from './context';
import { jobName } from './names';
import type { JobGraph, JobWork, PlannedJob } from './types';

/**
 * A stand-in for a run that has not been trained, shaped like a real one (one epoch, the shift fields of a shift model)
 * so the experiment's code after training (summaries, figures) runs on it; everything it computes is thrown away.
 */
function placeholderRun(job: JobWork): ModelRun {
  const run: ModelRun = {
    key: job.spec.key,
    label: job.spec.label,
    seed: job.seed,
    params: 0,
    records: [{ epoch: 0, totalTime: 0, epochTime: 0, lr: null, trainLoss: 0, testLoss: 0, trainScores: { Accuracy: 0 }, testScores: { Accuracy: 0 } }],
    finalAccuracy: 0,
    imagesPerSecond: 0,
    testCorrect: '0'.repeat(job.data.test.count),
    learned: { learned: false, accuracy: 0, chance: 1 / job.data.classes, pValue: 1 },
  };
  if (job.spec.shift) {
    run.shift = {
      metrics: { medianStd: 0, agreement: 0, accuracyAllShifts: 0, consistency: 0, images: job.data.test.count },
      perImageStd: new Array<number>(job.data.test.count).fill(0),
      imageProbabilities: new Array<number>(64).fill(0),
    };
  }
  return run;
}

/**
 * The jobs `e` trains, in the order it asks for them, found by running it once against a context whose `train`
 * records each request and answers with a placeholder. The experiments stay the one description of what they train
 * (which specs, on which data: exercise 3 falls back to CIFAR-10 without CIFAR-100, exercise 6 then skips its
 * CIFAR-100 model), so the graph cannot drift from what an in-process run would train.
 */
export async function discoverJobs(e: Experiment, plan: ExperimentPlan, options: Record<string, unknown>, inputs: RunInputs | null): Promise<JobWork[]> {
  if (!e.trains || !inputs) return [];
  const asked: JobWork[] = [];
  const ctx = experimentContext({ experiment: e, plan, options, inputs, previous: {}, log: () => undefined }, async (job) => {
    if (asked.some((j) => j.model === job.model && j.seed === job.seed)) {
      throw new Error(`${e.key}: model ${job.model} seed ${job.seed} is trained twice; a job is one (experiment, model, seed)`);
    }
    asked.push(job);
    return placeholderRun(job);
  });
  try {
    await e.run(ctx);
  } catch (err) {
    throw new Error(`listing the jobs of ${e.key}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return asked;
}

/** A job as plain data. */
export function plannedJob(job: JobWork): PlannedJob {
  return { experiment: job.experiment, model: job.model, seed: job.seed, name: jobName(job), dataset: job.dataset, label: job.spec.label, epochs: job.plan.epochs };
}

/**
 * The graph of a run: every training job of `experiments` (see {@link discoverJobs}) and the merge steps, one per
 * experiment in order, each needing its own jobs and the merge steps before it.
 */
export async function buildJobGraph(
  experiments: readonly Experiment[],
  plans: Record<string, ExperimentPlan>,
  options: Record<string, Record<string, unknown>>,
  inputs: RunInputs | null,
): Promise<{ graph: JobGraph; work: JobWork[] }> {
  const work: JobWork[] = [];
  const merges: JobGraph['merges'] = [];
  for (const e of experiments) {
    const plan = plans[e.key] ?? { epochs: 1, seeds: [0] };
    const jobs = await discoverJobs(e, plan, options[e.key] ?? {}, inputs);
    work.push(...jobs);
    merges.push({ experiment: e.key, jobs: jobs.map(jobName), after: merges.map((m) => m.experiment) });
  }
  return { graph: { jobs: work.map(plannedJob), merges }, work };
}
