/**
 * The chapter's aliasing demonstration in numbers (`pnpm demo` at the repository root).
 *
 * 1. The three 1-D patterns of figure 14.1: max pooling maps them to one output, maxBlurPool2d keeps them apart.
 * 2. A zone plate (a chirp whose frequency grows with the radius, the textbook aliasing test image) shrunk 4x,
 *    as the chapter shrinks its zebra: with max pooling, and with max pooling at stride 1 followed by a
 *    6-tap blur at stride 4 (`int(1.5 * factor)`, the chapter's choice). Both take the same dense (stride-1)
 *    max; they differ in how they subsample it. Each result is compared with that dense max band-limited
 *    (a wide binomial low-pass) and sampled at the same positions: what is left is the aliasing error.
 */
import * as tf from '@tensorflow/tfjs';
import { blur, maxBlurPool2d } from '@aa/blur';

function patterns(): void {
  const rows = {
    alternating: [1, 0, 1, 0, 1, 0, 1, 0],
    pairs: [0, 1, 1, 0, 0, 1, 1, 0],
    'white pair': [1, 0, 0, 1, 0, 1, 0, 1],
  };
  console.log('1. Figure 14.1: three 1-D patterns (each row of an 8x8 image), pooled by 2');
  for (const [name, row] of Object.entries(rows)) {
    const [plain, aa] = tf.tidy(() => {
      const image = tf.tensor4d(new Array(8).fill(row).flat(), [1, 8, 8, 1]);
      return [tf.maxPool(image, 2, 2, 'valid'), maxBlurPool2d(image)].map((t) => Array.from(t.dataSync().slice(0, 4)));
    });
    console.log(`   ${name.padEnd(12)} [${row.join(' ')}]  maxPool -> [${plain?.join(' ')}]  maxBlurPool2d -> [${aa?.join(' ')}]`);
  }
}

/** A zone plate: 0.5 + 0.5 cos(pi r^2 / size), frequency rising from 0 at the centre to Nyquist at the edge. */
function zonePlate(size: number): tf.Tensor4D {
  const values = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const r2 = (i - size / 2) ** 2 + (j - size / 2) ** 2;
      values[i * size + j] = 0.5 + 0.5 * Math.cos((Math.PI * r2) / size);
    }
  }
  return tf.tensor4d(values, [1, size, size, 1]);
}

/** Band-limited reference sampled every `factor` cells from cell `offset` on (a binomial of `k` taps centred there). */
function reference(x: tf.Tensor4D, factor: number, k: number, centre: number, count: number): tf.Tensor4D {
  const before = Math.round(centre - (k - 1) / 2) * -1;
  const after = (count - 1) * factor + k - before - (x.shape[1] as number);
  const padded = tf.mirrorPad(x, [[0, 0], [before, after], [before, after], [0, 0]], 'reflect');
  return blur(padded, { kernelSize: k, stride: factor, padding: 'valid' });
}

/** RMS of the difference after removing each image's mean: bias aside, how far from band-limited. */
function aliasingError(y: tf.Tensor, ref: tf.Tensor): number {
  return tf.tidy(() => {
    const d = tf.sub(tf.sub(y, tf.mean(y)), tf.sub(ref, tf.mean(ref)));
    return Math.sqrt(tf.mean(tf.square(d)).dataSync()[0] as number);
  });
}

function zebra(): void {
  const size = 256;
  const factor = 4;
  const count = size / factor;
  tf.tidy(() => {
    const x = zonePlate(size);
    // Both methods start from the same dense max (window 4, stride 1, 2 cells of padding): cell i covers x[i-2..i+1].
    // What differs is how they subsample it, so each is scored against the band-limited dense max at its own sample positions.
    const dense = tf.maxPool(x, factor, 1, [[0, 0], [2, 2], [2, 2], [0, 0]]);
    // Max pooling keeps dense cell 4j + 2 (the window x[4j..4j+3]): the same numbers as tf.maxPool(x, 4, 4).
    const plain = tf.maxPool(x, factor, factor, 'valid');
    const plainRef = reference(dense, factor, 4 * factor + 1, 2, count);
    // maxBlurPool2d blurs the dense max with 6 taps (reflect padding 2 before) at stride 4: output j is centred at 4j + 0.5.
    const aa = tf.slice(maxBlurPool2d(x, { poolSize: factor, ratio: 1.5, padding: 'reflect' }), [0, 0, 0, 0], [1, count, count, 1]);
    const aaRef = reference(dense, factor, 4 * factor, 0.5, count);
    const ePlain = aliasingError(plain, plainRef);
    const eAa = aliasingError(aa, aaRef);
    console.log(`2. Zone plate ${size}x${size} shrunk ${factor}x to ${count}x${count}; aliasing error (RMS against the band-limited signal):`);
    console.log(`   max pooling:                        ${ePlain.toFixed(4)}`);
    console.log(`   max pooling + blur (anti-aliased):  ${eAa.toFixed(4)}  (${((1 - eAa / ePlain) * 100).toFixed(0)}% lower)`);
  });
}

patterns();
zebra();
