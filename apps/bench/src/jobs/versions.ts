import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

import * as tf from '@tensorflow/tfjs';

import type { BackendInfo } from '../backend';
import type { WorkerRecord } from './types';

/** The @aa packages whose code trains a job (their versions and entry files enter the code version). */
export const TRAINING_PACKAGES = ['@aa/backend-onednn', '@aa/blur', '@aa/cifar-data', '@aa/cifar10-subset', '@aa/mixup', '@aa/rezero', '@aa/train-loop'] as const;

/** Entry files besides the packages' main ones. */
const EXTRA_ENTRIES = ['@aa/train-loop/node'];

/** `name`'s version, or `missing`. */
function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

/**
 * A short hash of the files given (default: this bundle and each training package's entry files). Two processes with
 * the same hash run the same JavaScript: the @aa versions alone stay 0.1.0 while the code changes under them.
 */
export function codeVersion(files: readonly string[] = codeFiles()): string {
  const hash = createHash('sha256');
  for (const f of files) {
    // Contents only, in a fixed order: the same build installed at another path has the same version.
    try {
      hash.update(readFileSync(f));
    } catch {
      hash.update(`missing ${f}`);
    }
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function codeFiles(): string[] {
  const entries = [...TRAINING_PACKAGES, ...EXTRA_ENTRIES].map((name) => {
    try {
      return require.resolve(name);
    } catch {
      return `missing:${name}`;
    }
  });
  return [__filename, ...entries];
}

let cachedCode: string | undefined;

/** This process as a worker: host, pid, backend, Node, tfjs, the @aa versions and the code version. */
export function workerRecord(backend: BackendInfo): WorkerRecord {
  cachedCode ??= codeVersion();
  return {
    hostname: os.hostname(),
    pid: process.pid,
    backend: backend.name,
    backendProvider: backend.provider,
    node: process.version,
    tfjs: tf.version.tfjs,
    packages: Object.fromEntries(TRAINING_PACKAGES.map((p) => [p, packageVersion(p)])),
    code: cachedCode,
  };
}

/**
 * What makes a worker unfit to train a submitter's jobs, one sentence each (empty: fit): another backend, tfjs, @aa
 * package version or code version would train other numbers than the run's. Host, pid and Node may differ.
 */
export function incompatibilities(run: WorkerRecord, worker: WorkerRecord): string[] {
  const diffs: string[] = [];
  if (run.backend !== worker.backend) diffs.push(`backend ${worker.backend} here, ${run.backend} in the run (start the worker with --backend ${run.backend})`);
  if (run.tfjs !== worker.tfjs) diffs.push(`tfjs ${worker.tfjs} here, ${run.tfjs} in the run`);
  for (const [name, version] of Object.entries(run.packages)) {
    if (worker.packages[name] !== version) diffs.push(`${name} ${worker.packages[name] ?? 'missing'} here, ${version} in the run`);
  }
  if (run.code !== worker.code) diffs.push(`code version ${worker.code} here, ${run.code} in the run (build the same commit: pnpm build)`);
  return diffs;
}

/** `host:pid`, how progress lines name a worker. */
export function workerName(w: Pick<WorkerRecord, 'hostname' | 'pid'>): string {
  return `${w.hostname}:${w.pid}`;
}
