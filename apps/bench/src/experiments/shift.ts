import { shiftedCrops, type CifarSplit, type LabeledImages } from '@aa/cifar-data';
import * as tf from '@tensorflow/tfjs';

import { chapterCnn, type CnnPooling } from '../models';
import { CROP_TEST, CROP_TRAIN, trainModel, type ModelSpec, type TrainedModel, type TrainRunSettings } from './training';

/** Exercise 1's figures for one model over the test images. */
export interface ShiftMetrics {
  /** Median over images of the std (over the 64 crops) of the correct-class probability. */
  medianStd: number;
  /** Fraction of crops whose predicted class equals the centre crop's. */
  agreement: number;
  /** Accuracy over all crops of all images. */
  accuracyAllShifts: number;
  /** Images measured. */
  images: number;
}

/** One model's side of the shift experiment. */
export interface ShiftModelResult extends Omit<TrainedModel, 'model'> {
  /** Correct-class probability of each of the 64 crops of the chosen image (crop k = top·8 + left). */
  imageProbabilities: number[];
  metrics: ShiftMetrics;
}

/** What the shift experiment measured. */
export interface ShiftResult {
  imageId: number;
  imageLabel: number;
  className: string;
  /** The 64 crops of the chosen image, `[64, 24, 24, 3]` in [0, 1], flattened (for the grid figure). */
  crops: Float32Array;
  models: ShiftModelResult[];
}

/** The two models of the chapter's shift experiment, and exercise 2's four, in the same protocol. */
export function shiftModels(which: 'chapter' | 'exercise2'): ModelSpec[] {
  const cnn = (pooling: CnnPooling, key: string, label: string): ModelSpec => ({
    key,
    label,
    build: () => chapterCnn({ pooling }),
    trainTransform: CROP_TRAIN,
    testTransform: CROP_TEST,
  });
  return which === 'chapter'
    ? [cnn('max', 'plain', 'plain CNN (max pooling)'), cnn('maxblur', 'aa', 'anti-aliased CNN (max-blur pooling)')]
    : [
        cnn('strided', 'strided', 'strided convolutions'),
        cnn('aastrided', 'aa_strided', 'anti-aliased strided convolutions'),
        cnn('avg', 'avg', 'average pooling'),
        cnn('blurpool', 'blurpool', 'blur pooling'),
      ];
}

/** Correct-class probabilities `[64]` and predicted classes `[64]` of the crops of test image `index`. */
function cropPredictions(model: tf.LayersModel, set: LabeledImages, index: number): { probs: Float32Array; classes: Int32Array } {
  return tf.tidy(() => {
    const crops = shiftedCrops(set, index, { size: 24, shifts: 8 });
    const p = tf.softmax(model.predict(crops) as tf.Tensor2D);
    const label = set.labels[index] as number;
    const probs = tf.squeeze(tf.slice(p, [0, label], [-1, 1])).dataSync() as Float32Array;
    const classes = tf.argMax(p, 1).dataSync() as Int32Array;
    return { probs: Float32Array.from(probs), classes: Int32Array.from(classes) };
  });
}

/** The centre crop's index among the 64 (top 4, left 4: torchvision's CenterCrop of 24 in 32). */
export const CENTRE_CROP = 4 * 8 + 4;

/** Exercise 1 over `set`: the spread of each model's correct-class probability as the 24×24 window moves. */
export function shiftMetrics(model: tf.LayersModel, set: LabeledImages): ShiftMetrics {
  const stds: number[] = [];
  let agree = 0;
  let correct = 0;
  let crops = 0;
  for (let i = 0; i < set.count; i++) {
    const { probs, classes } = cropPredictions(model, set, i);
    const mean = probs.reduce((a, b) => a + b, 0) / probs.length;
    stds.push(Math.sqrt(probs.reduce((a, b) => a + (b - mean) ** 2, 0) / probs.length));
    const centre = classes[CENTRE_CROP];
    const label = set.labels[i];
    for (const c of classes) {
      if (c === centre) agree++;
      if (c === label) correct++;
    }
    crops += classes.length;
  }
  stds.sort((a, b) => a - b);
  const mid = stds.length >> 1;
  const medianStd = stds.length === 0 ? 0 : stds.length % 2 ? (stds[mid] as number) : ((stds[mid - 1] as number) + (stds[mid] as number)) / 2;
  return { medianStd, agreement: crops ? agree / crops : 0, accuracyAllShifts: crops ? correct / crops : 0, images: set.count };
}

/**
 * The chapter's shift experiment (and exercise 1): trains the plain and anti-aliased CNNs on random 24×24
 * crops, tests on centre crops, then measures how each model's prediction moves with the crop position.
 * @param fullTest the whole test split (the chosen image is indexed in it); `test` is the evaluated subset.
 */
export async function runShift(
  train: LabeledImages,
  test: LabeledImages,
  fullTest: CifarSplit,
  classNames: readonly string[],
  imageId: number,
  settingsFor: (key: string) => TrainRunSettings,
  specs: ModelSpec[] = shiftModels('chapter'),
): Promise<ShiftResult> {
  const id = Math.min(imageId, fullTest.count - 1);
  const models: ShiftModelResult[] = [];
  for (const spec of specs) {
    const trained = await trainModel(spec, train, test, settingsFor(spec.key));
    try {
      const { model, ...rest } = trained;
      models.push({ ...rest, imageProbabilities: Array.from(cropPredictions(model, fullTest, id).probs), metrics: shiftMetrics(model, test) });
    } finally {
      trained.model.dispose();
    }
  }
  const crops = tf.tidy(() => shiftedCrops(fullTest, id, { size: 24, shifts: 8 }).dataSync() as Float32Array);
  const label = fullTest.labels[id] as number;
  return { imageId: id, imageLabel: label, className: classNames[label] ?? String(label), crops: Float32Array.from(crops), models };
}
