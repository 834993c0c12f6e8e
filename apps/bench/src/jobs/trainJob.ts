import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadCheckpoint } from '@aa/train-loop/node';
import * as tf from '@tensorflow/tfjs';

import type { EpochRecord } from '@aa/train-loop';

import { ensureOutputDir, runPaths } from '../outputDir';
import { TrainingProgress, type ProgressSink } from '../progress';
import { trainModel } from '../training/trainModel';
import { jobName } from './names';
import { publishOnce, readRunRecord, runRecordPath, writeJsonAtomic } from './records';
import type { JobRunRecord, JobWork } from './types';

/** Models this small also get their final weights saved (the playground can load them). */
export const SAVED_MODEL_MAX_PARAMS = 100_000;

/** How {@link trainJob} treats the run folder. */
export interface TrainJobSettings {
  /** The run folder. */
  out: string;
  batchSize: number;
  sink: ProgressSink;
  /**
   * `replace`: the in-process runner's way: a finished record is reused only with `resume`, a checkpoint is resumed
   * only with `resume`, and the record is written over any earlier one. `once`: a queue worker's way: a finished
   * record is always reused (the job completed elsewhere), a checkpoint is always resumed, and the record is published
   * only if no other worker published it first.
   */
  mode: 'replace' | 'once';
  resume: boolean;
  /** Called after each epoch (a worker reports progress to the queue). */
  onEpoch?: (record: EpochRecord) => void;
  /** Completes the record before it is published (a worker adds who trained it). */
  stamp?: (record: JobRunRecord, resumedFromEpoch: number | null) => JobRunRecord;
}

/** What {@link trainJob} did. */
export interface JobOutcome {
  record: JobRunRecord;
  /** True when the job had finished before and was not trained again. */
  reused: boolean;
  /** The 1-based epoch it continued from, when it resumed a checkpoint. */
  resumedFromEpoch: number | null;
  /** False when another worker published the same job's record first (this copy was dropped). */
  published: boolean;
}

/** Saves a model's topology and weights as `model.json` + `weights.bin` (loadable with `tf.loadLayersModel`). */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<void> {
  ensureOutputDir(dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = { modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/**
 * Trains one job into the run folder: `checkpoints/<name>/` after every epoch (resumed from there), then the small
 * models' weights in `models/<name>/`, then the record `runs/<name>.json`, written atomically; the checkpoints go once
 * the record is there. A finished record found first is returned without training (see {@link TrainJobSettings.mode}).
 */
export async function trainJob(job: JobWork, s: TrainJobSettings): Promise<JobOutcome> {
  const paths = runPaths(s.out);
  const id = jobName(job);
  const runFile = runRecordPath(s.out, job);
  const { experiment, spec, seed, plan } = job;
  const reuse = s.mode === 'once' || s.resume;
  const before = reuse ? readRunRecord(s.out, job) : null;
  if (before) {
    s.sink.line(s.mode === 'once' ? `${experiment}/${spec.key} seed ${seed}: already finished (its record is in runs/), not trained again` : `${experiment}/${spec.key} seed ${seed}: finished in the earlier run, reused`);
    return { record: before, reused: true, resumedFromEpoch: null, published: false };
  }
  const resume = s.mode === 'once' || s.resume;
  const checkpointDir = join(paths.checkpoints, id);
  let resumedFromEpoch: number | null = null;
  if (resume) {
    const cp = await loadCheckpoint(checkpointDir).catch(() => null);
    if (cp) {
      resumedFromEpoch = cp.state.epoch + 2;
      s.sink.line(`resuming ${experiment}/${spec.key} seed ${seed} from epoch ${resumedFromEpoch} (epochs 1-${cp.state.epoch + 1} were done)`);
    }
  }
  ensureOutputDir(paths.checkpoints);
  const name = `${experiment}/${spec.key}${plan.seeds.length > 1 ? ` seed ${seed}` : ''}`;
  const bar = new TrainingProgress(s.sink, name, plan.epochs);
  const set = job.data;
  s.sink.line(`${name}: training ${spec.label}, ${plan.epochs} epoch${plan.epochs === 1 ? '' : 's'} on ${set.train.count.toLocaleString('en-US')} images`);
  const { run, model } = await trainModel(spec, seed, set, {
    epochs: plan.epochs,
    batchSize: s.batchSize,
    checkpointDir,
    resume,
    shiftImage: job.shiftImage,
    onBatch: (p) => bar.batch(p.epoch, p.images, p.total),
    onEpoch: (r) => {
      s.sink.line(
        `${name}: epoch ${r.epoch + 1}/${plan.epochs} loss ${r.trainLoss.toFixed(4)} test accuracy ${((r.testScores.Accuracy ?? 0) * 100).toFixed(1)}% (${r.epochTime.toFixed(1)} s)`,
      );
      s.onEpoch?.(r);
    },
  });
  let record: JobRunRecord = run;
  let published = true;
  try {
    // A worker that lost the race skips the model files too: the winner wrote (or is writing) the same bytes.
    const lost = s.mode === 'once' && existsSync(runFile);
    if (!lost && run.params <= SAVED_MODEL_MAX_PARAMS) await saveModelFiles(model, join(paths.models, id));
  } finally {
    model.dispose();
  }
  if (s.stamp) record = s.stamp(run, resumedFromEpoch);
  if (s.mode === 'once') {
    published = publishOnce(runFile, record);
    if (!published) {
      s.sink.line(`${name}: another worker finished this job first; its record is kept and this one dropped`);
      record = readRunRecord(s.out, job) ?? record;
    }
  } else {
    writeJsonAtomic(runFile, record);
  }
  rmSync(checkpointDir, { recursive: true, force: true });
  s.sink.line(`${name}: final test accuracy ${(run.finalAccuracy * 100).toFixed(2)}%${run.learned.learned ? '' : ' (did not learn)'}, ${run.imagesPerSecond.toFixed(0)} img/s`);
  return { record, reused: false, resumedFromEpoch, published };
}
