import { blur, maxBlurPool2d } from '@aa/blur';
import * as tf from '@tensorflow/tfjs';

import type { FloatImage } from '../report/png';
import { scoped } from '../scoped';
import { imageToTensor, tensorToImage } from './images';

/** Settings of the aliasing experiment (the chapter's zebra demonstration). */
export interface AliasingOptions {
  /** The image to shrink, already `size x size`. */
  image: FloatImage;
  /** Where the image came from, for the report (`zone plate` or a file name). */
  source: string;
  /** Shrink factor (the chapter's `shrink_factor`). */
  factor: number;
}

/** What the aliasing experiment measured. */
export interface AliasingResult {
  source: string;
  size: number;
  factor: number;
  /** `int(1.5 * factor)`, the chapter's blur kernel. */
  blurKernelSize: number;
  /** RMS aliasing error of each shrunk image (see {@link runAliasing}). */
  error: { maxPool: number; antiAliased: number };
  /** `1 - antiAliased / maxPool`. */
  reduction: number;
  images: { original: FloatImage; maxPool: FloatImage; antiAliased: FloatImage };
}

/**
 * Shrinks `image` by `factor` as the chapter shrinks its zebra, with max pooling (`max_pool2d(x, factor)`)
 * and anti-aliased (max pooling at stride 1 with `factor // 2` padding, then a binomial blur of
 * `int(1.5 * factor)` taps at stride `factor`), and scores both.
 *
 * Both methods take the same dense (stride-1) max; they differ in how they subsample it. The aliasing
 * error of each is the RMS difference, per channel and after removing its mean, between its output and
 * the band-limited reference: that dense max low-passed with a wide binomial (`4·factor` taps, about twice
 * the new sampling period) and sampled at the same positions as the method's own output.
 */
export function runAliasing(options: AliasingOptions): AliasingResult {
  const { image, source, factor } = options;
  const size = image.width;
  const blurKernelSize = Math.floor(1.5 * factor);
  return scoped(() => {
    const x = imageToTensor(image);
    const half = Math.floor(factor / 2);
    const dense = tf.maxPool(x, factor, 1, [[0, 0], [half, half], [half, half], [0, 0]]);
    const plain = tf.maxPool(x, factor, factor, 'valid');
    const aaFull = maxBlurPool2d(x, { poolSize: factor, ratio: 1.5, padding: 'reflect' });
    const count = Math.min(plain.shape[1], aaFull.shape[1]);
    const aa = tf.slice(aaFull, [0, 0, 0, 0], [1, count, count, image.channels]);
    const plainCut = tf.slice(plain, [0, 0, 0, 0], [1, count, count, image.channels]);
    // Output j of max pooling is dense cell factor*j + half; of the reflect-padded blur, factor*j + (k-1)/2 - floor((k-1)/2).
    const plainRef = bandLimited(dense, factor, half, count);
    const aaRef = bandLimited(dense, factor, (blurKernelSize - 1) / 2 - Math.floor((blurKernelSize - 1) / 2), count);
    const maxPoolError = aliasingError(plainCut, plainRef);
    const antiAliasedError = aliasingError(aa, aaRef);
    return {
      source,
      size,
      factor,
      blurKernelSize,
      error: { maxPool: maxPoolError, antiAliased: antiAliasedError },
      reduction: 1 - antiAliasedError / maxPoolError,
      images: { original: image, maxPool: tensorToImage(plainCut), antiAliased: tensorToImage(aa) },
    };
  });
}

/**
 * `signal` low-passed with a binomial of about `4·factor` taps and sampled every `factor` cells from
 * `centre` on (`count` samples per axis). The tap count's parity follows `centre`, so the filter is
 * centred exactly on each sample.
 */
export function bandLimited(signal: tf.Tensor4D, factor: number, centre: number, count: number): tf.Tensor4D {
  const halfInteger = centre % 1 !== 0;
  const taps = 4 * factor + (halfInteger ? 0 : 1);
  const before = (taps - 1) / 2 - centre;
  const n = signal.shape[1];
  const after = Math.max(0, (count - 1) * factor + taps - before - n);
  if (!Number.isInteger(before) || before < 0 || before >= n || after >= n) {
    throw new Error(`bandLimited: cannot centre ${taps} taps at ${centre} on ${n} cells.`);
  }
  return tf.tidy(() => {
    const padded = tf.mirrorPad(signal, [[0, 0], [before, after], [before, after], [0, 0]], 'reflect');
    const low = blur(padded, { kernelSize: taps, stride: factor, padding: 'valid' });
    return tf.slice(low, [0, 0, 0, 0], [1, count, count, signal.shape[3]]);
  });
}

/** RMS of the difference, per channel after removing each image's own mean (a brightness bias is not aliasing). */
export function aliasingError(y: tf.Tensor4D, reference: tf.Tensor4D): number {
  return tf.tidy(() => {
    const centred = (t: tf.Tensor4D) => tf.sub(t, tf.mean(t, [1, 2], true));
    const d = tf.sub(centred(y), centred(reference));
    return Math.sqrt(tf.mean(tf.square(d)).dataSync()[0] as number);
  });
}
