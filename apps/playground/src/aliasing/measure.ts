import { blur, maxBlurPool2d } from '@aa/blur';
import * as tf from '@tensorflow/tfjs';

/**
 * The chapter's aliasing demonstration (section 14.1), as aa-bench's `aliasing` experiment measures it: shrink an image
 * `factor`× with max pooling (`max_pool2d(x, factor)`) and with anti-aliased pooling (max pooling at stride 1, then a
 * binomial blur of `⌊1.5·factor⌋` taps at stride `factor`), and score both against a band-limited reference.
 */

/** What one shrink gave. */
export interface AliasingResult {
  factor: number;
  /** `⌊1.5·factor⌋`, the blur's taps. */
  blurKernelSize: number;
  /** The two shrunk images, `[1, n, n, C]` in [0, 1] (the caller disposes them). */
  maxPool: tf.Tensor4D;
  antiAliased: tf.Tensor4D;
  /** RMS aliasing error of each (see {@link aliasingError}). */
  error: { maxPool: number; antiAliased: number };
  /** `1 − antiAliased / maxPool`. */
  reduction: number;
}

/**
 * `signal` low-passed with a binomial of about `4·factor` taps (twice the new sampling period) and sampled every
 * `factor` cells from `centre` on, `count` samples per axis: what a method's output would be without aliasing. The tap
 * count's parity follows `centre`, so the filter is centred exactly on each sample.
 */
export function bandLimited(signal: tf.Tensor4D, factor: number, centre: number, count: number): tf.Tensor4D {
  const taps = 4 * factor + (centre % 1 !== 0 ? 0 : 1);
  const before = (taps - 1) / 2 - centre;
  const n = signal.shape[1];
  const after = Math.max(0, (count - 1) * factor + taps - before - n);
  if (!Number.isInteger(before) || before < 0 || before >= n || after >= n) throw new Error(`bandLimited: cannot centre ${taps} taps at ${centre} on ${n} cells.`);
  return tf.tidy(() => {
    const padded = tf.mirrorPad(signal, [[0, 0], [before, after], [before, after], [0, 0]], 'reflect');
    return tf.slice(blur(padded, { kernelSize: taps, stride: factor, padding: 'valid' }), [0, 0, 0, 0], [1, count, count, signal.shape[3]]);
  });
}

/** RMS of the difference, per channel after removing each image's own mean (a brightness bias is not aliasing). */
export function aliasingError(y: tf.Tensor4D, reference: tf.Tensor4D): number {
  return tf.tidy(() => {
    const centred = (t: tf.Tensor4D) => tf.sub(t, tf.mean(t, [1, 2], true));
    return Math.sqrt(tf.mean(tf.square(tf.sub(centred(y), centred(reference)))).dataSync()[0] as number);
  });
}

/**
 * Shrinks `image` (`[1, size, size, C]`, values in [0, 1]) `factor`× both ways and scores each. Both methods take the
 * same dense (stride-1) max and differ only in how they subsample it; each is compared with that dense max,
 * band-limited and sampled at the method's own output positions.
 */
export function shrinkAndScore(image: tf.Tensor4D, factor: number): AliasingResult {
  const blurKernelSize = Math.floor(1.5 * factor);
  const half = Math.floor(factor / 2);
  const channels = image.shape[3];
  const out = tf.tidy(() => {
    const dense = tf.maxPool(image, factor, 1, [[0, 0], [half, half], [half, half], [0, 0]]);
    const plain = tf.maxPool(image, factor, factor, 'valid');
    const aaFull = maxBlurPool2d(image, { poolSize: factor, ratio: 1.5, padding: 'reflect' });
    const count = Math.min(plain.shape[1], aaFull.shape[1]);
    const maxPool = tf.slice(plain, [0, 0, 0, 0], [1, count, count, channels]);
    const antiAliased = tf.slice(aaFull, [0, 0, 0, 0], [1, count, count, channels]);
    // Output j of max pooling covers dense cell factor·j + half; of the reflect-padded blur, factor·j + (k−1)/2 − ⌊(k−1)/2⌋.
    const maxPoolRef = bandLimited(dense, factor, half, count);
    const aaRef = bandLimited(dense, factor, (blurKernelSize - 1) / 2 - Math.floor((blurKernelSize - 1) / 2), count);
    return { maxPool, antiAliased, maxPoolRef, aaRef };
  });
  const error = { maxPool: aliasingError(out.maxPool, out.maxPoolRef), antiAliased: aliasingError(out.antiAliased, out.aaRef) };
  tf.dispose([out.maxPoolRef, out.aaRef]);
  return { factor, blurKernelSize, maxPool: out.maxPool, antiAliased: out.antiAliased, error, reduction: 1 - error.antiAliased / error.maxPool };
}

/** As the chapter prepares its zebra: resize so the shorter side is `size` (bilinear), then crop the centre `size × size`. */
export function resizeAndCenterCrop(image: tf.Tensor3D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    const scale = size / Math.min(h, w);
    const height = Math.max(size, Math.round(h * scale));
    const width = Math.max(size, Math.round(w * scale));
    const resized = tf.image.resizeBilinear(image, [height, width], true);
    return tf.slice(resized, [Math.floor((height - size) / 2), Math.floor((width - size) / 2), 0], [size, size, image.shape[2]]).expandDims(0) as tf.Tensor4D;
  });
}
