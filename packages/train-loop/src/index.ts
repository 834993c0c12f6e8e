/**
 * @aa/train-loop — the chapter's `train_network` for TensorFlow.js: AdamW, learning-rate schedules,
 * losses and scores that understand MixUp targets, records, checkpoints and a progress bar.
 */
export { AdamW } from './adamw';
export type { AdamWConfig } from './adamw';
export { cosineAnnealing, stepDecay, linearWarmup, sequentialSchedules, chainSchedules } from './schedules';
export type { LrSchedule, CosineAnnealingOptions, StepDecayOptions, LinearWarmupOptions } from './schedules';
export { crossEntropy } from './losses';
export { accuracy } from './scores';
export { trainNetwork, NonFiniteLossError } from './train';
export type { TrainOptions, StepFn, StepContext, StepOutput } from './train';
export { recordsToRows, recordsToCsv, recordsToJson } from './records';
export type { EpochRecord, RecordRow } from './records';
export { fileIOHandler, loadCheckpoint, restoreModel } from './checkpoint';
export type { CheckpointState, LoadedCheckpoint } from './checkpoint';
export { getLearningRate, setLearningRate } from './learningRate';
export { isMixupTargets } from './types';
export type { Batch, BatchSource, LossFn, MixupTargets, ScoreFn, Stateful, Targets } from './types';
export type { ProgressStream } from './progress';
