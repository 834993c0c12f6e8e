import type { BatchFileSpec, DatasetSpec } from './formats';
import { CIFAR_CHANNELS, CIFAR_HEIGHT, CIFAR_WIDTH, MAX_NAMES_BYTES, PIXEL_BYTES, recordBytes } from './formats';
import type { CifarSplit } from './types';

/** The dataset members as raw bytes, keyed by file name inside the dataset folder. */
export type MemberBytes = ReadonlyMap<string, Uint8Array>;

/** Parsed contents of a dataset folder or archive. */
export interface ParsedDataset {
  train: CifarSplit;
  test: CifarSplit;
  classNames: string[];
  coarseClassNames?: string[];
}

const PLANE = CIFAR_HEIGHT * CIFAR_WIDTH;

/**
 * Converts the binary batch files of one split into one NHWC uint8 array. Each record is
 * `labelBytes` label bytes then the image as three 32x32 planes (CHW); NHWC is what tfjs convolutions
 * want, so the transpose is paid once here rather than on every batch.
 * @param fn the public function name, for messages.
 * @param where where the bytes came from (an archive or folder path), for messages.
 */
export function parseSplit(fn: string, spec: DatasetSpec, batches: readonly BatchFileSpec[], files: MemberBytes, where: string): CifarSplit {
  const rec = recordBytes(spec);
  const count = batches.reduce((n, b) => n + b.records, 0);
  const images = new Uint8Array(count * PIXEL_BYTES);
  const labels = new Uint8Array(count);
  const coarse = spec.labelBytes === 2 ? new Uint8Array(count) : undefined;
  let first = 0;
  for (const batch of batches) {
    const bytes = files.get(batch.file);
    if (bytes === undefined) throw new Error(`${fn}: ${where} has no ${batch.file}.`);
    const expected = batch.records * rec;
    if (bytes.length !== expected) {
      throw new Error(
        `${fn}: ${batch.file} in ${where} has ${bytes.length} bytes, expected ${expected} (${batch.records} records of ${rec} bytes); ` +
          `the file is truncated or is not a ${spec.title} binary batch.`,
      );
    }
    for (let r = 0; r < batch.records; r++) {
      const src = r * rec;
      const i = first + r;
      // CIFAR-100 stores the coarse label first, then the fine one.
      const label = bytes[src + spec.labelBytes - 1]!;
      if (label >= spec.classes) {
        throw new Error(`${fn}: ${batch.file} in ${where}, record ${r}: label ${label} is outside 0..${spec.classes - 1}; the file is corrupted.`);
      }
      labels[i] = label;
      if (coarse !== undefined) {
        const c = bytes[src]!;
        if (c >= spec.coarseClasses!) {
          throw new Error(`${fn}: ${batch.file} in ${where}, record ${r}: coarse label ${c} is outside 0..${spec.coarseClasses! - 1}; the file is corrupted.`);
        }
        coarse[i] = c;
      }
      const red = src + spec.labelBytes;
      let dst = i * PIXEL_BYTES;
      for (let p = 0; p < PLANE; p++) {
        images[dst] = bytes[red + p]!;
        images[dst + 1] = bytes[red + PLANE + p]!;
        images[dst + 2] = bytes[red + 2 * PLANE + p]!;
        dst += 3;
      }
    }
    first += batch.records;
  }
  const split: CifarSplit = { images, labels, count, height: CIFAR_HEIGHT, width: CIFAR_WIDTH, channels: CIFAR_CHANNELS };
  return coarse === undefined ? split : { ...split, coarseLabels: coarse };
}

/**
 * Reads a class-name list (one name per line; blank lines, as at the end of `batches.meta.txt`, are
 * ignored) and checks it has exactly `expected` names.
 */
export function parseNames(fn: string, file: string, bytes: Uint8Array | undefined, expected: number, where: string): string[] {
  if (bytes === undefined) throw new Error(`${fn}: ${where} has no ${file}.`);
  if (bytes.length > MAX_NAMES_BYTES) throw new Error(`${fn}: ${file} in ${where} has ${bytes.length} bytes, more than a list of class names can have.`);
  const names = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== expected) {
    throw new Error(`${fn}: ${file} in ${where} lists ${names.length} class names, expected ${expected} (one per line).`);
  }
  return names;
}

/** Parses every member of `spec` into train and test splits plus class names. */
export function parseDataset(fn: string, spec: DatasetSpec, files: MemberBytes, where: string): ParsedDataset {
  const classNames = parseNames(fn, spec.namesFile, files.get(spec.namesFile), spec.classes, where);
  const coarseClassNames =
    spec.coarseNamesFile === undefined ? undefined : parseNames(fn, spec.coarseNamesFile, files.get(spec.coarseNamesFile), spec.coarseClasses!, where);
  const train = parseSplit(fn, spec, spec.train, files, where);
  const test = parseSplit(fn, spec, spec.test, files, where);
  return coarseClassNames === undefined ? { train, test, classNames } : { train, test, classNames, coarseClassNames };
}
