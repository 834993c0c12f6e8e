import { centerCrop, compose, dataLoader, randomCrop, type CifarBatch, type DataLoader, type LabeledImages, type Transform } from '@aa/cifar-data';
import { withMixup } from '@aa/mixup';
import { countTrainableParams } from '@aa/rezero';
import { accuracy, AdamW, cosineAnnealing, crossEntropy, trainNetwork, type EpochRecord, type StepFn } from '@aa/train-loop';
import type * as tf from '@tensorflow/tfjs';

/** The sizes and seed every training run of an experiment shares. */
export interface TrainRunSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Folder for this model's checkpoints (the runner chooses it); none without. */
  checkpointDir?: string;
  /** Continue from the last finished epoch in `checkpointDir`. */
  resume?: boolean;
  /** Called after every epoch (the runner logs progress). */
  onEpoch?: (record: EpochRecord) => void;
}

/** One model to train. */
export interface ModelSpec {
  /** Short key used in files and results (`plain`, `aa`, ...). */
  key: string;
  /** Name shown in the report. */
  label: string;
  build: () => tf.LayersModel;
  /** Per-image augmentation in training; default none. */
  trainTransform?: Transform;
  /** Transform at test time; default none. */
  testTransform?: Transform;
  /** MixUp α for the training batches (0 or absent: none). */
  mixupAlpha?: number;
  /** Custom training step (Manifold MixUp). */
  step?: (model: tf.LayersModel) => StepFn;
}

/** What training one model gave. */
export interface TrainedModel {
  key: string;
  label: string;
  params: number;
  records: EpochRecord[];
  /** Final test accuracy. */
  finalAccuracy: number | null;
  /** Training throughput over all epochs, images per second. */
  imagesPerSecond: number;
  model: tf.LayersModel;
}

/** The chapter's training protocol: random 24×24 crops to train, the centre crop to test. */
export const CROP_TRAIN: Transform = randomCrop(24);
/** See {@link CROP_TRAIN}. */
export const CROP_TEST: Transform = centerCrop(24);

/**
 * A loader's epochs as a checkpointable batch source: `trainNetwork` saves its epoch counter with each checkpoint,
 * so a resumed run draws the same shuffles and crops as an uninterrupted one.
 */
export class EpochSource implements Iterable<CifarBatch> {
  private epoch = 0;
  /** Batches per epoch. */
  readonly length: number;
  constructor(private readonly loader: DataLoader) {
    this.length = loader.length;
  }
  [Symbol.iterator](): Iterator<CifarBatch> {
    return this.loader.epochIterator(this.epoch++);
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

/**
 * Trains one model the chapter's way: AdamW (lr 1e-3, weight decay 0.01), cosine annealing over the epochs
 * stepped per epoch, cross-entropy (MixUp-aware), test accuracy after every epoch. The caller disposes
 * `result.model`.
 */
export async function trainModel(spec: ModelSpec, train: LabeledImages, test: LabeledImages, settings: TrainRunSettings): Promise<TrainedModel> {
  const model = spec.build();
  const loader = new EpochSource(dataLoader(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, transform: spec.trainTransform ?? compose() }));
  const testLoader = dataLoader(test, { batchSize: Math.max(settings.batchSize, 256), transform: spec.testTransform ?? compose() });
  const source = spec.mixupAlpha ? withMixup(loader, { alpha: spec.mixupAlpha, seed: settings.seed + 1 }) : loader;
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
      seed: settings.seed,
      stateful: { trainLoader: loader },
      silent: true,
      onEpochEnd: settings.onEpoch,
    });
    const last = records[records.length - 1];
    const seconds = last?.totalTime ?? 0;
    return {
      key: spec.key,
      label: spec.label,
      params: countTrainableParams(model),
      records,
      finalAccuracy: last?.testScores.Accuracy ?? null,
      imagesPerSecond: seconds > 0 ? (train.count * records.length) / seconds : 0,
      model,
    };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
}
