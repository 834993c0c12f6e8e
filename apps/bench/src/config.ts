import { BACKEND_CHOICES, type BackendChoice } from './backend';

/** Default output folder: `results/<timestamp>/`, a new one per run. */
export function defaultOutDir(now = new Date()): string {
  return `results/${now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

/** Parses a positive integer option for commander, naming the option in the error. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${value}'.`);
    return n;
  };
}

/** Parses a non-negative integer option (e.g. `--seed`, `--image-id`). */
export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${name} must be an integer >= 0, got '${value}'.`);
    return n;
  };
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

/** Size presets. `chapter` is the book's protocol; every option a user leaves out comes from it. */
export const PRESETS = {
  chapter: { trainSize: 50_000, testSize: 10_000, epochs: 30, batchSize: 128 },
  quick: { trainSize: 10_000, testSize: 2_500, epochs: 5, batchSize: 128 },
  smoke: { trainSize: 256, testSize: 128, epochs: 1, batchSize: 64 },
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
/** `auto`: sized to the time budget from the throughput measured on the first steps. */
export const PRESET_CHOICES = ['auto', ...PRESET_NAMES] as const;
export type PresetChoice = (typeof PRESET_CHOICES)[number];

/** Parses `--preset`. */
export function presetChoice(value: string): PresetChoice {
  if (!(PRESET_CHOICES as readonly string[]).includes(value)) throw new Error(`--preset must be one of ${PRESET_CHOICES.join(', ')}, got '${value}'.`);
  return value as PresetChoice;
}

/** Parses `--budget`: minutes, a positive number. */
export function budgetMinutes(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new Error(`--budget must be a positive number of minutes, got '${value}'.`);
  return n;
}

/** The training options as commander parses them. */
export interface TrainCliOptions {
  preset: PresetChoice;
  epochs?: number;
  seeds?: number;
  trainSize?: number;
  testSize?: number;
  batchSize?: number;
  seed: number;
  budget: number;
  dataDir?: string;
  archive?: string;
  /** Use the embedded CIFAR-10 subset on purpose. */
  subset?: boolean;
  cacheDir?: string;
  /** Download address of CIFAR-10 (tests point it at an unreachable host). */
  dataUrl?: string;
  resume?: boolean;
  /** Print the plan and stop. */
  dryRun?: boolean;
}

/** Checks the training options that depend on each other (before any slow work). */
export function checkTrainOptions(o: TrainCliOptions): void {
  if (o.dataDir !== undefined && o.archive !== undefined) {
    throw new Error(`--data-dir and --archive name two sources; give one, got --data-dir ${o.dataDir} and --archive ${o.archive}.`);
  }
  if (o.subset === true && (o.dataDir !== undefined || o.archive !== undefined)) throw new Error('--subset cannot be combined with --data-dir or --archive.');
  if (o.trainSize !== undefined && o.trainSize > 50_000) throw new Error(`--train-size must be at most 50000 (CIFAR's training split), got ${o.trainSize}.`);
  if (o.testSize !== undefined && o.testSize > 10_000) throw new Error(`--test-size must be at most 10000 (CIFAR's test split), got ${o.testSize}.`);
}

/** Whether the user fixed any size themselves (then nothing is sized to the budget). */
export function explicitSizes(o: TrainCliOptions): boolean {
  return o.epochs !== undefined || o.seeds !== undefined || o.trainSize !== undefined || o.testSize !== undefined;
}

/** Sizes of a non-auto run: the preset (default the chapter's), then the user's options over it. */
export function fixedSizes(o: TrainCliOptions): { trainSize: number; testSize: number; epochs: number; batchSize: number; seeds: number } {
  const p = PRESETS[o.preset === 'auto' ? 'chapter' : o.preset];
  return {
    trainSize: o.trainSize ?? p.trainSize,
    testSize: o.testSize ?? p.testSize,
    epochs: o.epochs ?? p.epochs,
    batchSize: o.batchSize ?? p.batchSize,
    seeds: o.seeds ?? 1,
  };
}
