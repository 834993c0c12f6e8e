import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cifar10Subset } from '@aa/cifar10-subset';

// Reading the files by hand, without @aa/cifar-data: check each file against the descriptor, then
// image i of a split is jpeg[offsets[i] .. offsets[i + 1]) with class labels[i].
const read = (name: string): Buffer => {
  const bytes = readFileSync(path.join(cifar10Subset.dir, name));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== cifar10Subset.bytes[name] || sha256 !== cifar10Subset.sha256[name]) throw new Error(`${name} is damaged`);
  return bytes;
};
for (const split of ['train', 'test'] as const) {
  const files = cifar10Subset.files[split];
  const jpeg = read(files.jpeg);
  const offsets = read(files.offsets);
  const labels = read(files.labels);
  const perClass = new Array<number>(cifar10Subset.classNames.length).fill(0);
  for (const label of labels) perClass[label]!++;
  const first = jpeg.subarray(offsets.readUInt32LE(0), offsets.readUInt32LE(4));
  console.log(`${split}: ${labels.length} images (${perClass.join('/')} per class), ${(jpeg.length / 1e6).toFixed(1)} MB of JPEG`);
  console.log(`  image 0: ${cifar10Subset.classNames[labels[0]!]}, a JPEG of ${first.length} bytes starting ${first.subarray(0, 2).toString('hex')}`);
}
