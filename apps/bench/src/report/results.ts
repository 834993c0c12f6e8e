import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '@aa/train-loop';

/** Aliasing results as stored: the numbers, and the PNG files the images went to. */
export interface AliasingRecord {
  source: string;
  size: number;
  factor: number;
  blurKernelSize: number;
  error: { maxPool: number; antiAliased: number };
  reduction: number;
  images: { original: string; maxPool: string; antiAliased: string };
  seconds: number;
}

/** One trained model as stored: its per-epoch records (train-loop's EpochRecord) and summary figures. */
export interface ModelRecord {
  key: string;
  label: string;
  params: number;
  /** Final test accuracy (null if there was no test data). */
  finalAccuracy: number | null;
  /** Training images per second over the whole run. */
  imagesPerSecond: number;
  /** Per-epoch records as `trainNetwork` returns them. */
  records: EpochRecord[];
  /** Shift experiments only: exercise 1's figures over the test images. */
  shift?: { medianStd: number; agreement: number; accuracyAllShifts: number; images: number };
  /** Shift experiments only: correct-class probability of the 64 crops of the chosen image. */
  imageProbabilities?: number[];
}

/** A figure file of the report. */
export interface FigureRecord {
  file: string;
  caption: string;
  /** Shown width in pixels. */
  width: number;
}

/** A training experiment (shift, residual, mixup, or one exercise) as stored. */
export interface TrainingRecord {
  title: string;
  /** What it reproduces and how, for the report. */
  description: string;
  dataset: string;
  models: ModelRecord[];
  /** CSV of every model's per-epoch records (column `model` first). */
  csv: string;
  figures: FigureRecord[];
  /** Shift experiment: the chosen test image. */
  image?: { id: number; label: number; className: string };
  notes: string[];
  seconds: number;
}

/** Keys of the training experiments, in the order `all` runs them. */
export const TRAINING_KEYS = ['shift', 'residual', 'mixup', 'exercise2', 'exercise3', 'exercise4', 'exercise5', 'exercise6'] as const;
export type TrainingKey = (typeof TRAINING_KEYS)[number];

/** The data a run trained on. */
export interface DataRecord {
  source: string;
  /** True when the run used the shipped 1,000/500-image sample instead of the full CIFAR-10. */
  sample: boolean;
  trainSize: number;
  testSize: number;
  epochs: number;
  batchSize: number;
  preset: string;
}

/** Everything a run measured: the report is rebuilt from this file alone (plus the images it names). */
export interface Results {
  tool: 'aa-bench';
  startedAt: string;
  finishedAt?: string;
  config: Record<string, unknown>;
  environment: { node: string; tfjs: string; backend: string; backendProvider: string; platform: string; cpus: number };
  /** Present when the run trained models. */
  data?: DataRecord;
  experiments: { aliasing?: AliasingRecord } & Partial<Record<TrainingKey, TrainingRecord>>;
}

export const RESULTS_FILE = 'results.json';

/** Writes `results.json` atomically (temporary file, then rename), so an interrupted run never leaves half a file. */
export function writeResults(dir: string, results: Results): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, RESULTS_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Reads a run's `results.json`, with a clear error when it is missing or not one. */
export function readResults(dir: string): Results {
  const path = join(dir, RESULTS_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!parsed || typeof parsed !== 'object' || (parsed as Results).tool !== 'aa-bench') {
    throw new Error(`${path} is not an aa-bench results file.`);
  }
  return parsed as Results;
}

/** Writes rows as CSV (RFC 4180 quoting). */
export function writeCsv(path: string, header: string[], rows: (string | number)[][]): void {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  writeFileSync(path, [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n');
}
