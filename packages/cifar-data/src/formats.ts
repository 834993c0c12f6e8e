import { assertInt, assertMd5, assertObject, assertOneOf, assertPlainFileName, assertPositiveInt, fail } from './validate';

/**
 * The official CIFAR binary layouts (https://www.cs.toronto.edu/~kriz/cifar.html): which archive,
 * which members, how many records each, and how a record is laid out.
 */

/** Image height of every CIFAR image. */
export const CIFAR_HEIGHT = 32;
/** Image width of every CIFAR image. */
export const CIFAR_WIDTH = 32;
/** Channels (RGB) of every CIFAR image. */
export const CIFAR_CHANNELS = 3;
/** Bytes of pixels per record: 1024 red, then 1024 green, then 1024 blue, each 32x32 row-major. */
export const PIXEL_BYTES = CIFAR_HEIGHT * CIFAR_WIDTH * CIFAR_CHANNELS;

/** One binary batch file inside the archive's folder. */
export interface BatchFileSpec {
  /** File name inside the dataset folder, e.g. `data_batch_1.bin`. */
  readonly file: string;
  /** Number of records it must hold. */
  readonly records: number;
}

/** Everything needed to find, verify and parse one CIFAR variant. */
export interface DatasetSpec {
  /** Short id used for cache and lock file names. */
  readonly id: string;
  /** Human name for messages. */
  readonly title: string;
  /** Folder the archive unpacks to, e.g. `cifar-10-batches-bin`. */
  readonly folder: string;
  /** File name of the archive. */
  readonly archiveName: string;
  /** Official download address. */
  readonly url: string;
  /** Official archive size in bytes. */
  readonly size: number;
  /** Official archive MD5. */
  readonly md5: string;
  /** 1 (CIFAR-10: label) or 2 (CIFAR-100: coarse label, then fine label). */
  readonly labelBytes: 1 | 2;
  /** Number of (fine) classes. */
  readonly classes: number;
  /** Number of coarse classes (CIFAR-100 only). */
  readonly coarseClasses?: number;
  /** Training batch files, in order. */
  readonly train: readonly BatchFileSpec[];
  /** Test batch files, in order. */
  readonly test: readonly BatchFileSpec[];
  /** File holding the (fine) class names, one per line. */
  readonly namesFile: string;
  /** File holding the coarse class names (CIFAR-100 only). */
  readonly coarseNamesFile?: string;
}

/** CIFAR-10, binary version. */
export const CIFAR10_SPEC: DatasetSpec = {
  id: 'cifar-10',
  title: 'CIFAR-10',
  folder: 'cifar-10-batches-bin',
  archiveName: 'cifar-10-binary.tar.gz',
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  size: 170052171,
  md5: 'c32a1d4ab5d03f1284b67883e8d87530',
  labelBytes: 1,
  classes: 10,
  train: [1, 2, 3, 4, 5].map((i) => ({ file: `data_batch_${i}.bin`, records: 10000 })),
  test: [{ file: 'test_batch.bin', records: 10000 }],
  namesFile: 'batches.meta.txt',
};

/** CIFAR-100, binary version. */
export const CIFAR100_SPEC: DatasetSpec = {
  id: 'cifar-100',
  title: 'CIFAR-100',
  folder: 'cifar-100-binary',
  archiveName: 'cifar-100-binary.tar.gz',
  url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
  size: 168513733,
  md5: '03b5dce01913d631647c71ecec9e9cb8',
  labelBytes: 2,
  classes: 100,
  coarseClasses: 20,
  train: [{ file: 'train.bin', records: 50000 }],
  test: [{ file: 'test.bin', records: 10000 }],
  namesFile: 'fine_label_names.txt',
  coarseNamesFile: 'coarse_label_names.txt',
};

/** Bytes per record of `spec`. */
export function recordBytes(spec: DatasetSpec): number {
  return spec.labelBytes + PIXEL_BYTES;
}

/** Every file the dataset folder must contain. */
export function memberFiles(spec: DatasetSpec): string[] {
  const files = [...spec.train, ...spec.test].map((b) => b.file);
  files.push(spec.namesFile);
  if (spec.coarseNamesFile !== undefined) files.push(spec.coarseNamesFile);
  return files;
}

/** Exact byte size a member must have, or undefined for the (small, variable) names files. */
export function expectedFileSize(spec: DatasetSpec, file: string): number | undefined {
  const batch = [...spec.train, ...spec.test].find((b) => b.file === file);
  return batch === undefined ? undefined : batch.records * recordBytes(spec);
}

/** Upper bound for a names file; anything larger is not a label list. */
export const MAX_NAMES_BYTES = 64 * 1024;

/**
 * Checks a user-supplied spec. File and folder names must be plain names (no separators, not `.` or
 * `..`): they become paths in the cache, so they must not be able to point anywhere else.
 */
export function assertSpec(fn: string, spec: unknown): asserts spec is DatasetSpec {
  assertObject(fn, 'spec', spec, 'a DatasetSpec such as CIFAR10_SPEC');
  const s = spec as unknown as DatasetSpec;
  for (const key of ['id', 'folder', 'archiveName', 'namesFile'] as const) assertPlainFileName(fn, `spec.${key}`, s[key]);
  if (s.coarseNamesFile !== undefined) assertPlainFileName(fn, 'spec.coarseNamesFile', s.coarseNamesFile);
  for (const key of ['title', 'url'] as const) if (typeof s[key] !== 'string') fail(fn, `spec.${key}`, s[key], 'a string');
  assertMd5(fn, 'spec.md5', s.md5);
  assertPositiveInt(fn, 'spec.size', s.size);
  assertOneOf(fn, 'spec.labelBytes', s.labelBytes, [1, 2]);
  assertInt(fn, 'spec.classes', s.classes, 1, 256);
  if (s.labelBytes === 2 && (s.coarseClasses === undefined || s.coarseNamesFile === undefined)) {
    fail(fn, 'spec.coarseClasses', s.coarseClasses, 'set (with coarseNamesFile) when labelBytes is 2');
  }
  if (s.coarseClasses !== undefined) assertInt(fn, 'spec.coarseClasses', s.coarseClasses, 1, 256);
  for (const split of ['train', 'test'] as const) {
    const batches = s[split];
    if (!Array.isArray(batches) || batches.length === 0) fail(fn, `spec.${split}`, batches, 'a non-empty array of { file, records }');
    batches.forEach((b, i) => {
      assertObject(fn, `spec.${split}[${i}]`, b, 'an object { file, records }');
      assertPlainFileName(fn, `spec.${split}[${i}].file`, b.file);
      assertPositiveInt(fn, `spec.${split}[${i}].records`, b.records);
    });
  }
  const files = memberFiles(s);
  if (new Set(files).size !== files.length) fail(fn, 'spec (its file names)', files, 'distinct file names');
}
