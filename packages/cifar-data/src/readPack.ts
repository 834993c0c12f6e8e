import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import type { DatasetSpec } from './formats';
import { CIFAR_CHANNELS, CIFAR_HEIGHT, CIFAR_WIDTH, PIXEL_BYTES } from './formats';
import type { JpegPackSource, JpegPackSplitFiles } from './pack';
import { PACK_SPLITS } from './pack';
import type { ParsedDataset } from './parse';
import type { CifarSplit } from './types';

/** How to recover from a damaged pack, appended to every file error. */
const fixHint = (pack: JpegPackSource): string => `Reinstall the package that ships the '${pack.name}' pack (or restore the file from it) and load again.`;

/** Checks that a pack file exists with the size the descriptor gives, before anything is read. */
async function checkSize(fn: string, pack: JpegPackSource, file: string): Promise<void> {
  const full = path.join(pack.dir, file);
  const expected = pack.bytes[file]!;
  const stat = await fs.stat(full).catch(() => undefined);
  if (stat === undefined || !stat.isFile()) throw new Error(`${fn}: the '${pack.name}' pack has no file ${full}. ${fixHint(pack)}`);
  if (stat.size !== expected) {
    throw new Error(`${fn}: ${full} has ${stat.size} bytes, expected ${expected}; the '${pack.name}' pack is truncated or damaged. ${fixHint(pack)}`);
  }
}

/** Reads a pack file and checks its SHA-256 (and, again, its size) before it is used. */
async function readVerified(fn: string, pack: JpegPackSource, file: string): Promise<Buffer> {
  const full = path.join(pack.dir, file);
  const bytes = await fs.readFile(full).catch((err: unknown) => {
    throw new Error(`${fn}: cannot read ${full} (${(err as Error).message}). ${fixHint(pack)}`, { cause: err });
  });
  const want = pack.sha256[file]!.toLowerCase();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== pack.bytes[file] || sha256 !== want) {
    throw new Error(`${fn}: ${full} has SHA-256 ${sha256}, expected ${want}; the '${pack.name}' pack is damaged. ${fixHint(pack)}`);
  }
  return bytes;
}

/** Start offsets of `count` images, checked to start at 0, increase strictly and end at `jpegBytes`. */
function parseOffsets(fn: string, where: string, raw: Buffer, count: number, jpegBytes: number): Uint32Array {
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i <= count; i++) offsets[i] = raw.readUInt32LE(i * 4);
  if (offsets[0] !== 0) throw new Error(`${fn}: ${where}: offset 0 is ${offsets[0]}, expected 0; the pack is malformed.`);
  for (let i = 0; i < count; i++) {
    if (offsets[i + 1]! <= offsets[i]!) {
      throw new Error(`${fn}: ${where}: offset ${i + 1} (${offsets[i + 1]}) does not exceed offset ${i} (${offsets[i]}); offsets must increase, the pack is malformed.`);
    }
  }
  if (offsets[count] !== jpegBytes) {
    throw new Error(`${fn}: ${where}: the last offset is ${offsets[count]}, expected the JPEG file's size ${jpegBytes}; the pack is malformed.`);
  }
  return offsets;
}

/** Decodes one JPEG to 32x32 RGB bytes (HWC), refusing any other size and any corrupt stream. */
function decodeImage(fn: string, where: string, index: number, bytes: Uint8Array): Uint8Array {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    // Not tolerant: a damaged stream must fail, not decode to grey blocks. The caps keep a forged
    // header from allocating much: a CIFAR image needs 3 KB.
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: 1, maxMemoryUsageInMB: 64 });
  } catch (err) {
    throw new Error(`${fn}: image ${index} of ${where} is not a decodable JPEG (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
  }
  if (image.width !== CIFAR_WIDTH || image.height !== CIFAR_HEIGHT || image.data.length !== PIXEL_BYTES) {
    throw new Error(`${fn}: image ${index} of ${where} is ${image.width}x${image.height}, expected ${CIFAR_WIDTH}x${CIFAR_HEIGHT} RGB.`);
  }
  return image.data;
}

async function readSplit(fn: string, pack: JpegPackSource, files: JpegPackSplitFiles, count: number, classes: number): Promise<CifarSplit> {
  const labels = new Uint8Array(await readVerified(fn, pack, files.labels));
  const rawOffsets = await readVerified(fn, pack, files.offsets);
  const jpegs = await readVerified(fn, pack, files.jpeg);
  const offsets = parseOffsets(fn, path.join(pack.dir, files.offsets), rawOffsets, count, jpegs.length);
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classes) {
      throw new Error(`${fn}: ${path.join(pack.dir, files.labels)}: label ${labels[i]} of image ${i} is outside 0..${classes - 1}; the pack is malformed.`);
    }
  }
  const where = path.join(pack.dir, files.jpeg);
  const images = new Uint8Array(count * PIXEL_BYTES);
  for (let i = 0; i < count; i++) images.set(decodeImage(fn, where, i, jpegs.subarray(offsets[i], offsets[i + 1])), i * PIXEL_BYTES);
  return { images, labels, count, height: CIFAR_HEIGHT, width: CIFAR_WIDTH, channels: CIFAR_CHANNELS };
}

/**
 * Reads a JPEG pack laid out for `spec` (one label byte, `spec.classes` classes): every file is checked
 * against the descriptor's size and SHA-256 first, then offsets and labels, then each image is decoded
 * to 32x32x3 uint8.
 */
export async function readJpegPack(fn: string, spec: DatasetSpec, pack: JpegPackSource): Promise<ParsedDataset> {
  if (spec.labelBytes !== 1) {
    throw new Error(`${fn}: options.pack holds one label per image, but ${spec.title} has two (fine and coarse); load it from its archive or folder instead.`);
  }
  if (pack.classNames.length !== spec.classes) {
    throw new Error(`${fn}: options.pack '${pack.name}' names ${pack.classNames.length} classes, but ${spec.title} has ${spec.classes}.`);
  }
  // Every size first: a truncated or missing file is reported before megabytes are read and hashed.
  for (const split of PACK_SPLITS) {
    const { jpeg: j, offsets, labels } = pack.files[split];
    for (const file of [labels, offsets, j]) await checkSize(fn, pack, file);
  }
  const train = await readSplit(fn, pack, pack.files.train, pack.counts.train, spec.classes);
  const test = await readSplit(fn, pack, pack.files.test, pack.counts.test, spec.classes);
  return { train, test, classNames: [...pack.classNames] };
}
