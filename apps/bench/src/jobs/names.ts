import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

import type { JobKey } from './types';

/** The file name stem of a job's run record, checkpoints and model files (the runner's names since format 2). */
export function jobName(job: JobKey): string {
  return `${job.experiment}-${job.model}-seed${job.seed}`;
}

/**
 * The BullMQ job id of a job of the run in `out`: the same for every submitter of the same run folder, so submitting a
 * run again (or re-attaching to it) adds nothing twice, and different folders never share ids. The folder enters as a
 * short hash of its absolute path; ids contain no `:` (BullMQ's key separator) and are never plain integers.
 */
export function queueJobId(out: string, job: JobKey): string {
  return `aa-${runFolderHash(out)}-${jobName(job)}`;
}

/** 12 hex digits of the SHA-256 of the folder's absolute path. */
export function runFolderHash(out: string): string {
  return createHash('sha256').update(resolve(out)).digest('hex').slice(0, 12);
}
