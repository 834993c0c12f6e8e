/**
 * Builds small datasets in the official CIFAR binary formats, written here from the format description
 * (not with the package's code), so parsing is checked against an independent writer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DatasetSpec } from '../../src/formats';
import { CIFAR100_SPEC, CIFAR10_SPEC } from '../../src/formats';

/** Pixel (c, y, x) of image i of a split: a hash, so a transposition or offset error shows up. */
export function pixel(split: number, i: number, c: number, y: number, x: number): number {
  let h = (split * 1000003 + i * 7919 + c * 104729 + y * 131 + x) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) & 255;
}

/** Fine label of image i of a split. */
export const fineLabel = (spec: DatasetSpec, split: number, i: number): number => (i * 7 + split * 3) % spec.classes;
/** Coarse label of image i of a split. */
export const coarseLabel = (spec: DatasetSpec, split: number, i: number): number => (i * 5 + 1 + split) % (spec.coarseClasses ?? 1);

/** A copy of an official spec with tiny record counts. */
export function tinySpec(base: DatasetSpec, train: number[], test: number[], extra: Partial<DatasetSpec> = {}): DatasetSpec {
  if (train.length !== base.train.length || test.length !== base.test.length) throw new Error('tinySpec: wrong number of files');
  return {
    ...base,
    train: base.train.map((b, k) => ({ file: b.file, records: train[k]! })),
    test: base.test.map((b, k) => ({ file: b.file, records: test[k]! })),
    ...extra,
  };
}

/** CIFAR-10 layout with 3+2+2+1+2 train and 3 test records. */
export const TINY10 = tinySpec(CIFAR10_SPEC, [3, 2, 2, 1, 2], [3]);
/** CIFAR-100 layout with 4 train and 3 test records. */
export const TINY100 = tinySpec(CIFAR100_SPEC, [4], [3]);

/** Bytes of one batch file: records `first..first+n-1` of `split` (0 train, 1 test). */
export function batchFile(spec: DatasetSpec, split: number, first: number, n: number): Buffer {
  const rec = spec.labelBytes + 3072;
  const buf = Buffer.alloc(n * rec);
  for (let r = 0; r < n; r++) {
    const i = first + r;
    let o = r * rec;
    if (spec.labelBytes === 2) buf[o++] = coarseLabel(spec, split, i);
    buf[o++] = fineLabel(spec, split, i);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) buf[o++] = pixel(split, i, c, y, x);
  }
  return buf;
}

/** Class names as the official text files hold them. */
export function namesText(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, k) => `${prefix}${k}`).join('\n') + '\n\n';
}

/** Every member of `spec`: file name -> bytes. */
export function datasetFiles(spec: DatasetSpec): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  ([spec.train, spec.test] as const).forEach((batches, split) => {
    let first = 0;
    for (const b of batches) {
      files.set(b.file, batchFile(spec, split, first, b.records));
      first += b.records;
    }
  });
  files.set(spec.namesFile, Buffer.from(namesText(spec.classes, 'class')));
  if (spec.coarseNamesFile !== undefined) files.set(spec.coarseNamesFile, Buffer.from(namesText(spec.coarseClasses!, 'super')));
  return files;
}

/** A tar member for {@link tarBytes}. */
export interface TarMember {
  name: string;
  data?: Uint8Array;
  /** ustar type flag: '0' file, '2' symlink, '5' directory. */
  type?: '0' | '2' | '5';
  linkname?: string;
  /** Size written in the header, when it should lie about the data. */
  headerSize?: number;
}

/** A minimal ustar writer, so tests control every header (hostile names, links, lies). */
export function tarBytes(members: TarMember[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? new Uint8Array(0));
    const h = Buffer.alloc(512);
    h.write(m.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write((m.headerSize ?? data.length).toString(8).padStart(11, '0') + '\0', 124);
    h.write('14000000000\0', 136);
    h.write('        ', 148);
    h.write(m.type ?? '0', 156);
    if (m.linkname !== undefined) h.write(m.linkname, 157, 100);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The members of `spec` under its folder, as the official archive holds them (with the folder entry). */
export function datasetMembers(spec: DatasetSpec, files = datasetFiles(spec)): TarMember[] {
  return [{ name: `${spec.folder}/`, type: '5' }, ...[...files].map(([f, data]) => ({ name: `${spec.folder}/${f}`, data }))];
}

/** Gzipped tar of `members`. */
export function tarGz(members: TarMember[]): Buffer {
  return zlib.gzipSync(tarBytes(members));
}

/** A fresh temporary folder, removed by {@link cleanup}. */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cifar-data-${tag}-`));
}

/** Removes folders made by {@link tempDir}. */
export function cleanup(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

/** Writes an extracted dataset folder `dir/<spec.folder>` and returns its path. */
export function writeFolder(dir: string, spec: DatasetSpec, files = datasetFiles(spec)): string {
  const folder = path.join(dir, spec.folder);
  fs.mkdirSync(folder, { recursive: true });
  for (const [f, data] of files) fs.writeFileSync(path.join(folder, f), data);
  return folder;
}

/** Expected NHWC bytes of image i of a split, computed straight from the pixel function. */
export function expectedImage(split: number, i: number): Uint8Array {
  const out = new Uint8Array(3072);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) out[(y * 32 + x) * 3 + c] = pixel(split, i, c, y, x);
  return out;
}
