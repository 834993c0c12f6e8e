import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Everything a run measured: the report is rebuilt from this file alone (plus the images it names). */
export interface Results {
  tool: 'aa-bench';
  startedAt: string;
  finishedAt?: string;
  config: Record<string, unknown>;
  environment: { node: string; tfjs: string; backend: string; backendProvider: string; platform: string; cpus: number };
  experiments: { aliasing?: AliasingRecord };
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
