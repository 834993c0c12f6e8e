import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BackendInfo } from '../src/backend';
import type { ModelSpec } from '../src/experiments/types';
import { jobWork } from '../src/jobs/context';
import { manifestDifferences, type RunManifest } from '../src/jobs/manifest';
import { jobName, queueJobId } from '../src/jobs/names';
import { publishOnce, readRunRecord, runRecordPath, writeJsonAtomic } from '../src/jobs/records';
import { trainJob, type TrainJobSettings } from '../src/jobs/trainJob';
import { codeVersion, incompatibilities, workerRecord } from '../src/jobs/versions';
import { CROP_TEST, CROP_TRAIN } from '../src/training/trainModel';
import { handRun, manifestHead, tinyInputs } from './jobs-helpers';

const root = mkdtempSync(join(tmpdir(), 'aa-bench-jobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const silent = { line: () => undefined, status: () => undefined };

describe('job names and queue ids', () => {
  it('name a job by experiment, model and seed, as the runs/ files always were', () => {
    expect(jobName({ experiment: 'shift', model: 'plain', seed: 0 })).toBe('shift-plain-seed0');
    expect(jobName({ experiment: 'exercise3', model: 'bottleneck_rezero', seed: 12 })).toBe('exercise3-bottleneck_rezero-seed12');
  });

  it('are deterministic per run folder and differ between folders', () => {
    const job = { experiment: 'shift', model: 'aa', seed: 2 };
    const a = queueJobId('/data/runs/a', job);
    expect(a).toBe(queueJobId('/data/runs/a', job));
    expect(a).toBe(queueJobId('/data/runs/b/../a/', job)); // the same folder, spelt otherwise
    expect(a).not.toBe(queueJobId('/data/runs/b', job));
    expect(a).not.toBe(queueJobId('/data/runs/a', { ...job, seed: 3 }));
    // BullMQ: no ':' (its key separator) and never a plain integer.
    expect(a).toMatch(/^aa-[0-9a-f]{12}-shift-aa-seed2$/);
  });
});

describe('run records', () => {
  it('publishOnce keeps the first record and tells the second writer it lost', () => {
    const file = join(root, 'once', 'runs', 'x.json');
    expect(publishOnce(file, { by: 'first' })).toBe(true);
    expect(publishOnce(file, { by: 'second' })).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ by: 'first' });
    expect(readdirSync(join(root, 'once', 'runs'))).toEqual(['x.json']); // no temporary file left
  });

  it('writeJsonAtomic replaces and leaves no temporary file', () => {
    const file = join(root, 'atomic', 'r.json');
    writeJsonAtomic(file, { n: 1 });
    writeJsonAtomic(file, { n: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 2 });
    expect(readdirSync(join(root, 'atomic'))).toEqual(['r.json']);
  });

  it('a corrupt record is an error naming the file', () => {
    const out = join(root, 'corrupt');
    const key = { experiment: 'shift', model: 'plain', seed: 0 };
    writeJsonAtomic(runRecordPath(out, key), {});
    writeFileSync(runRecordPath(out, key), '{"key": "pla');
    expect(() => readRunRecord(out, key)).toThrow(/cannot read the finished record .*shift-plain-seed0\.json/);
  });
});

describe('trainJob: completion is idempotent', () => {
  const inputs = tinyInputs();
  // A model whose construction is an error: any attempt to train it shows.
  const spec: ModelSpec = {
    key: 'plain',
    label: 'plain',
    build: () => {
      throw new Error('trained again');
    },
    workload: { cnn: 1 },
    trainTransform: CROP_TRAIN,
    testTransform: CROP_TEST,
  };
  const work = jobWork('shift', spec, 0, inputs.cifar10, inputs, { epochs: 1, seeds: [0] }, {});
  const settings = (out: string, mode: TrainJobSettings['mode'], resume: boolean): TrainJobSettings => ({ out, batchSize: 8, sink: silent, mode, resume });

  it('a worker finds the finished record and does not train', async () => {
    const out = join(root, 'done');
    const record = { ...handRun('plain', 0, 0.5, false), worker: undefined };
    writeJsonAtomic(runRecordPath(out, work), record);
    const outcome = await trainJob(work, settings(out, 'once', false));
    expect(outcome).toMatchObject({ reused: true, published: false, resumedFromEpoch: null });
    expect(outcome.record.finalAccuracy).toBe(0.5);
  });

  it('the in-process runner reuses it only with --resume, as before', async () => {
    const out = join(root, 'done');
    await expect(trainJob(work, settings(out, 'replace', true))).resolves.toMatchObject({ reused: true });
    await expect(trainJob(work, settings(out, 'replace', false))).rejects.toThrow('trained again');
  });
});

describe('workers and submitters', () => {
  const backend: BackendInfo = { name: 'onednn', provider: '@aa/backend-onednn', skipped: [] };

  it('a worker records host, pid, backend, versions and code', () => {
    const w = workerRecord(backend);
    expect(w).toMatchObject({ pid: process.pid, backend: 'onednn', node: process.version });
    expect(w.packages['@aa/train-loop']).toMatch(/^\d+\.\d+\.\d+/);
    expect(w.code).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the code version follows the contents of the files, not their paths', () => {
    const a = join(root, 'a.js');
    const b = join(root, 'b.js');
    writeFileSync(a, 'module.exports = 1;');
    writeFileSync(b, 'module.exports = 1;');
    expect(codeVersion([a])).toBe(codeVersion([b]));
    writeFileSync(b, 'module.exports = 2;');
    expect(codeVersion([a])).not.toBe(codeVersion([b]));
  });

  it('another backend, package version or code makes a worker unfit, with the fix', () => {
    const run = workerRecord(backend);
    expect(incompatibilities(run, { ...run, hostname: 'elsewhere', pid: 1, node: 'v22.0.0' })).toEqual([]);
    const worker = { ...run, backend: 'cpu', code: 'ffffffffffffffff', packages: { ...run.packages, '@aa/blur': '9.9.9' } };
    const diffs = incompatibilities(run, worker);
    expect(diffs).toHaveLength(3);
    expect(diffs[0]).toBe('backend cpu here, onednn in the run (start the worker with --backend onednn)');
    expect(diffs[1]).toMatch(/^@aa\/blur 9\.9\.9 here, \d+\.\d+\.\d+ in the run$/);
    expect(diffs[2]).toMatch(/^code version ffffffffffffffff here, [0-9a-f]{16} in the run \(build the same commit: pnpm build\)$/);
  });

  it('a re-attached run must have the same settings, named when not', () => {
    const manifest = (seeds: number[], fingerprint = 'abc'): RunManifest => ({
      ...manifestHead('shift', ['shift']),
      options: { shift: { imageId: 213 } },
      training: {
        request: { subset: true },
        plan: { sizes: { trainSize: 256, testSize: 128 }, plans: { shift: { epochs: 3, seeds } }, seconds: 0, why: [] },
        settings: { preset: 'smoke', trainSize: 256, testSize: 128, batchSize: 64, seed: 0, sizing: [] },
        source: 'embedded',
        embedded: true,
        fingerprint,
      },
      submitter: workerRecord(backend),
      queue: { url: 'redis://127.0.0.1:6379', name: 'aa-bench' },
      graph: { jobs: [], merges: [] },
    });
    expect(manifestDifferences(manifest([0, 1]), manifest([0, 1]))).toEqual([]);
    expect(manifestDifferences(manifest([0, 1]), manifest([0, 1, 2], 'def'))).toEqual([
      'shift seeds (0,1 before, 0,1,2 now)',
      'data (other images: fingerprint abc before, def now)',
    ]);
  });
});
