import * as fs from 'node:fs';
import * as path from 'node:path';
import { cifar10Subset } from '@aa/cifar10-subset';
import * as jpeg from 'jpeg-js';
import { CIFAR10_SPEC, loadCifar, loadCifar10, loadCifar100 } from '../src/index';
import type { CifarData, CifarSplit, JpegPackSource, LoadOptions } from '../src/index';
import { TINY10, cleanup, datasetMembers, fineLabel, tarGz, tempDir, writeFolder } from './helpers/cifar';
import { jpegsOf, writePack } from './helpers/pack';

interface CheckedImage {
  position: number;
  sourceIndex: number;
  label: number;
  channelMeans: number[];
  blockMeans: number[][][];
}
/** Made by scripts/make-subset-check.py with Pillow from the source JPEG pack, not from the subset package. */
const check = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'cifar10-subset-check.json'), 'utf8')) as Record<
  'train' | 'test',
  { count: number; images: CheckedImage[] }
>;
const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

// Pillow (libjpeg) and jpeg-js upsample the 4:2:0 chroma differently, so pixels differ by a few levels
// (mean 1.45, up to 87 at sharp colour edges). Over all 12,500 subset images the largest differences
// were 1.48 in a per-channel image mean and 8.1 in an 8x8-block mean; a swapped channel, a transposed
// or mirrored image or a neighbour's image is off by far more.
const CHANNEL_MEAN_TOLERANCE = 1.5;
const BLOCK_MEAN_TOLERANCE = 8.5;

/** Per-channel mean and 8x8-block means (`[row block][column block][channel]`) of NHWC image `i`. */
function stats(split: CifarSplit, i: number): { channelMeans: number[]; blockMeans: number[][][] } {
  const img = split.images.subarray(i * 3072, (i + 1) * 3072);
  const channelMeans = [0, 1, 2].map((c) => {
    let s = 0;
    for (let p = 0; p < 1024; p++) s += img[p * 3 + c]!;
    return s / 1024;
  });
  const blockMeans = [0, 1, 2, 3].map((by) =>
    [0, 1, 2, 3].map((bx) =>
      [0, 1, 2].map((c) => {
        let s = 0;
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += img[((by * 8 + y) * 32 + bx * 8 + x) * 3 + c]!;
        return s / 64;
      }),
    ),
  );
  return { channelMeans, blockMeans };
}

