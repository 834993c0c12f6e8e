import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR100_SPEC, CIFAR10_SPEC, loadCifar, loadCifar10, loadCifar100 } from '../src/index';
import type { CifarData, DatasetSpec } from '../src/index';
import {
  TINY10,
  TINY100,
  cleanup,
  coarseLabel,
  datasetFiles,
  datasetMembers,
  expectedImage,
  fineLabel,
  tarBytes,
  tarGz,
  tempDir,
  writeFolder,
} from './helpers/cifar';

function checkDataset(data: CifarData, spec: DatasetSpec): void {
  const count = (split: 'train' | 'test'): number => spec[split].reduce((n, b) => n + b.records, 0);
  (['train', 'test'] as const).forEach((name, split) => {
    const s = data[name];
    expect(s.count).toBe(count(name));
    expect([s.height, s.width, s.channels]).toEqual([32, 32, 3]);
    expect(s.images).toBeInstanceOf(Uint8Array);
    expect(s.images.length).toBe(s.count * 3072);
    for (let i = 0; i < s.count; i++) {
      expect(s.labels[i]).toBe(fineLabel(spec, split, i));
      if (spec.labelBytes === 2) expect(s.coarseLabels![i]).toBe(coarseLabel(spec, split, i));
      // Whole image compared with the independent NHWC expectation.
      expect(Buffer.from(s.images.subarray(i * 3072, (i + 1) * 3072)).equals(Buffer.from(expectedImage(split, i)))).toBe(true);
    }
  });
  expect(data.classNames).toEqual(Array.from({ length: spec.classes }, (_, k) => `class${k}`));
}

describe('loading from an extracted folder (dataDir)', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('folder')));
  afterEach(() => cleanup(dir));

  it('reads CIFAR-10 layout from the folder or its parent, in NHWC with labels and names', async () => {
    const folder = writeFolder(dir, TINY10);
    const fromParent = await loadCifar(TINY10, { dataDir: dir });
    checkDataset(fromParent, TINY10);
    expect(fromParent.source).toEqual({ kind: 'dataDir', path: folder });
    const fromFolder = await loadCifar(TINY10, { dataDir: folder });
    expect(Buffer.from(fromFolder.train.images).equals(Buffer.from(fromParent.train.images))).toBe(true);
    expect(fromFolder.train.coarseLabels).toBeUndefined();
  });

  it('reads CIFAR-100 layout: coarse label first, then fine, and both name lists', async () => {
    writeFolder(dir, TINY100);
    const data = await loadCifar(TINY100, { dataDir: dir });
    checkDataset(data, TINY100);
    expect(data.coarseClassNames).toEqual(Array.from({ length: 20 }, (_, k) => `super${k}`));
  });

  it('rejects a truncated batch file, naming the file and the expected size', async () => {
    const files = datasetFiles(TINY10);
    files.set('data_batch_2.bin', files.get('data_batch_2.bin')!.subarray(0, 3073 + 100));
    writeFolder(dir, TINY10, files);
    await expect(loadCifar(TINY10, { dataDir: dir })).rejects.toThrow(/data_batch_2\.bin has 3173 bytes, expected 6146 \(2 records of 3073 bytes\)/);
  });

  it('rejects a file cut exactly at a record boundary too (never silently short data)', async () => {
    const files = datasetFiles(TINY10);
    files.set('test_batch.bin', files.get('test_batch.bin')!.subarray(0, 2 * 3073));
    writeFolder(dir, TINY10, files);
    await expect(loadCifar(TINY10, { dataDir: dir })).rejects.toThrow(/test_batch\.bin has 6146 bytes, expected 9219/);
  });

  it('names the official sizes for a real CIFAR-10 folder with a short file', async () => {
    const folder = path.join(dir, 'cifar-10-batches-bin');
    fs.mkdirSync(folder);
    for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) {
      fs.writeFileSync(path.join(folder, f), Buffer.alloc(10));
    }
    fs.writeFileSync(path.join(folder, 'batches.meta.txt'), 'a\n');
    await expect(loadCifar10({ dataDir: dir })).rejects.toThrow(/loadCifar10: .*data_batch_1\.bin has 10 bytes, expected 30730000 \(10000 records of 3073 bytes\)/);
  });

  it('rejects a missing member, an out-of-range label and a wrong names file', async () => {
    let files = datasetFiles(TINY10);
    files.delete('data_batch_4.bin');
    writeFolder(dir, TINY10, files);
    await expect(loadCifar(TINY10, { dataDir: dir })).rejects.toThrow(/has no data_batch_4\.bin \(expected 3073 bytes\)/);
    cleanup(dir);

    files = datasetFiles(TINY10);
    files.get('data_batch_3.bin')![3073] = 10; // label of record 1
    writeFolder(dir, TINY10, files);
    await expect(loadCifar(TINY10, { dataDir: dir })).rejects.toThrow(/data_batch_3\.bin .*record 1: label 10 is outside 0\.\.9/);
    cleanup(dir);

    files = datasetFiles(TINY100);
    files.get('train.bin')![0] = 20; // coarse label of record 0
    writeFolder(dir, TINY100, files);
    await expect(loadCifar(TINY100, { dataDir: dir })).rejects.toThrow(/coarse label 20 is outside 0\.\.19/);
    cleanup(dir);

    files = datasetFiles(TINY10);
    files.set('batches.meta.txt', Buffer.from('a\nb\n'));
    writeFolder(dir, TINY10, files);
    await expect(loadCifar(TINY10, { dataDir: dir })).rejects.toThrow(/batches\.meta\.txt .*lists 2 class names, expected 10/);
  });

  it('explains what dataDir should hold when it holds nothing useful', async () => {
    await expect(loadCifar100({ dataDir: dir })).rejects.toThrow(/loadCifar100: dataDir .* holds neither cifar-100-binary\/train\.bin nor train\.bin/);
  });
});

