/**
 * Builds a tiny CIFAR-10 archive in the official binary layout (cifar-10-batches-bin/ with data_batch_1..5.bin,
 * test_batch.bin, batches.meta.txt; records of 1 label byte + 3072 pixel bytes, channel-major), written from the
 * format description with the system's tar.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CIFAR10_SPEC, type DatasetSpec } from '@aa/cifar-data';

export const TRAIN_COUNTS = [4, 4, 4, 4, 4];
export const TEST_COUNT = 10;

/** The official layout with tiny record counts. */
export const TINY_SPEC: DatasetSpec = {
  ...CIFAR10_SPEC,
  train: CIFAR10_SPEC.train.map((b, k) => ({ file: b.file, records: TRAIN_COUNTS[k] as number })),
  test: [{ file: 'test_batch.bin', records: TEST_COUNT }],
};

function batch(n: number, first: number): Buffer {
  const buf = Buffer.alloc(n * 3073);
  for (let r = 0; r < n; r++) {
    buf[r * 3073] = (first + r) % 10;
    for (let p = 0; p < 3072; p++) buf[r * 3073 + 1 + p] = (p * 7 + (first + r) * 13) & 255;
  }
  return buf;
}

/** Writes the tiny archive; returns its path. */
export function tinyCifar10Archive(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-tiny-'));
  const folder = join(dir, 'cifar-10-batches-bin');
  mkdirSync(folder);
  let first = 0;
  TRAIN_COUNTS.forEach((n, k) => {
    writeFileSync(join(folder, `data_batch_${k + 1}.bin`), batch(n, first));
    first += n;
  });
  writeFileSync(join(folder, 'test_batch.bin'), batch(TEST_COUNT, 0));
  writeFileSync(join(folder, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
  const archive = join(dir, 'cifar-10-binary.tar.gz');
  execFileSync('tar', ['czf', archive, '-C', dir, 'cifar-10-batches-bin']);
  return archive;
}
