import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Claim } from '../claims/claims';
import type { ExperimentPlan, ExperimentRecordBase } from '../experiments/types';

/** The data a run trained on. */
export interface DataRecord {
  /** Where it was read from. */
  source: string;
  /** True when this is the CIFAR-10 subset embedded in the project, not the full data set. */
  embedded: boolean;
  trainSize: number;
  testSize: number;
}

/** The settings every training experiment of a run shares. */
export interface RunSettingsRecord {
  /** `auto` (sized to the time budget), `chapter`, `quick` or `smoke`. */
  preset: string;
  trainSize: number;
  testSize: number;
  batchSize: number;
  /** The first seed; experiments train seeds seed, seed+1, ... */
  seed: number;
  /** Why these sizes: the planner's explanation. */
  sizing: string[];
  /** Each training experiment's epochs and seeds, by key. */
  plans: Record<string, ExperimentPlan>;
}

/** Everything a run measured: the report is rebuilt from this file alone (plus the images it names). */
export interface Results {
  tool: 'aa-bench';
  /** Layout of this file. */
  format: 2;
  startedAt: string;
  finishedAt?: string;
  /** The command that made it, e.g. `chapter`, `shift`, `all`. */
  command: string;
  /** The experiments it runs, in order. */
  planned: string[];
  environment: { node: string; tfjs: string; backend: string; backendProvider: string; platform: string; cpus: number };
  /** Present when the run trained models. */
  settings?: RunSettingsRecord;
  data?: DataRecord;
  /** Each experiment's record, by key. */
  experiments: Record<string, ExperimentRecordBase>;
  /** The chapter's claims this run tested, with verdicts. */
  claims: Claim[];
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
  if ((parsed as Results).format !== 2) {
    throw new Error(`${path} was written by an older aa-bench (no 'format: 2'); rerun the experiments to rebuild its report.`);
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