const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('loading @aa/cifar10-subset through the loader', () => {
  let data: CifarData;
  beforeAll(async () => {
    data = await loadCifar10({ pack: cifar10Subset });
  });

  it('gives 10,000 train and 2,500 test images, class-balanced, with names and source', () => {
    expect(data.source).toEqual({ kind: 'pack', path: cifar10Subset.dir });
    expect(data.classNames).toEqual(CLASSES);
    for (const [name, count, perClass] of [
      ['train', 10000, 1000],
      ['test', 2500, 250],
    ] as const) {
      const split = data[name];
      expect(split.count).toBe(check[name].count);
      expect([split.count, split.height, split.width, split.channels, split.images.length, split.labels.length]).toEqual([count, 32, 32, 3, count * 3072, count]);
      const counts = new Array<number>(10).fill(0);
      for (const l of split.labels) counts[l]!++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
  });

  it.each(['train', 'test'] as const)('%s: exact labels, and pixels as Pillow decodes the source images', (name) => {
    for (const want of check[name].images) {
      const got = stats(data[name], want.position);
      expect([want.position, data[name].labels[want.position]]).toEqual([want.position, want.label]);
      expect(maxAbsDiff(got.channelMeans, want.channelMeans)).toBeLessThanOrEqual(CHANNEL_MEAN_TOLERANCE);
      expect(maxAbsDiff(got.blockMeans.flat(2), want.blockMeans.flat(2))).toBeLessThanOrEqual(BLOCK_MEAN_TOLERANCE);
    }
  });

  it('the fixture tolerances do catch a neighbouring image', () => {
    const want = check.train.images[3]!;
    const neighbour = stats(data.train, want.position + 1);
    expect(maxAbsDiff(neighbour.blockMeans.flat(2), want.blockMeans.flat(2))).toBeGreaterThan(BLOCK_MEAN_TOLERANCE);
  });

  it('loadCifar(CIFAR10_SPEC, { pack }) goes down the same path', async () => {
    const again = await loadCifar(CIFAR10_SPEC, { pack: cifar10Subset });
    expect(again.source).toEqual(data.source);
    expect(Buffer.from(again.test.images).equals(Buffer.from(data.test.images))).toBe(true);
    expect(Buffer.from(again.train.labels).equals(Buffer.from(data.train.labels))).toBe(true);
  });
});

describe('a damaged copy of the subset', () => {
  let dir: string;
  let pack: JpegPackSource;
  beforeEach(() => {
    dir = tempDir('subset');
    for (const f of Object.keys(cifar10Subset.bytes)) fs.copyFileSync(path.join(cifar10Subset.dir, f), path.join(dir, f));
    pack = { ...cifar10Subset, dir };
  });
  afterEach(() => cleanup(dir));
  const fix = "Reinstall the package that ships the 'cifar10-subset' pack \\(or restore the file from it\\) and load again\\.$";

  it('one changed byte: an error naming the file and its expected SHA-256', async () => {
    const file = path.join(dir, 'train_jpeg.bin');
    const bytes = fs.readFileSync(file);
    bytes[5_000_000] = bytes[5_000_000]! ^ 1;
    fs.writeFileSync(file, bytes);
    await expect(loadCifar10({ pack })).rejects.toThrow(
      new RegExp(`^loadCifar10: ${file} has SHA-256 [0-9a-f]{64}, expected ${cifar10Subset.sha256['train_jpeg.bin']}; the 'cifar10-subset' pack is damaged\\. ${fix}`),
    );
  });

  it('a truncated file: an error naming it and both sizes, before anything is hashed', async () => {
    fs.truncateSync(path.join(dir, 'test_offsets.u32'), 10000);
    await expect(loadCifar10({ pack })).rejects.toThrow(
      new RegExp(`^loadCifar10: ${path.join(dir, 'test_offsets.u32')} has 10000 bytes, expected 10004; the 'cifar10-subset' pack is truncated or damaged\\. ${fix}`),
    );
    fs.truncateSync(path.join(dir, 'train_jpeg.bin'), 1000);
    await expect(loadCifar10({ pack })).rejects.toThrow(/train_jpeg\.bin has 1000 bytes, expected 9206645/);
  });

  it('a missing file', async () => {
    fs.rmSync(path.join(dir, 'train_labels.u8'));
    await expect(loadCifar10({ pack })).rejects.toThrow(new RegExp(`^loadCifar10: the 'cifar10-subset' pack has no file ${path.join(dir, 'train_labels.u8')}\\. ${fix}`));
  });
});

describe('malformed packs whose files match their digests', () => {
  let dir: string;
  let real: Buffer[];
  beforeAll(() => (real = jpegsOf(cifar10Subset, 'test', 4)));
  beforeEach(() => (dir = tempDir('pack')));
  afterEach(() => cleanup(dir));
  const good = (): { jpegs: Uint8Array[]; labels: number[] } => ({ jpegs: [real[0]!, real[1]!], labels: [1, 2] });

  it('a small honest pack loads, each image as jpeg-js decodes it alone', async () => {
    const pack = writePack(dir, { train: { jpegs: [real[2]!, real[3]!, real[0]!], labels: [9, 0, 3] }, test: good() });
    const data = await loadCifar10({ pack });
    expect([data.train.count, data.test.count, Array.from(data.train.labels), data.classNames[3]]).toEqual([3, 2, [9, 0, 3], 'class3']);
    const alone = jpeg.decode(real[0]!, { useTArray: true, formatAsRGBA: false });
    expect(Buffer.from(data.train.images.subarray(2 * 3072)).equals(Buffer.from(alone.data))).toBe(true);
  });

  it('offsets that do not start at 0, go backwards or stop short of the end', async () => {
    const [a, b] = [real[0]!.length, real[1]!.length];
    let pack = writePack(dir, { train: { ...good(), offsets: [1, a, a + b] }, test: good() });
    await expect(loadCifar10({ pack })).rejects.toThrow(/train_offsets\.u32: offset 0 is 1, expected 0; the pack is malformed\./);
    pack = writePack(dir, { train: { jpegs: [real[0]!, real[1]!, real[2]!], labels: [1, 2, 3], offsets: [0, a + b, a, a + b + real[2]!.length] }, test: good() });
    await expect(loadCifar10({ pack })).rejects.toThrow(new RegExp(`train_offsets\\.u32: offset 2 \\(${a}\\) does not exceed offset 1 \\(${a + b}\\); offsets must increase`));
    pack = writePack(dir, { train: good(), test: { ...good(), offsets: [0, a, a + b - 1] } });
    await expect(loadCifar10({ pack })).rejects.toThrow(new RegExp(`test_offsets\\.u32: the last offset is ${a + b - 1}, expected the JPEG file's size ${a + b}`));
  });

  it('a label outside the classes', async () => {
    const pack = writePack(dir, { train: { ...good(), labels: [1, 10] }, test: good() });
    await expect(loadCifar10({ pack })).rejects.toThrow(/train_labels\.u8: label 10 of image 1 is outside 0\.\.9; the pack is malformed\./);
  });

  it('an image that is not a JPEG, a cut JPEG and a JPEG of another size', async () => {
    let pack = writePack(dir, { train: good(), test: { jpegs: [real[0]!, Buffer.from('not a jpeg at all')], labels: [0, 0] } });
    await expect(loadCifar10({ pack })).rejects.toThrow(/^loadCifar10: image 1 of .*test_jpeg\.bin is not a decodable JPEG \(.+\)\.$/);
    pack = writePack(dir, { train: { jpegs: [real[0]!.subarray(0, 300), real[1]!], labels: [0, 0] }, test: good() });
    await expect(loadCifar10({ pack })).rejects.toThrow(/^loadCifar10: image 0 of .*train_jpeg\.bin is not a decodable JPEG/);
    const small = jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 128) }, 75).data;
    pack = writePack(dir, { train: { jpegs: [real[0]!, small], labels: [0, 0] }, test: good() });
    await expect(loadCifar10({ pack })).rejects.toThrow(/^loadCifar10: image 1 of .*train_jpeg\.bin is 16x16, expected 32x32 RGB\.$/);
  });
});

