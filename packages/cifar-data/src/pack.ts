/**
 * The JPEG pack: a dataset stored as its images' JPEG files back to back, per split, with start offsets
 * and labels, described by a {@link JpegPackSource} that carries every file's size and SHA-256. The
 * type is structural, so a data package (e.g. `@aa/cifar10-subset`) declares the same shape without
 * importing this one.
 */
import * as path from 'node:path';
import { assertInt, assertObject, assertPlainFileName, assertPositiveInt, assertSha256, assertString, fail } from './validate';

/** The three files of one split of a {@link JpegPackSource}, by name inside its folder. */
export interface JpegPackSplitFiles {
  /** The split's JPEG files back to back. */
  readonly jpeg: string;
  /** Little-endian uint32 start offsets into `jpeg`, one more than images (the last is its size). */
  readonly offsets: string;
  /** One class index per image, one byte each. */
  readonly labels: string;
}

/** A dataset stored as a JPEG pack, e.g. `cifar10Subset` from `@aa/cifar10-subset`. */
export interface JpegPackSource {
  /** Marks the descriptor's format. */
  readonly kind: 'jpeg-pack';
  /** Short name for messages, e.g. `cifar10-subset`. */
  readonly name: string;
  /** Absolute path of the folder holding the files. */
  readonly dir: string;
  /** File names of each split inside `dir`. */
  readonly files: { readonly train: JpegPackSplitFiles; readonly test: JpegPackSplitFiles };
  /** SHA-256 (hex) of every file, by file name: checked before anything is decoded. */
  readonly sha256: Readonly<Record<string, string>>;
  /** Byte size of every file, by file name: checked before anything is read. */
  readonly bytes: Readonly<Record<string, number>>;
  /** Images per split. */
  readonly counts: { readonly train: number; readonly test: number };
  /** Class names by label. */
  readonly classNames: readonly string[];
}

/** The splits of a pack, in the order they are read. */
export const PACK_SPLITS = ['train', 'test'] as const;

/**
 * Checks a pack descriptor: plain file names (they are joined to `dir`, so they must not point
 * elsewhere), a digest and size for each, and sizes that agree with the counts.
 * @param name how the caller names it, e.g. `options.pack`.
 */
export function assertJpegPackSource(fn: string, name: string, value: unknown): asserts value is JpegPackSource {
  assertObject(fn, name, value, 'a JpegPackSource such as cifar10Subset from @aa/cifar10-subset');
  const p = value;
  if (p.kind !== 'jpeg-pack') fail(fn, `${name}.kind`, p.kind, "'jpeg-pack'");
  assertString(fn, `${name}.name`, p.name);
  if (typeof p.dir !== 'string' || !path.isAbsolute(p.dir)) fail(fn, `${name}.dir`, p.dir, 'an absolute folder path');
  const { files, sha256, bytes, counts, classNames } = p;
  assertObject(fn, `${name}.files`, files, 'an object { train, test } of split file names');
  assertObject(fn, `${name}.sha256`, sha256, 'an object of SHA-256 digests by file name');
  assertObject(fn, `${name}.bytes`, bytes, 'an object of byte sizes by file name');
  assertObject(fn, `${name}.counts`, counts, 'an object { train, test } of image counts');
  if (!Array.isArray(classNames) || classNames.length < 1 || classNames.length > 256) {
    fail(fn, `${name}.classNames`, classNames, 'an array of 1 to 256 class names (labels are one byte)');
  }
  classNames.forEach((c: unknown, i) => assertString(fn, `${name}.classNames[${i}]`, c));
  const seen = new Set<string>();
  for (const split of PACK_SPLITS) {
    const splitFiles = files[split];
    assertObject(fn, `${name}.files.${split}`, splitFiles, 'an object { jpeg, offsets, labels } of file names');
    const count = counts[split];
    assertPositiveInt(fn, `${name}.counts.${split}`, count);
    const named: Record<string, string> = {};
    for (const role of ['jpeg', 'offsets', 'labels'] as const) {
      const file = splitFiles[role];
      assertPlainFileName(fn, `${name}.files.${split}.${role}`, file);
      if (seen.has(file)) fail(fn, `${name}.files.${split}.${role}`, file, 'a file name used once in the pack');
      seen.add(file);
      assertSha256(fn, `${name}.sha256['${file}']`, sha256[file]);
      assertInt(fn, `${name}.bytes['${file}']`, bytes[file], 0);
      named[role] = file;
    }
    const offsetsBytes = (count + 1) * 4;
    const { offsets, labels } = named as { offsets: string; labels: string };
    if (bytes[offsets] !== offsetsBytes) fail(fn, `${name}.bytes['${offsets}']`, bytes[offsets], `${offsetsBytes} ((counts.${split} + 1) x 4)`);
    if (bytes[labels] !== count) fail(fn, `${name}.bytes['${labels}']`, bytes[labels], `${count} (counts.${split})`);
  }
}
