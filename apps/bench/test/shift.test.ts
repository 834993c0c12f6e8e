import * as tf from '@tensorflow/tfjs';

import { CENTRE_CROP, cropPredictions, measureShift } from '../src/training/shiftMetrics';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two 32×32 RGB images with strong horizontal and vertical gradients, so the crop position changes the mean colour. */
function images(): { images: Uint8Array; labels: Uint8Array; count: number; height: number; width: number; channels: number } {
  const data = new Uint8Array(2 * 32 * 32 * 3);
  for (let i = 0; i < 2; i++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const p = ((i * 32 + y) * 32 + x) * 3;
        data[p] = i === 0 ? x * 8 : 255 - y * 8;
        data[p + 1] = i === 0 ? y * 8 : x * 4;
        data[p + 2] = 128;
      }
    }
  }
  return { images: data, labels: Uint8Array.from([0, 1]), count: 2, height: 32, width: 32, channels: 3 };
}

const W = [
  [3, -2, 0.5, 1, 0, 0, 0, 0, 0, -1],
  [-1, 2.5, 1, 0, 0.3, 0, 0, 0, 0, 0],
  [0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0.1],
];

describe('measureShift (exercise 1) against independent arithmetic', () => {
  it('median std, agreement with the centre crop and accuracy over the 64 crops', () => {
    const input = tf.input({ shape: [24, 24, 3] });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 10, weights: [tf.tensor2d(W), tf.zeros([10])] });
    const model = tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
    const set = images();

    const stds: number[] = [];
    let agree = 0;
    let correct = 0;
    let consistency = 0;
    const centreCorrect: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      const probs: number[] = [];
      const classes: number[] = [];
      for (let top = 0; top < 8; top++) {
        for (let left = 0; left < 8; left++) {
          const mean: [number, number, number] = [0, 0, 0];
          for (let y = top; y < top + 24; y++) {
            for (let x = left; x < left + 24; x++) for (let c = 0; c < 3; c++) mean[c] = (mean[c] as number) + (set.images[((i * 32 + y) * 32 + x) * 3 + c] as number) / 255 / 576;
          }
          const logits = Array.from({ length: 10 }, (_, k) => mean.reduce((a, m, c) => a + m * (W[c]?.[k] as number), 0));
          const mx = Math.max(...logits);
          const e = logits.map((l) => Math.exp(l - mx));
          const z = e.reduce((a, b) => a + b, 0);
          probs.push((e[set.labels[i] as number] as number) / z);
          classes.push(logits.indexOf(mx));
        }
      }
      const m = probs.reduce((a, b) => a + b, 0) / 64;
      stds.push(Math.sqrt(probs.reduce((a, p) => a + (p - m) ** 2, 0) / 64));
      agree += classes.filter((c) => c === classes[CENTRE_CROP]).length;
      centreCorrect.push(classes[CENTRE_CROP] === set.labels[i]);
      // Two different crops picked at random: the share of the 64·63 ordered pairs that agree.
      let same = 0;
      for (let a = 0; a < 64; a++) for (let b = 0; b < 64; b++) if (a !== b && classes[a] === classes[b]) same++;
      consistency += same / (64 * 63) / 2;
      correct += classes.filter((c) => c === set.labels[i]).length;
    }
    const before = tf.memory().numTensors;
    const measured = measureShift(model, set);
    const got = measured.metrics;
    expect(tf.memory().numTensors).toBe(before);
    expect(measured.perImageStd[0]).toBeCloseTo(stds[0] as number, 5);
    expect(measured.perImageStd[1]).toBeCloseTo(stds[1] as number, 5);
    expect(measured.centreCorrect).toEqual(centreCorrect);
    expect(got.images).toBe(2);
    expect(got.medianStd).toBeCloseTo(((stds[0] as number) + (stds[1] as number)) / 2, 5);
    expect(got.medianStd).toBeGreaterThan(0.001);
    // The weights make both figures informative: some crops change class, some are right.
    expect(agree).toBeLessThan(128);
    expect(correct).toBeGreaterThan(0);
    expect(got.agreement).toBeCloseTo(agree / 128, 10);
    expect(got.accuracyAllShifts).toBeCloseTo(correct / 128, 10);
    expect(consistency).toBeLessThan(1);
    expect(got.consistency).toBeCloseTo(consistency, 10);
    model.dispose();
  });
});

describe('measureShift across blocks of images', () => {
  it('gives each of 11 images (more than one block) the figures of its own 64 crops', () => {
    const count = 11;
    const data = new Uint8Array(count * 32 * 32 * 3).map((_, i) => (i * 131 + Math.floor(i / 3072) * 17) & 255);
    const set = { images: data, labels: Uint8Array.from({ length: count }, (_, i) => i % 3), count, height: 32, width: 32, channels: 3 };
    const input = tf.input({ shape: [24, 24, 3] });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10, weights: [tf.tensor2d(W), tf.zeros([10])] }).apply(pooled) as tf.SymbolicTensor });
    const measured = measureShift(model, set);
    for (let i = 0; i < count; i++) {
      const { probs, classes } = cropPredictions(model, set, i);
      const mean = probs.reduce((a, b) => a + b, 0) / 64;
      expect(measured.perImageStd[i]).toBeCloseTo(Math.sqrt(probs.reduce((a, p) => a + (p - mean) ** 2, 0) / 64), 6);
      expect(measured.centreCorrect[i]).toBe(classes[CENTRE_CROP] === set.labels[i]);
    }
    model.dispose();
  });
});
