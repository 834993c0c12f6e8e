import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { loadCifar10 } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';

import { IMAGE_BYTES, type TestImageIndex } from '../src/shift/testImages';

describe('public/cifar10-test-images (scripts/make-test-images.ts)', () => {
  it("holds the subset's test images it names, the chapter's image 213 first and one of each class", async () => {
    const dir = path.join(__dirname, '..', 'public');
    const index = JSON.parse(readFileSync(path.join(dir, 'cifar10-test-images.json'), 'utf8')) as TestImageIndex;
    const pixels = new Uint8Array(readFileSync(path.join(dir, 'cifar10-test-images.bin')));
    const { test, classNames } = await loadCifar10({ pack: cifar10Subset });
    expect(pixels.byteLength).toBe(index.images.length * IMAGE_BYTES);
    expect(index.images[0]?.index).toBe(213);
    expect(new Set(index.images.map((im) => im.label)).size).toBe(10);
    index.images.forEach((im, k) => {
      expect(im.label).toBe(test.labels[im.index]);
      expect(im.className).toBe(classNames[im.label]);
      expect(Buffer.compare(Buffer.from(pixels.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES)), Buffer.from(test.images.subarray(im.index * IMAGE_BYTES, (im.index + 1) * IMAGE_BYTES)))).toBe(0);
    });
  });
});
