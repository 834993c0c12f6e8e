import * as tf from '@tensorflow/tfjs';

import type { FloatImage } from '../report/png';
import { scoped } from '../scoped';

/**
 * A zone plate: `0.5 + 0.5 cos(pi r^2 / size)`, a chirp whose spatial frequency grows linearly from 0 at
 * the centre to the Nyquist frequency at the middle of each edge: every frequency at once, the standard
 * test image for aliasing (the zebra's stripes, made exact).
 */
export function zonePlate(size: number): FloatImage {
  const data = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const r2 = (i - size / 2) ** 2 + (j - size / 2) ** 2;
      data[i * size + j] = 0.5 + 0.5 * Math.cos((Math.PI * r2) / size);
    }
  }
  return { width: size, height: size, channels: 1, data };
}

/**
 * As the chapter prepares its zebra: resize so the shorter side is `size` (bilinear), then crop the centre
 * `size x size`.
 */
export function resizeAndCenterCrop(image: FloatImage, size: number): FloatImage {
  return scoped(() => {
    const x = tf.tensor3d(image.data, [image.height, image.width, image.channels]);
    const scale = size / Math.min(image.width, image.height);
    const height = Math.max(size, Math.round(image.height * scale));
    const width = Math.max(size, Math.round(image.width * scale));
    const resized = tf.image.resizeBilinear(x, [height, width], true);
    const top = Math.floor((height - size) / 2);
    const left = Math.floor((width - size) / 2);
    const cropped = tf.slice(resized, [top, left, 0], [size, size, image.channels]);
    return { width: size, height: size, channels: image.channels, data: Float32Array.from(cropped.dataSync()) };
  });
}

/** `[1, H, W, C]` tensor of an image. */
export function imageToTensor(image: FloatImage): tf.Tensor4D {
  return tf.tensor4d(image.data, [1, image.height, image.width, image.channels]);
}

/** The image in a `[1, H, W, C]` tensor. */
export function tensorToImage(x: tf.Tensor4D): FloatImage {
  const [, height, width, channels] = x.shape;
  if (channels !== 1 && channels !== 3) throw new Error(`tensorToImage: expected 1 or 3 channels, got ${channels}.`);
  return { width, height, channels, data: Float32Array.from(x.dataSync()) };
}
