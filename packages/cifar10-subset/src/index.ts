/**
 * @aa/cifar10-subset: a class-balanced CIFAR-10 subset shipped as data — 10,000 training images (1,000
 * per class) from the official training split and 2,500 test images (250 per class) from the official
 * test split, as the original JPEG (quality 75) bytes — described for `@aa/cifar-data`'s loader.
 */
import { dataDir } from './dataDir';
import { MANIFEST } from './manifest';
import type { JpegPackSource } from './types';

export type { JpegPackSource, JpegPackSplitFiles } from './types';

/**
 * The subset's descriptor: where its files are, their sizes and SHA-256, the image counts and class
 * names. Pass it to `@aa/cifar-data`, which verifies every file before decoding:
 * @example
 * import { loadCifar10 } from '@aa/cifar-data';
 * import { cifar10Subset } from '@aa/cifar10-subset';
 * const { train, test, classNames } = await loadCifar10({ pack: cifar10Subset });
 */
export const cifar10Subset: JpegPackSource = Object.freeze({
  kind: 'jpeg-pack',
  name: 'cifar10-subset',
  dir: dataDir(),
  files: Object.freeze({ train: Object.freeze({ ...MANIFEST.files.train }), test: Object.freeze({ ...MANIFEST.files.test }) }),
  sha256: Object.freeze({ ...MANIFEST.sha256 }),
  bytes: Object.freeze({ ...MANIFEST.bytes }),
  counts: Object.freeze({ ...MANIFEST.counts }),
  classNames: Object.freeze([...MANIFEST.classNames]),
} as const);
