import { shiftedCrops, type LabeledImages } from '@aa/cifar-data';
import * as tf from '@tensorflow/tfjs';

import { median } from '../claims/stats';

/** Exercise 1's figures for one model over the test images. */
export interface ShiftMetrics {
  /** Median over images of the std (over the 64 crops) of the correct-class probability. */
  medianStd: number;
  /** Fraction of crops whose predicted class equals the centre crop's. */
  agreement: number;
  /** Accuracy over all crops of all images. */
  accuracyAllShifts: number;
  /**
   * Zhang's consistency (antialiased-cnns): the probability that two different random crops of an image get the same
   * class — computed exactly over all pairs of the 64 crops, the expectation of the sampled version.
   */
  consistency: number;
  /** Images measured. */
  images: number;
}

/** The centre crop's index among the 64 (top 4, left 4: torchvision's CenterCrop of 24 in 32). */
export const CENTRE_CROP = 4 * 8 + 4;

/** Correct-class probabilities `[64]` and predicted classes `[64]` of the 64 24×24 crops of image `index`. */
export function cropPredictions(model: tf.LayersModel, set: LabeledImages, index: number): { probs: Float32Array; classes: Int32Array } {
  return tf.tidy(() => {
    const crops = shiftedCrops(set, index, { size: 24, shifts: 8 });
    const p = tf.softmax(model.predict(crops) as tf.Tensor2D);
    const label = set.labels[index] as number;
    const probs = tf.squeeze(tf.slice(p, [0, label], [-1, 1])).dataSync() as Float32Array;
    const classes = tf.argMax(p, 1).dataSync() as Int32Array;
    return { probs: Float32Array.from(probs), classes: Int32Array.from(classes) };
  });
}

/** Exercise 1 over `set`, with the per-image figures the paired tests need. */
export interface ShiftMeasurement {
  metrics: ShiftMetrics;
  /** Per image: population std over its 64 crops of the correct-class probability. */
  perImageStd: number[];
  /** Per image: whether the centre crop is classified correctly (the chapter's test protocol). */
  centreCorrect: boolean[];
}

/** Images whose crops go through the model in one call (8 × 64 = 512 crops): fewer, larger calls run faster. */
const IMAGES_PER_CALL = 8;

/** Correct-class probabilities and predicted classes of the 64 crops of images `from..from+n-1`, 64 per image. */
function blockPredictions(model: tf.LayersModel, set: LabeledImages, from: number, n: number): { probs: Float32Array; classes: Int32Array } {
  return tf.tidy(() => {
    const crops = tf.concat(Array.from({ length: n }, (_, k) => shiftedCrops(set, from + k, { size: 24, shifts: 8 })));
    const p = tf.softmax(model.predict(crops) as tf.Tensor2D);
    const labels = tf.tensor1d(Array.from({ length: n * 64 }, (_, j) => set.labels[from + Math.floor(j / 64)] as number), 'int32');
    const probs = tf.sum(tf.mul(p, tf.oneHot(labels, p.shape[1])), 1).dataSync() as Float32Array;
    const classes = tf.argMax(p, 1).dataSync() as Int32Array;
    return { probs: Float32Array.from(probs), classes: Int32Array.from(classes) };
  });
}

/** Exercise 1 over `set`: the spread of the correct-class probability as the 24×24 window moves over each image. */
export function measureShift(model: tf.LayersModel, set: LabeledImages): ShiftMeasurement {
  const perImageStd: number[] = [];
  const centreCorrect: boolean[] = [];
  let agree = 0;
  let correct = 0;
  let crops = 0;
  let consistent = 0;
  let block: { from: number; n: number; probs: Float32Array; classes: Int32Array } = { from: 0, n: 0, probs: new Float32Array(0), classes: new Int32Array(0) };
  for (let i = 0; i < set.count; i++) {
    if (i >= block.from + block.n) {
      const n = Math.min(IMAGES_PER_CALL, set.count - i);
      block = { from: i, n, ...blockPredictions(model, set, i, n) };
    }
    const at = (i - block.from) * 64;
    const probs = block.probs.subarray(at, at + 64);
    const classes = block.classes.subarray(at, at + 64);
    const mean = probs.reduce((a, b) => a + b, 0) / probs.length;
    perImageStd.push(Math.sqrt(probs.reduce((a, b) => a + (b - mean) ** 2, 0) / probs.length));
    const centre = classes[CENTRE_CROP];
    const label = set.labels[i];
    centreCorrect.push(centre === label);
    const counts = new Map<number, number>();
    for (const c of classes) {
      if (c === centre) agree++;
      if (c === label) correct++;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const n = classes.length;
    let samePairs = 0;
    for (const k of counts.values()) samePairs += k * (k - 1);
    consistent += n > 1 ? samePairs / (n * (n - 1)) : 1;
    crops += n;
  }
  const metrics = {
    medianStd: perImageStd.length ? median(perImageStd) : 0,
    agreement: crops ? agree / crops : 0,
    accuracyAllShifts: crops ? correct / crops : 0,
    consistency: set.count ? consistent / set.count : 0,
    images: set.count,
  };
  return { metrics, perImageStd, centreCorrect };
}