describe('loading from a local archive', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('archive')));
  afterEach(() => cleanup(dir));

  it('reads a .tar.gz and a plain .tar in memory, ignoring other members, writing nothing', async () => {
    const members = [{ name: 'cifar-10-batches-bin/readme.html', data: Buffer.from('<html>') }, ...datasetMembers(TINY10)];
    fs.writeFileSync(path.join(dir, 'a.tar.gz'), tarGz(members));
    fs.writeFileSync(path.join(dir, 'a.tar'), tarBytes(members.map((m) => ({ ...m, name: `./${m.name}` }))));
    const gz = await loadCifar(TINY10, { archive: path.join(dir, 'a.tar.gz') });
    checkDataset(gz, TINY10);
    expect(gz.source).toEqual({ kind: 'archive', path: path.join(dir, 'a.tar.gz') });
    checkDataset(await loadCifar(TINY10, { archive: path.join(dir, 'a.tar') }), TINY10);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.tar', 'a.tar.gz']);
  });

  it('reads the CIFAR-100 layout from an archive', async () => {
    fs.writeFileSync(path.join(dir, 'c.tar.gz'), tarGz(datasetMembers(TINY100)));
    const data = await loadCifar(TINY100, { archive: path.join(dir, 'c.tar.gz') });
    checkDataset(data, TINY100);
  });

  it('uses dataDir before archive', async () => {
    writeFolder(dir, TINY10);
    const data = await loadCifar(TINY10, { dataDir: dir, archive: path.join(dir, 'does-not-exist.tar.gz') });
    expect(data.source.kind).toBe('dataDir');
  });

  it('says so when the archive does not exist', async () => {
    await expect(loadCifar(TINY10, { archive: path.join(dir, 'nope.tar.gz') })).rejects.toThrow(/archive .*nope\.tar\.gz does not exist/);
  });

  it('names the expected layout when given the python version of the archive', async () => {
    fs.writeFileSync(path.join(dir, 'py.tar.gz'), tarGz([{ name: 'cifar-10-batches-py/data_batch_1', data: Buffer.from('pickle') }]));
    await expect(loadCifar10({ archive: path.join(dir, 'py.tar.gz') })).rejects.toThrow(
      /lacks cifar-10-batches-bin\/data_batch_1\.bin, .*expected the CIFAR-10 binary version \(cifar-10-binary\.tar\.gz/,
    );
  });

  it('keeps the official spec constants', () => {
    expect(CIFAR10_SPEC.size).toBe(170052171);
    expect(CIFAR10_SPEC.md5).toBe('c32a1d4ab5d03f1284b67883e8d87530');
    expect(CIFAR10_SPEC.url).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(CIFAR100_SPEC.size).toBe(168513733);
    expect(CIFAR100_SPEC.md5).toBe('03b5dce01913d631647c71ecec9e9cb8');
    expect(CIFAR100_SPEC.url).toBe('https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz');
  });
});
