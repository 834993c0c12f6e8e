/**
 * Reads the shipped files with plain Node calls, from the format description only (not with the
 * package's code), so the tests check the data against an independent reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package's data folder, found from this file (not from the package's own resolution). */
export const DATA = path.resolve(__dirname, '..', '..', 'data');

/** One split as stored: JPEG bytes, start offsets (one more than images) and labels. */
export interface Split {
  jpeg: Buffer;
  offsets: number[];
  labels: Buffer;
}

/** Reads `<split>_jpeg.bin`, `<split>_offsets.u32` (little-endian) and `<split>_labels.u8`. */
export function readSplit(split: 'train' | 'test'): Split {
  const raw = fs.readFileSync(path.join(DATA, `${split}_offsets.u32`));
  const offsets = Array.from({ length: raw.length / 4 }, (_, i) => raw.readUInt32LE(i * 4));
  return { jpeg: fs.readFileSync(path.join(DATA, `${split}_jpeg.bin`)), offsets, labels: fs.readFileSync(path.join(DATA, `${split}_labels.u8`)) };
}

/** The JPEG file of image `i`. */
export function jpegOf(s: Split, i: number): Buffer {
  return s.jpeg.subarray(s.offsets[i], s.offsets[i + 1]);
}

/** Height, width and component count from a JPEG's start-of-frame segment (baseline or progressive). */
export function jpegFrame(jpeg: Buffer): { height: number; width: number; components: number } {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('no SOI marker');
  let p = 2;
  while (p + 4 <= jpeg.length) {
    if (jpeg[p] !== 0xff) throw new Error(`no marker at ${p}`);
    const marker = jpeg[p + 1]!;
    const length = jpeg.readUInt16BE(p + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: jpeg.readUInt16BE(p + 5), width: jpeg.readUInt16BE(p + 7), components: jpeg[p + 9]! };
    }
    p += 2 + length;
  }
  throw new Error('no SOF segment');
}
