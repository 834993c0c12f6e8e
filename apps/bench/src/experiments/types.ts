import type { LabeledImages, Transform } from '@aa/cifar-data';
import type { EpochRecord, StepFn } from '@aa/train-loop';
import type * as tf from '@tensorflow/tfjs';

import type { Claim } from '../claims/claims';
import type { RunData } from '../data';
import type { Section } from '../report/document';
import type { Results } from '../report/results';
import type { ShiftMetrics } from '../training/shiftMetrics';

/**
 * Training cost of one image through a model, in units of the two models whose speed the estimator measures:
 * the chapter's small CNN and its 28-block ResNet. `{resnet: 3.2}` is a network about 3.2 times the ResNet's cost.
 */
export interface Workload {
  cnn?: number;
  resnet?: number;
}

/** One model an experiment trains (once per seed). */
export interface ModelSpec {
  /** Short key used in files and results (`plain`, `aa`, ...). */
  key: string;
  /** Name shown in the report. */
  label: string;
  /** Builds the model with its weights initialised from `seed`. */
  build: (seed: number) => tf.LayersModel;
  /** Training cost per image, for the time estimate. */
  workload: Workload;
  /** Per-image augmentation in training (the chapter: random 24×24 crops). */
  trainTransform: Transform;
  /** Transform at test time (the chapter: the centre crop). */
  testTransform: Transform;
  /** MixUp α for the training batches (absent: no MixUp). */
  mixupAlpha?: number;
  /** Custom training step (Manifold MixUp). */
  step?: (model: tf.LayersModel) => StepFn;
  /** Measure exercise 1's shift figures over the test images after training. */
  shift?: boolean;
  /** Classes of the data it is trained on. Default 10. */
  classes?: number;
}

/** Whether a model learned anything: its final accuracy against chance (a one-sided exact binomial test). */
export interface LearnedCheck {
  learned: boolean;
  accuracy: number;
  chance: number;
  /** P(accuracy this high | guessing). */
  pValue: number;
}

/** One model trained with one seed, as plain data (results.json). */
export interface ModelRun {
  key: string;
  label: string;
  seed: number;
  params: number;
  /** Per-epoch records as `trainNetwork` returns them. */
  records: EpochRecord[];
  /** Final test accuracy (centre crops). */
  finalAccuracy: number;
  /** Training images per second over all epochs. */
  imagesPerSecond: number;
  /** Final per-test-image correctness, `'1'` or `'0'` per image in test order (the paired tests use it). */
  testCorrect: string;
  learned: LearnedCheck;
  /** Shift experiments: exercise 1 over the test images. */
  shift?: {
    metrics: ShiftMetrics;
    /** Per test image: std over its 64 crops of the correct-class probability. */
    perImageStd: number[];
    /** Correct-class probability of each of the 64 crops of the chosen image (crop k = top·8 + left). */
    imageProbabilities: number[];
  };
}

/** How long and how often an experiment trains its models. */
export interface ExperimentPlan {
  epochs: number;
  /** Seeds s, s+1, ...: every model is trained once per seed. */
  seeds: number[];
}

/** The data an experiment trains on. */
export interface TrainTest {
  train: LabeledImages;
  test: LabeledImages;
  /** Shown in the report (`CIFAR-10`, `CIFAR-10 subset`, ...). */
  name: string;
  classes: number;
}

/** An option an experiment adds to its CLI commands (`--image-id <n>`). */
export interface ExperimentOption {
  /** Commander flags, e.g. `'--image-id <n>'`. */
  flags: string;
  description: string;
  /** Parses and checks the value (errors name the option). */
  parse?: (value: string) => unknown;
  default?: unknown;
}

/** What the runner gives an experiment. */
export interface ExperimentContext {
  plan: ExperimentPlan;
  /** The values of the experiment's own options (camelCase keys, e.g. `imageId`), defaults filled in. */
  options: Record<string, unknown>;
  data: RunData;
  /** The chapter's data (CIFAR-10 at the run's sizes). */
  cifar10: TrainTest;
  /** CIFAR-100 at the run's sizes, or null when it is not available to this run. */
  cifar100(): Promise<TrainTest | null>;
  /** Trains `spec` with `seed` on `data` (default `cifar10`): checkpoints, resume and progress are the runner's. */
  train(spec: ModelSpec, seed: number, data?: TrainTest): Promise<ModelRun>;
  /** Records of the experiments that already ran in this run. */
  previous: Results['experiments'];
  /** A progress line (the runner prints it). */
  log(line: string): void;
}

/** A figure an experiment made; the runner writes `content` to `file`. */
export interface Figure {
  file: string;
  content: string | Uint8Array;
  caption: string;
  /** Shown width in pixels. */
  width: number;
}

/** A stored figure (results.json). */
export type FigureRecord = Omit<Figure, 'content'>;

/** Every experiment's stored record has these. */
export interface ExperimentRecordBase {
  title: string;
  figures: FigureRecord[];
  notes: string[];
  seconds: number;
}

/** What an experiment's `run` returns: its record and the files the runner writes. */
export interface ExperimentOutput<R extends ExperimentRecordBase> {
  record: Omit<R, 'figures' | 'seconds'>;
  figures: Figure[];
  /** Extra files (CSV), written as they are. */
  files?: { file: string; content: string }[];
}

/** One section of the chapter, or one exercise: everything the CLI, the estimator, the runner and the report need. */
export interface Experiment<R extends ExperimentRecordBase = ExperimentRecordBase> {
  /** Key in results.json and file names. */
  key: string;
  /** The CLI subcommand that runs it alone (exercises run together under `exercises`). */
  command: string;
  /** The exercise number, for exercises. */
  exercise?: number;
  title: string;
  /** One line for the CLI's help. */
  summary: string;
  /** Options of its own, beside the training options. */
  options?: ExperimentOption[];
  /** Whether it trains models (and so takes the training options). */
  trains: boolean;
  /** The models it trains (the estimator derives the workload from them). */
  models: () => ModelSpec[];
  run: (ctx: ExperimentContext) => Promise<ExperimentOutput<R>>;
  /** The chapter's claims this experiment tests, from its record and the others of the run. */
  claims?: (record: R, results: Results) => Claim[];
  /** Its section of the report. */
  section: (record: R, results: Results) => Section;
}