describe('pack option checks', () => {
  const load = (options: unknown): Promise<unknown> => loadCifar10(options as LoadOptions);

  it.each([
    [{ ...cifar10Subset, kind: 'zip' }, /^loadCifar10: options\.pack\.kind must be 'jpeg-pack', got 'zip'\.$/],
    [{ ...cifar10Subset, dir: 'data' }, /^loadCifar10: options\.pack\.dir must be an absolute folder path, got 'data'\.$/],
    [{ ...cifar10Subset, files: { ...cifar10Subset.files, train: { ...cifar10Subset.files.train, jpeg: '../x.bin' } } }, /options\.pack\.files\.train\.jpeg must be a plain file name \(letters, digits, \. _ -\), got '\.\.\/x\.bin'\./],
    [{ ...cifar10Subset, sha256: { ...cifar10Subset.sha256, 'test_labels.u8': 'abc' } }, /options\.pack\.sha256\['test_labels\.u8'\] must be a SHA-256 digest of 64 hex digits, got 'abc'\./],
    [{ ...cifar10Subset, counts: { train: 9999, test: 2500 } }, /options\.pack\.bytes\['train_offsets\.u32'\] must be 40000 \(\(counts\.train \+ 1\) x 4\), got 40004\./],
    [{ ...cifar10Subset, classNames: [] }, /options\.pack\.classNames must be an array of 1 to 256 class names \(labels are one byte\), got an array of length 0\./],
    ['cifar10-subset', /^loadCifar10: options\.pack must be a JpegPackSource such as cifar10Subset from @aa\/cifar10-subset, got 'cifar10-subset'\.$/],
  ])('rejects a malformed descriptor (%#)', async (pack, message) => {
    await expect(load({ pack })).rejects.toThrow(message);
  });

  it('refuses a second source beside the pack, and layouts a pack cannot hold', async () => {
    await expect(load({ pack: cifar10Subset, dataDir: '/tmp' })).rejects.toThrow(
      /^loadCifar10: options\.dataDir must be undefined when options\.pack is given \(pass one source\), got '\/tmp'\.$/,
    );
    await expect(loadCifar100({ pack: cifar10Subset })).rejects.toThrow(/^loadCifar100: options\.pack holds one label per image, but CIFAR-100 has two \(fine and coarse\)/);
    await expect(loadCifar({ ...CIFAR10_SPEC, classes: 5 }, { pack: cifar10Subset })).rejects.toThrow(
      /^loadCifar: options\.pack 'cifar10-subset' names 10 classes, but CIFAR-10 has 5\.$/,
    );
  });
});

describe('a damaged cache folder', () => {
  let cache: string;
  beforeEach(() => (cache = tempDir('cache')));
  afterEach(() => cleanup(cache));

  it('a corrupt label byte: the error says which folder to delete, and deleting it recovers', async () => {
    const folder = writeFolder(cache, TINY10);
    fs.writeFileSync(path.join(cache, TINY10.archiveName), tarGz(datasetMembers(TINY10)));
    const file = path.join(folder, 'data_batch_2.bin');
    const bytes = fs.readFileSync(file);
    bytes[3073] = 200; // the label of record 1
    fs.writeFileSync(file, bytes);
    await expect(loadCifar(TINY10, { cacheDir: cache, download: false })).rejects.toThrow(
      new RegExp(`^loadCifar: data_batch_2\\.bin in folder ${folder}, record 1: label 200 is outside 0\\.\\.9; the file is corrupted\\. Delete ${folder} to rebuild it from the cached archive \\(or download it again\\)\\.$`),
    );
    // As the message says: without the folder, the next load rebuilds it from the cached archive.
    fs.rmSync(folder, { recursive: true });
    const rebuilt = await loadCifar(TINY10, { cacheDir: cache, download: false });
    expect(rebuilt.source).toEqual({ kind: 'cache', path: path.join(cache, TINY10.archiveName) });
    expect(Array.from(rebuilt.train.labels.subarray(3, 5))).toEqual([fineLabel(TINY10, 0, 3), fineLabel(TINY10, 0, 4)]);
    expect(fs.readFileSync(file)[3073]).toBe(fineLabel(TINY10, 0, 4));
  });
});
