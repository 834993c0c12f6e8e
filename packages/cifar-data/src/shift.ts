import * as tf from '@tensorflow/tfjs';
import { createRng } from './random';
import type { NormalizeOptions } from './transforms';
import { assertLabeledImages, compileTransform, compose, crop, normalize } from './transforms';
import type { LabeledImages } from './types';
import { assertInt } from './validate';

/** Options of {@link shiftedCrops}. */
export interface ShiftedCropsOptions {
  /** Side of the square crops (default 24, the chapter's). */
  size?: number;
  /**
   * Offsets per axis, 0..shifts-1 (default all of them: `min(H, W) - size + 1`, i.e. 9 for 24 of 32).
   * The chapter's loop `for i in range(8)` uses 8, i.e. 64 of the 81 crops.
   */
  shifts?: number;
  /** Normalise like the training pipeline did (default: none, values in [0, 1]). */
  normalize?: NormalizeOptions;
}

/**
 * Every shifted crop of one image as a batch, for the chapter's shift experiment: float32
 * `[shifts², size, size, C]`, where crop `k = top * shifts + left` starts at row `top`, column
 * `left` (the chapter's `x[:, i:i+24, j:j+24]` with `i` outer, `j` inner).
 * @param set images, e.g. `data.test`.
 * @param index which image.
 */
export function shiftedCrops(set: LabeledImages, index: number, { size = 24, shifts, normalize: norm }: ShiftedCropsOptions = {}): tf.Tensor4D {
  const fn = 'shiftedCrops';
  assertLabeledImages(fn, set);
  assertInt(fn, 'index', index, 0, set.count - 1);
  assertInt(fn, 'options.size', size, 1, Math.min(set.height, set.width));
  const maxShifts = Math.min(set.height, set.width) - size + 1;
  const n = shifts ?? maxShifts;
  assertInt(fn, 'options.shifts', n, 1, maxShifts);
  let normStep = compose();
  if (norm !== undefined) {
    try {
      normStep = normalize(norm);
    } catch (err) {
      throw new Error(`${fn}: options.normalize is invalid (${(err as Error).message})`, { cause: err });
    }
    compileTransform(fn, normStep, set.height, set.width, set.channels); // channel count checked once, before any work
  }
  const rng = createRng(0); // never drawn from: every step here is deterministic
  const per = size * size * set.channels;
  const out = new Float32Array(n * n * per);
  for (let top = 0; top < n; top++) {
    for (let left = 0; left < n; left++) {
      compileTransform(fn, compose(crop(top, left, size), normStep), set.height, set.width, set.channels).write(set.images, index, out, (top * n + left) * per, rng);
    }
  }
  return tf.tensor4d(out, [n * n, size, size, set.channels], 'float32');
}
