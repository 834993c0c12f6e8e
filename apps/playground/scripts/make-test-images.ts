/**
 * Writes public/cifar10-test-images.{bin,json}: the playground's CIFAR-10 test images, taken from the subset embedded
 * in the project (@aa/cifar10-subset). The chapter's image 213 first (aa-bench's default --image-id), then the first
 * test image of each class. `pnpm --filter @aa/playground images`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadCifar10 } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';

import { IMAGE_BYTES, type TestImageIndex } from '../src/shift/testImages';

async function main(): Promise<void> {
  const data = await loadCifar10({ pack: cifar10Subset });
  const { test, classNames } = data;
  const picks = [213];
  for (let label = 0; label < classNames.length; label++) {
    const first = Array.from(test.labels).findIndex((l, i) => l === label && !picks.includes(i));
    picks.push(first);
  }
  const pixels = new Uint8Array(picks.length * IMAGE_BYTES);
  picks.forEach((index, k) => pixels.set(test.images.subarray(index * IMAGE_BYTES, (index + 1) * IMAGE_BYTES), k * IMAGE_BYTES));
  const index: TestImageIndex = {
    source: `@aa/cifar10-subset test split (${test.count} CIFAR-10 test images); "index" is the position in it`,
    layout: 'uint8 [n, 32, 32, 3], row-major RGB, in the order of "images"',
    images: picks.map((i) => ({ index: i, label: test.labels[i] as number, className: classNames[test.labels[i] as number] as string })),
  };
  const dir = new URL('../public/', import.meta.url);
  writeFileSync(fileURLToPath(new URL('cifar10-test-images.bin', dir)), pixels);
  writeFileSync(fileURLToPath(new URL('cifar10-test-images.json', dir)), `${JSON.stringify(index, null, 2)}\n`);
  console.log(`wrote ${picks.length} images (${pixels.byteLength} bytes): ${index.images.map((x) => `${x.index} ${x.className}`).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
