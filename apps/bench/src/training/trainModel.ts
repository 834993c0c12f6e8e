import { centerCrop, dataLoader, randomCrop, type CifarBatch, type DataLoader, type LabeledImages, type Transform } from '@aa/cifar-data';
import { accuracy, createRng, crossEntropy, withMixup } from '@aa/mixup';
import { countTrainableParams } from '@aa/rezero';
import { AdamW, cosineAnnealing, trainNetwork, type EpochRecord, type Stateful } from '@aa/train-loop';
// Checkpoints go to files: the Node entry gives trainNetwork's checkpointDir its file store.
import '@aa/train-loop/node';
import * as tf from '@tensorflow/tfjs';

import { binomialUpperTail } from '../claims/stats';
import type { LearnedCheck, ModelRun, ModelSpec, TrainTest } from '../experiments/types';
import { cropPredictions, measureShift } from './shiftMetrics';

/** The chapter's training protocol: random 24×24 crops to train, the centre crop to test. */
export const CROP_TRAIN: Transform = randomCrop(24);
/** See {@link CROP_TRAIN}. */
export const CROP_TEST: Transform = centerCrop(24);

/** Progress inside an epoch, for the runner's progress line. */
export interface BatchProgress {
  epoch: number;
  /** Images trained so far in this epoch. */
  images: number;
  /** Images per epoch. */
  total: number;
}

/** How one model is trained: sizes, and the runner's hooks. */
export interface TrainRunSettings {
  epochs: number;
  batchSize: number;
  /** Folder for this model's checkpoints; none without. */
  checkpointDir?: string;
  /** Continue from the last finished epoch in `checkpointDir`. */
  resume?: boolean;
  /** Called after every epoch. */
  onEpoch?: (record: EpochRecord) => void;
  /** Called after every batch. */
  onBatch?: (progress: BatchProgress) => void;
  /** A test image whose 64 crops are scored after training (shift models). */
  shiftImage?: { set: LabeledImages; index: number };
}

/**
 * A loader's epochs as a checkpointable batch source: `trainNetwork` saves its epoch counter with each checkpoint,
 * so a resumed run draws the same shuffles and crops as an uninterrupted one.
 */
export class EpochSource implements Iterable<CifarBatch> {
  private epoch = 0;
  /** Batches per epoch. */
  readonly length: number;
  constructor(
    private readonly loader: DataLoader,
    private readonly onBatch?: (images: number, epoch: number) => void,
  ) {
    this.length = loader.length;
  }
  *[Symbol.iterator](): Iterator<CifarBatch> {
    let images = 0;
    const epoch = this.epoch++;
    for (const batch of this.loader.epochIterator(epoch)) {
      // Reported as the batch is handed over: the previous one has finished its step by then.
      this.onBatch?.(images, epoch);
      images += batch.xs.shape[0];
      yield batch;
    }
    this.onBatch?.(images, epoch);
  }
  getState(): { epoch: number } {
    return { epoch: this.epoch };
  }
  setState(state: unknown): void {
    const epoch = (state as { epoch?: unknown } | null)?.epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) throw new Error(`EpochSource.setState: state must be {epoch: integer >= 0}, got ${JSON.stringify(state)}.`);
    this.epoch = epoch;
  }
}

/** A model's final accuracy against guessing: learned when clearly above chance (p < 0.001 and at least twice chance). */
export function learnedCheck(correct: number, total: number, classes: number): LearnedCheck {
  const chance = 1 / classes;
  const accuracy = total ? correct / total : 0;
  const pValue = binomialUpperTail(correct, total, chance);
  return { learned: pValue < 1e-3 && accuracy >= 2 * chance, accuracy, chance, pValue };
}

/** Predicted classes of every image of `set` under `transform`, in order. */
export function predictClasses(model: tf.LayersModel, set: LabeledImages, transform: Transform, batchSize = 256): Int32Array {
  const out = new Int32Array(set.count);
  let at = 0;
  for (const batch of dataLoader(set, { batchSize, transform })) {
    const classes = tf.tidy(() => tf.argMax(model.predict(batch.xs) as tf.Tensor2D, 1).dataSync() as Int32Array);
    out.set(classes, at);
    at += classes.length;
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

/** A trained model and what it measured; the caller disposes `model`. */
export interface TrainedModel {
  run: ModelRun;
  model: tf.LayersModel;
}

/**
 * Trains one model the chapter's way: AdamW (lr 1e-3, weight decay 0.01), cosine annealing over the epochs stepped
 * per epoch, cross-entropy (MixUp-aware), test accuracy after every epoch; every random choice (weights, shuffles,
 * crops, MixUp) comes from `seed`. Then scores each test image (and, for shift models, its 64 crops).
 */
export async function trainModel(spec: ModelSpec, seed: number, data: TrainTest, settings: TrainRunSettings): Promise<TrainedModel> {
  const model = spec.build(seed);
  const total = data.train.count;
  const loader = new EpochSource(
    dataLoader(data.train, { batchSize: settings.batchSize, shuffle: true, seed, transform: spec.trainTransform }),
    settings.onBatch ? (images, epoch) => settings.onBatch?.({ epoch, images, total }) : undefined,
  );
  const testLoader = dataLoader(data.test, { batchSize: Math.max(settings.batchSize, 256), transform: spec.testTransform });
  // MixUp's generator is checkpointed with the run, so a resumed run draws the λ and permutations it would have.
  const mixupRng = createRng(seed + 1);
  const source = spec.mixupAlpha ? withMixup(loader, { alpha: spec.mixupAlpha, rng: mixupRng }) : loader;
  const stateful: Record<string, Stateful> = spec.mixupAlpha ? { trainLoader: loader, mixup: mixupRng } : { trainLoader: loader };
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.01 });
  try {
    const records = await trainNetwork(model, crossEntropy, source, {
      epochs: settings.epochs,
      optimizer,
      schedule: cosineAnnealing({ tMax: settings.epochs }),
      scheduleStep: 'epoch',
      testData: testLoader,
      scores: { Accuracy: accuracy },
      step: spec.step?.(model),
      checkpointDir: settings.checkpointDir,
      resume: settings.resume === true && settings.checkpointDir !== undefined,
      seed: seed + 2,
      stateful,
      silent: true,
      onEpochEnd: settings.onEpoch,
    });
    const last = records[records.length - 1];
    const seconds = last?.totalTime ?? 0;
    const shift = spec.shift ? measureShift(model, data.test) : undefined;
    const correct = shift ? shift.centreCorrect : Array.from(predictClasses(model, data.test, spec.testTransform), (c, i) => c === data.test.labels[i]);
    const hits = correct.filter(Boolean).length;
    const run: ModelRun = {
      key: spec.key,
      label: spec.label,
      seed,
      params: countTrainableParams(model),
      records,
      finalAccuracy: last?.testScores.Accuracy ?? hits / Math.max(1, correct.length),
      imagesPerSecond: seconds > 0 ? (total * records.length) / seconds : 0,
      testCorrect: correct.map((c) => (c ? '1' : '0')).join(''),
      learned: learnedCheck(hits, correct.length, spec.classes ?? data.classes),
    };
    if (shift) {
      const image = settings.shiftImage;
      run.shift = {
        metrics: shift.metrics,
        perImageStd: shift.perImageStd.map((v) => Number(v.toFixed(6))),
        imageProbabilities: image ? Array.from(cropPredictions(model, image.set, image.index).probs, (v) => Number(v.toFixed(6))) : [],
      };
    }
    return { run, model };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}
