import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';

import { runPaths } from '../outputDir';
import { jobName } from './names';
import type { JobKey, JobRunRecord } from './types';

/** Where a job's finished record lives: `<out>/runs/<name>.json`. */
export function runRecordPath(out: string, job: JobKey): string {
  return join(runPaths(out).runs, `${jobName(job)}.json`);
}

/** The finished record of a job, or null when it has not finished. */
export function readRunRecord(out: string, job: JobKey): JobRunRecord | null {
  const file = runRecordPath(out, job);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JobRunRecord;
  } catch (err) {
    throw new Error(`cannot read the finished record ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A temporary name beside `file`, unique to this process and host (several workers may share the folder over NFS). */
function temporaryBeside(file: string): string {
  return `${file}.${os.hostname()}.${process.pid}.${Date.now()}.tmp`;
}

/** Writes `value` as JSON to `file` atomically (a temporary file renamed over it): readers see all of it or nothing. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = temporaryBeside(file);
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

/**
 * Publishes `value` as `file` unless it already exists, atomically: the temporary file is hard-linked to the final
 * name, which fails when another process got there first. Returns true when this call published it. This is what
 * makes a job's completion idempotent: two workers that trained the same job (one thought dead, still running) both
 * try, exactly one record is kept, and both see the same.
 */
export function publishOnce(file: string, value: unknown): boolean {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = temporaryBeside(file);
  writeFileSync(tmp, JSON.stringify(value));
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}
