import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { DatasetSpec } from './formats';
import { CIFAR10_SPEC } from './formats';
import { loadDataset } from './load';
import type { Cifar10Data } from './types';

/**
 * The CIFAR-10 sample shipped in this package (`data/cifar-10-sample.tar.gz`): the first 100 training
 * and 50 test images of each class, in the official binary record format.
 */
export const CIFAR10_SAMPLE_SPEC: DatasetSpec = {
  ...CIFAR10_SPEC,
  id: 'cifar-10-sample',
  title: 'CIFAR-10 sample',
  folder: 'cifar-10-sample-bin',
  archiveName: 'cifar-10-sample.tar.gz',
  url: '', // shipped, never downloaded
  size: 4338265,
  md5: 'ec28cda8d133edaff21f9593f4181831',
  train: [{ file: 'data_batch_1.bin', records: 1000 }],
  test: [{ file: 'test_batch.bin', records: 500 }],
};

/** Path of the shipped sample archive (`src/` in development, `dist/` when installed: both sit beside `data/`). */
export function cifar10SamplePath(): string {
  return path.join(__dirname, '..', 'data', CIFAR10_SAMPLE_SPEC.archiveName);
}

/**
 * Loads the small CIFAR-10 sample shipped with the package: 1,000 training images (100 per class)
 * and 500 test images (50 per class), NHWC uint8 `[N, 32, 32, 3]` with labels and class names — the
 * same shape of data as {@link loadCifar10}, offline and in a fraction of a second, for examples,
 * smoke tests and CI. The archive's size and MD5 are checked, and it is read with the same member and
 * record validation as a full archive. Its pixels come from a JPEG copy of CIFAR-10, so they are
 * close to, not bit-identical with, the official ones; far too few images to train a good model.
 */
export async function loadCifar10Sample(): Promise<Cifar10Data> {
  return loadSampleArchive(cifar10SamplePath());
}

/** {@link loadCifar10Sample} reading the sample archive at `file` (tests point it at damaged copies). @internal */
export async function loadSampleArchive(file: string): Promise<Cifar10Data> {
  const fn = 'loadCifar10Sample';
  const bytes = await fs.readFile(file).catch((err: unknown) => {
    throw new Error(`${fn}: the sample archive ${file} is missing (${(err as Error).message}); reinstall @aa/cifar-data.`, { cause: err });
  });
  const md5 = createHash('md5').update(bytes).digest('hex');
  if (bytes.length !== CIFAR10_SAMPLE_SPEC.size || md5 !== CIFAR10_SAMPLE_SPEC.md5) {
    throw new Error(
      `${fn}: the sample archive ${file} is damaged: ${bytes.length} bytes with MD5 ${md5}, expected ${CIFAR10_SAMPLE_SPEC.size} bytes with MD5 ` +
        `${CIFAR10_SAMPLE_SPEC.md5}; reinstall @aa/cifar-data.`,
    );
  }
  const { parsed, source } = await loadDataset(fn, CIFAR10_SAMPLE_SPEC, { archive: file });
  return { train: parsed.train, test: parsed.test, classNames: parsed.classNames, source: { kind: 'sample', path: source.path } };
}
