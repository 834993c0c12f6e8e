/**
 * @aa/train-loop — the chapter's `train_network` for TensorFlow.js: AdamW, learning-rate schedules, a plain
 * cross-entropy and accuracy, records, checkpoints (through a store; `@aa/train-loop/node` keeps them on disk) and a
 * progress bar. It takes any loss and score and never looks inside the targets. This entry runs in browsers too.
 */
export { AdamW } from './adamw';
export type { AdamWConfig } from './adamw';
export { cosineAnnealing, stepDecay, linearWarmup, sequentialSchedules, chainSchedules } from './schedules';
export type { LrSchedule, CosineAnnealingOptions, StepDecayOptions, LinearWarmupOptions } from './schedules';
export { crossEntropy } from './losses';
export { accuracy } from './scores';
export { trainNetwork, NonFiniteLossError } from './train';
export type { BatchEndInfo, TrainOptions, StepFn, StepContext, StepOutput } from './train';
export { recordsToRows, recordsToCsv, recordsToJson } from './records';
export type { EpochRecord, RecordRow } from './records';
export { readLatestCheckpoint, restoreModelFrom } from './checkpoint/format';
export type { CheckpointState, LoadedCheckpoint } from './checkpoint/format';
export { registerCheckpointDirStore } from './checkpoint/store';
export type { CheckpointDirStore, CheckpointStore, StoredCheckpoint } from './checkpoint/store';
export { createRng } from './rng';
export type { Rng } from './rng';
export { getLearningRate, setLearningRate } from './learningRate';
export type { Batch, BatchSource, LossFn, ScoreFn, Stateful, Targets } from './types';
export type { ProgressStream } from './progress';
