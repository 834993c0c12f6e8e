import type { LabeledImages } from '@aa/cifar-data';

import type { ExperimentPlan, ModelRun, ModelSpec, TrainTest } from '../experiments/types';

/** What names a training job: one model of one experiment trained with one seed. */
export interface JobKey {
  /** The experiment's key (`shift`, `residual`, ...). */
  experiment: string;
  /** The model's key within the experiment (`plain`, `aa`, ...). */
  model: string;
  seed: number;
}

/** Which of the run's data sets a job trains on. */
export type JobDataset = 'cifar10' | 'cifar100';

/** A job as its experiment asks for it: the key plus everything needed to train it. */
export interface JobWork extends JobKey {
  spec: ModelSpec;
  /** The train/test subsets it trains and tests on. */
  data: TrainTest;
  dataset: JobDataset;
  /** The experiment's plan: its epochs, and its seeds (the progress lines name the seed only when there are several). */
  plan: ExperimentPlan;
  /** The test image whose 64 crops a shift model scores after training. */
  shiftImage?: { set: LabeledImages; index: number };
}

/** How one training job gets its run: trained here, or read from what a queue's worker wrote. */
export type JobExecutor = (job: JobWork) => Promise<ModelRun>;

/** A job of the graph as plain data (the manifest of a queue run lists them). */
export interface PlannedJob extends JobKey {
  /** File name stem in `runs/`, `checkpoints/` and `models/`: `<experiment>-<model>-seed<seed>`. */
  name: string;
  dataset: JobDataset;
  /** The model's label, for progress lines. */
  label: string;
  epochs: number;
}

/**
 * A run's work as a graph: training jobs that depend on nothing (each resumes from its own checkpoint), and one merge
 * step per experiment, in the run's order, that needs its own jobs and the experiments before it (some plot the
 * models of an earlier experiment). Experiments that train nothing (aliasing) are merge steps with no jobs.
 */
export interface JobGraph {
  jobs: PlannedJob[];
  /** `jobs`: the names of its own jobs; `after`: the experiments whose merge comes first. */
  merges: { experiment: string; jobs: string[]; after: string[] }[];
}

/** Who trained a job, recorded with its result: the machine, the process, the backend and the code versions. */
export interface WorkerRecord {
  hostname: string;
  pid: number;
  backend: string;
  backendProvider: string;
  node: string;
  tfjs: string;
  /** Versions of the @aa packages the bench runs on. */
  packages: Record<string, string>;
  /** Hash of the code that trains: the bench's bundle and each @aa package's entry file. */
  code: string;
}

/** How a queue job went, kept with its run record. */
export interface JobAttemptRecord extends WorkerRecord {
  /** BullMQ's job id. */
  jobId: string;
  /** Which start of the job this was (1 = first; more after a worker died or failed). */
  attempt: number;
  /** The epoch (1-based) it continued from when it resumed a checkpoint, else null. */
  resumedFromEpoch: number | null;
  startedAt: string;
  finishedAt: string;
}

/** A finished job's record in `runs/<name>.json`: the model run, and for queue runs who trained it. */
export interface JobRunRecord extends ModelRun {
  worker?: JobAttemptRecord;
}
