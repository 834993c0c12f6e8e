import { BACKEND_CHOICES, type BackendChoice } from './backend';

/** Options every subcommand takes. */
export interface GlobalOptions {
  out: string;
  backend: BackendChoice;
}

/** Options of the `aliasing` subcommand. */
export interface AliasingCliOptions {
  image?: string;
  factor: number;
  size: number;
}

/** Default output folder: `results/<timestamp>/`, a new one per run. */
export function defaultOutDir(now = new Date()): string {
  return `results/${now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

/** Parses a positive integer option for commander, naming the option in the error. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${value}'.`);
    return n;
  };
}

/** The exercises `aa-bench exercises` runs, by their number in the chapter. */
export const EXERCISE_KEYS = { 2: 'exercise2', 3: 'exercise3', 4: 'exercise4', 5: 'exercise5', 6: 'exercise6' } as const;
export type ExerciseKey = (typeof EXERCISE_KEYS)[keyof typeof EXERCISE_KEYS];

/** Parses `--only` of `exercises`: comma-separated exercise numbers (`4,5`), returned in the chapter's order. */
export function exerciseList(value: string): ExerciseKey[] {
  const numbers = Object.keys(EXERCISE_KEYS);
  const parts = value.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => !numbers.includes(p));
  if (parts.length === 0 || bad.length > 0) {
    throw new Error(`--only must be a comma-separated list of exercise numbers (${numbers.join(', ')}), got '${value}'.`);
  }
  return numbers.filter((n) => parts.includes(n)).map((n) => EXERCISE_KEYS[Number(n) as keyof typeof EXERCISE_KEYS]);
}

/** Parses `--tolerance` of `compare`: percentage points, a non-negative number. */
export function tolerancePoints(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--tolerance must be a non-negative number of percentage points, got '${value}'.`);
  return n;
}

/** Parses `--backend`. */
export function backendChoice(value: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${value}'.`);
  }
  return value as BackendChoice;
}

/** Checks the aliasing settings that depend on each other. */
export function validateAliasing(options: AliasingCliOptions): void {
  if (options.factor < 2) throw new Error(`--factor must be at least 2 (the shrink factor), got ${options.factor}.`);
  if (options.size < 8 * options.factor) {
    throw new Error(`--size must be at least 8 x --factor (${8 * options.factor}) for a meaningful comparison, got ${options.size}.`);
  }
}

/** Training-size presets: `chapter` is the book's settings. */
export const PRESETS = {
  chapter: { trainSize: 50_000, testSize: 10_000, epochs: 30, batchSize: 128 },
  quick: { trainSize: 10_000, testSize: 2_000, epochs: 5, batchSize: 128 },
  smoke: { trainSize: 256, testSize: 128, epochs: 1, batchSize: 64 },
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Options of the training subcommands (`shift`, `residual`, `mixup`, `exercises`, `all`), as commander parses them. */
export interface TrainCliOptions {
  preset: PresetName;
  epochs?: number;
  trainSize?: number;
  testSize?: number;
  batchSize?: number;
  seed: number;
  dataDir?: string;
  archive?: string;
  /** Use the shipped 1,000/500-image CIFAR-10 sample on purpose. */
  sample?: boolean;
  cacheDir?: string;
  /** Download address of CIFAR-10 (tests point it at an unreachable host). */
  dataUrl?: string;
  resume?: boolean;
  imageId: number;
}

/** The resolved sizes of a training run. */
export interface TrainSettings {
  preset: PresetName;
  epochs: number;
  trainSize: number;
  testSize: number;
  batchSize: number;
  seed: number;
  resume: boolean;
  imageId: number;
}

/** Parses `--preset`. */
export function presetChoice(value: string): PresetName {
  if (!(PRESET_NAMES as string[]).includes(value)) throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${value}'.`);
  return value as PresetName;
}

/** Parses a non-negative integer option (e.g. `--seed`, `--image-id`). */
export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be an integer >= 0, got '${value}'.`);
    return n;
  };
}

/** The preset with the overrides applied, checked. */
export function resolveTrainSettings(options: TrainCliOptions): TrainSettings {
  const preset = PRESETS[options.preset];
  if (preset === undefined) throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${String(options.preset)}'.`);
  if (options.dataDir !== undefined && options.archive !== undefined) {
    throw new Error(`--data-dir and --archive name two sources; give one, got --data-dir ${options.dataDir} and --archive ${options.archive}.`);
  }
  if (options.sample === true && (options.dataDir !== undefined || options.archive !== undefined)) {
    throw new Error('--sample cannot be combined with --data-dir or --archive.');
  }
  const s: TrainSettings = {
    preset: options.preset,
    epochs: options.epochs ?? preset.epochs,
    trainSize: options.trainSize ?? preset.trainSize,
    testSize: options.testSize ?? preset.testSize,
    batchSize: options.batchSize ?? preset.batchSize,
    seed: options.seed,
    resume: options.resume === true,
    imageId: options.imageId,
  };
  if (s.trainSize > 50_000) throw new Error(`--train-size must be at most 50000 (CIFAR's training split), got ${s.trainSize}.`);
  if (s.testSize > 10_000) throw new Error(`--test-size must be at most 10000 (CIFAR's test split), got ${s.testSize}.`);
  if (s.imageId >= 10_000) throw new Error(`--image-id must be below 10000 (a test image), got ${s.imageId}.`);
  return s;
}
