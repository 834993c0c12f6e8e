/**
 * @aa/bench as a library: the experiment registry and the pieces the `aa-bench` CLI is made of, for scripts that
 * want one of them (the chapter's models themselves are in @aa/blur and @aa/rezero).
 */
export { selectBackend, describeBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend';
export { PRESETS, PRESET_NAMES, type PresetName } from './config';
export { resolveCifar10, subset, trainTest, fallbackMessage, type RunData, type DataRequest } from './data';
export { EXPERIMENTS, CHAPTER_EXPERIMENTS, EXERCISES, experiment } from './experiments';
export type { Experiment, ExperimentContext, ExperimentPlan, ModelRun, ModelSpec, TrainTest, Workload } from './experiments/types';
export { runExperiments, inProcessJobs, evaluateClaims, writeReport, type RunRequest } from './runner';
export { trainModel, CROP_TRAIN, CROP_TEST, type TrainedModel, type TrainRunSettings } from './training/trainModel';
export { measureShift, cropPredictions, CENTRE_CROP, type ShiftMetrics, type ShiftMeasurement } from './training/shiftMetrics';
export { accuracyClaim, shiftStdClaim, type Claim, type Verdict } from './claims/claims';
export { mcnemarExact, wilcoxonSignedRank, binomialUpperTail, normalSurvival } from './claims/stats';
export { runAliasing, type AliasingOptions, type AliasingResult } from './aliasing/measure';
export { betaDensity, betaCurves } from './figures/beta';
export { measureThroughput, experimentSeconds, type Throughput } from './estimate';
export { planToBudget, fixedPlan, type RunPlan } from './plan';
// The training jobs (issue 20): the graph, in-process by default (`inProcessJobs`), or on a BullMQ queue.
export { buildJobGraph, discoverJobs } from './jobs/graph';
export { jobName, queueJobId } from './jobs/names';
export { runOnQueue, type QueueRunOptions } from './jobs/submit';
export { startWorker, type WorkerOptions, type WorkerHandle } from './jobs/worker';
export { mergeQueueRun } from './jobs/merge';
export type { JobKey, JobWork, JobExecutor, JobGraph, PlannedJob, WorkerRecord, JobRunRecord } from './jobs/types';
