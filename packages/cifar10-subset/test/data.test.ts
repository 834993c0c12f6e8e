import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cifar10Subset } from '@aa/cifar10-subset';
import { DATA, jpegFrame, jpegOf, readSplit } from './helpers/pack';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** Made by scripts/make-source-check.py from the source pack, not from data/. */
const source = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'source-check.json'), 'utf8')) as Record<
  'train' | 'test',
  { count: number; images: { position: number; sourceIndex: number; label: number; sha256: string }[] }
>;

describe('cifar10Subset descriptor', () => {
  it('points at the data folder and describes it', () => {
    expect(cifar10Subset.kind).toBe('jpeg-pack');
    expect(cifar10Subset.name).toBe('cifar10-subset');
    expect(path.isAbsolute(cifar10Subset.dir)).toBe(true);
    expect(cifar10Subset.dir).toBe(DATA);
    expect(cifar10Subset.counts).toEqual({ train: 10000, test: 2500 });
    expect(cifar10Subset.classNames).toEqual(CLASSES);
    expect(cifar10Subset.files).toEqual({
      train: { jpeg: 'train_jpeg.bin', offsets: 'train_offsets.u32', labels: 'train_labels.u8' },
      test: { jpeg: 'test_jpeg.bin', offsets: 'test_offsets.u32', labels: 'test_labels.u8' },
    });
    expect(Object.isFrozen(cifar10Subset) && Object.isFrozen(cifar10Subset.sha256) && Object.isFrozen(cifar10Subset.files.train)).toBe(true);
  });

  it('gives every file the size and SHA-256 it has, as data/manifest.json does', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(DATA, 'manifest.json'), 'utf8')) as { bytes: unknown; sha256: unknown; counts: unknown; classNames: unknown };
    const names = Object.values(cifar10Subset.files).flatMap((f) => [f.jpeg, f.offsets, f.labels]);
    expect(Object.keys(cifar10Subset.sha256).sort()).toEqual([...names].sort());
    expect(Object.keys(cifar10Subset.bytes).sort()).toEqual([...names].sort());
    for (const name of names) {
      const bytes = fs.readFileSync(path.join(DATA, name));
      expect([name, bytes.length, sha256(bytes)]).toEqual([name, cifar10Subset.bytes[name], cifar10Subset.sha256[name]]);
    }
    expect([manifest.bytes, manifest.sha256, manifest.counts, manifest.classNames]).toEqual([
      cifar10Subset.bytes,
      cifar10Subset.sha256,
      cifar10Subset.counts,
      cifar10Subset.classNames,
    ]);
  });
});

describe.each([
  ['train', 10000, 1000],
  ['test', 2500, 250],
] as const)('the %s split', (split, count, perClass) => {
  const s = readSplit(split);

  it(`holds ${count} images, ${perClass} of each class`, () => {
    expect(s.labels.length).toBe(count);
    const counts = new Array<number>(10).fill(0);
    for (const l of s.labels) counts[l]!++;
    expect(counts).toEqual(new Array(10).fill(perClass));
  });

  it('has increasing offsets from 0 to the end of the JPEG bytes, each a 32x32 three-component JPEG', () => {
    expect(s.offsets.length).toBe(count + 1);
    expect(s.offsets[0]).toBe(0);
    expect(s.offsets[count]).toBe(s.jpeg.length);
    for (let i = 0; i < count; i++) {
      const jpeg = jpegOf(s, i);
      if (!(jpeg.length > 100 && jpeg[jpeg.length - 2] === 0xff && jpeg[jpeg.length - 1] === 0xd9)) throw new Error(`image ${i} does not end in EOI`);
      const frame = jpegFrame(jpeg);
      if (frame.height !== 32 || frame.width !== 32 || frame.components !== 3) throw new Error(`image ${i}: ${JSON.stringify(frame)}`);
    }
  });

  it("keeps the source's JPEG bytes and order (first images of each class, no re-encoding)", () => {
    expect(source[split].count).toBe(count);
    for (const img of source[split].images) {
      expect([img.position, s.labels[img.position], sha256(jpegOf(s, img.position))]).toEqual([img.position, img.label, img.sha256]);
    }
  });
});
