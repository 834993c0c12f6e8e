/**
 * Writes small JPEG packs from the format description (not with the package's code): per split the
 * JPEG files back to back, little-endian uint32 start offsets (one more than images) and label bytes,
 * plus a descriptor with every file's size and SHA-256.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JpegPackSource } from '../../src/index';

/** One split to write: the images' JPEG bytes and labels; `offsets` overrides the honest offsets. */
export interface PackSplit {
  jpegs: Uint8Array[];
  labels: number[];
  offsets?: number[];
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Writes `<split>_jpeg.bin`, `_offsets.u32`, `_labels.u8` for both splits into `dir`; returns the descriptor. */
export function writePack(dir: string, splits: { train: PackSplit; test: PackSplit }, classNames: string[] = Array.from({ length: 10 }, (_, k) => `class${k}`)): JpegPackSource {
  fs.mkdirSync(dir, { recursive: true });
  const bytes: Record<string, number> = {};
  const digests: Record<string, string> = {};
  const files = { train: { jpeg: 'train_jpeg.bin', offsets: 'train_offsets.u32', labels: 'train_labels.u8' }, test: { jpeg: 'test_jpeg.bin', offsets: 'test_offsets.u32', labels: 'test_labels.u8' } };
  for (const split of ['train', 'test'] as const) {
    const { jpegs, labels } = splits[split];
    const starts = [0];
    for (const j of jpegs) starts.push(starts[starts.length - 1]! + j.length);
    const offsets = Buffer.alloc(4 * (jpegs.length + 1));
    (splits[split].offsets ?? starts).forEach((o, i) => offsets.writeUInt32LE(o, i * 4));
    const contents: [string, Uint8Array][] = [
      [files[split].jpeg, Buffer.concat(jpegs)],
      [files[split].offsets, offsets],
      [files[split].labels, Uint8Array.from(labels)],
    ];
    for (const [name, data] of contents) {
      fs.writeFileSync(path.join(dir, name), data);
      bytes[name] = data.length;
      digests[name] = sha256(data);
    }
  }
  return { kind: 'jpeg-pack', name: 'test-pack', dir, files, sha256: digests, bytes, counts: { train: splits.train.jpegs.length, test: splits.test.jpegs.length }, classNames };
}

/** The JPEG bytes of images `0..n-1` of a split of a pack on disk, read with plain Node calls. */
export function jpegsOf(pack: JpegPackSource, split: 'train' | 'test', n: number): Buffer[] {
  const blob = fs.readFileSync(path.join(pack.dir, pack.files[split].jpeg));
  const offsets = fs.readFileSync(path.join(pack.dir, pack.files[split].offsets));
  return Array.from({ length: n }, (_, i) => blob.subarray(offsets.readUInt32LE(i * 4), offsets.readUInt32LE(i * 4 + 4)));
}
