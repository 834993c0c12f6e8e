import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { shiftedCrops } from '@aa/cifar-data';
import * as tf from '@tensorflow/tfjs';

import { allCrops, clampShift, crop, cropIndex } from '../src/shift/crops';
import { IMAGE_BYTES, type TestImageIndex } from '../src/shift/testImages';

const publicDir = path.join(__dirname, '..', 'public');
const index = JSON.parse(readFileSync(path.join(publicDir, 'cifar10-test-images.json'), 'utf8')) as TestImageIndex;
const pixels = new Uint8Array(readFileSync(path.join(publicDir, 'cifar10-test-images.bin')));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the 64 crops', () => {
  it("equal @aa/cifar-data's shiftedCrops (the bench's crops) for every shipped test image", () => {
    const set = { images: pixels, labels: index.images.map((im) => im.label), count: index.images.length, height: 32, width: 32, channels: 3 };
    for (let k = 0; k < set.count; k++) {
      const reference = shiftedCrops(set, k, { size: 24, shifts: 8 });
      expect(Array.from(allCrops(pixels.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES)))).toEqual(Array.from(reference.dataSync()));
      reference.dispose();
    }
  });

  it('crop (top, left) is rows top..top+23 and columns left..left+23, scaled to [0, 1], at index top·8 + left', () => {
    const image = Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => i % 251);
    const c = crop(image, 5, 2);
    // Pixel (0, 0) of the crop is image pixel (5, 2); pixel (23, 23) is (28, 25).
    expect(c[0]).toBe(Math.fround(image[(5 * 32 + 2) * 3]! / 255));
    expect(c[(23 * 24 + 23) * 3 + 2]).toBe(Math.fround(image[(28 * 32 + 25) * 3 + 2]! / 255));
    expect(cropIndex(5, 2)).toBe(42);
    expect(allCrops(image).subarray(42 * 24 * 24 * 3, 43 * 24 * 24 * 3)).toEqual(c);
    expect([clampShift(-3), clampShift(3.4), clampShift(3.6), clampShift(99)]).toEqual([0, 3, 4, 7]);
  });
});
