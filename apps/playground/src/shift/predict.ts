import * as tf from '@tensorflow/tfjs';

import { allCrops, crop, CROP, SHIFTS } from './crops';

/** Class probabilities (softmax of the logits) of every crop: `[64][10]`. */
export function probabilitiesPerShift(model: tf.LayersModel, pixels: Uint8Array): number[][] {
  const flat = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(allCrops(pixels), [SHIFTS * SHIFTS, CROP, CROP, 3])) as tf.Tensor2D).arraySync());
  return flat;
}

/** Class probabilities of the crop at (`top`, `left`), computed on its own (what the readout shows). */
export function probabilitiesOfCrop(model: tf.LayersModel, pixels: Uint8Array, top: number, left: number): number[] {
  return tf.tidy(() => Array.from(tf.softmax(model.predict(tf.tensor4d(crop(pixels, top, left), [1, CROP, CROP, 3])) as tf.Tensor2D).dataSync()));
}
