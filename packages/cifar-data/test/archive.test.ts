import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadCifar } from '../src/index';
import { unsafeMemberReason } from '../src/archive';
import type { TarMember } from './helpers/cifar';
import { TINY10, cleanup, datasetFiles, datasetMembers, tarBytes, tarGz, tempDir } from './helpers/cifar';

describe('malformed and hostile archives', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = tempDir('bad');
    outside = tempDir('outside');
  });
  afterEach(() => cleanup(dir, outside));

  const load = (bytes: Buffer, cacheDir?: string): Promise<unknown> => {
    const file = path.join(dir, 'x.tar.gz');
    fs.writeFileSync(file, bytes);
    return loadCifar(TINY10, cacheDir === undefined ? { archive: file } : { cacheDir, download: false });
  };

  it('rejects a truncated .tar.gz, naming the archive', async () => {
    const full = tarGz(datasetMembers(TINY10));
    await expect(load(full.subarray(0, Math.floor(full.length / 2)))).rejects.toThrow(/loadCifar: cannot read archive .*x\.tar\.gz/);
  });

  it('rejects a tar cut in the middle of a member, naming the member', async () => {
    const raw = tarBytes(datasetMembers(TINY10));
    // Cut inside data_batch_1.bin's data (after two header blocks plus a little).
    const cut = zlib.gzipSync(raw.subarray(0, 512 * 3 + 2000));
    await expect(load(cut)).rejects.toThrow(/cannot read archive .*: member 'cifar-10-batches-bin\/data_batch_1\.bin' is cut short at 2512 of 9219 bytes/);
  });

  it('rejects bytes that are not an archive', async () => {
    await expect(load(Buffer.from('this is not a tar file at all, just text'.repeat(40)))).rejects.toThrow(/cannot read archive .*: it is not a tar or tar\.gz archive/);
    await expect(load(Buffer.alloc(0))).rejects.toThrow(/cannot read archive .*: it is not a tar or tar\.gz archive/);
  });

  it('rejects a member whose size differs from the layout, naming it and the expected size', async () => {
    const files = datasetFiles(TINY10);
    files.set('data_batch_1.bin', files.get('data_batch_1.bin')!.subarray(0, 5000));
    await expect(load(tarGz(datasetMembers(TINY10, files)))).rejects.toThrow(
      /member 'cifar-10-batches-bin\/data_batch_1\.bin' has 5000 bytes, expected 9219/,
    );
  });

  it.each([
    ['../evil.bin', /member '\.\.\/evil\.bin' climbs out of the target folder/],
    ['cifar-10-batches-bin/../../evil.bin', /climbs out of the target folder/],
    [`${'/tmp'}/cifar-data-evil.bin`, /is an absolute path/],
  ])('refuses the whole archive for a hostile member name %s and writes nothing', async (name, message) => {
    const members: TarMember[] = [{ name, data: Buffer.from('pwned') }, ...datasetMembers(TINY10)];
    await expect(load(tarGz(members))).rejects.toThrow(message);
    // Also through the cache path, which unpacks: nothing may appear outside the cache folder.
    const cache = path.join(outside, 'cache');
    fs.mkdirSync(cache);
    fs.writeFileSync(path.join(cache, TINY10.archiveName), tarGz(members));
    await expect(loadCifar(TINY10, { cacheDir: cache, download: false })).rejects.toThrow(message);
    expect(fs.existsSync(path.join(outside, 'evil.bin'))).toBe(false);
    expect(fs.existsSync('/tmp/cifar-data-evil.bin')).toBe(false);
    expect(fs.readdirSync(cache).sort()).toEqual([TINY10.archiveName]);
  });

  it('refuses a symlink where a batch file should be', async () => {
    const members = datasetMembers(TINY10).map((m) =>
      m.name.endsWith('test_batch.bin') ? { name: m.name, type: '2' as const, linkname: '/etc/passwd' } : m,
    );
    await expect(load(tarGz(members))).rejects.toThrow(/member 'cifar-10-batches-bin\/test_batch\.bin' is a SymbolicLink, expected a regular file/);
  });

  it('ignores an unexpected symlink member (never followed or created)', async () => {
    const members: TarMember[] = [{ name: 'cifar-10-batches-bin/link', type: '2', linkname: '../../etc' }, ...datasetMembers(TINY10)];
    const cache = path.join(outside, 'cache');
    fs.mkdirSync(cache);
    fs.writeFileSync(path.join(cache, TINY10.archiveName), tarGz(members));
    const data = await loadCifar(TINY10, { cacheDir: cache, download: false });
    expect(data.train.count).toBe(10);
    expect(fs.readdirSync(path.join(cache, TINY10.folder)).sort()).toEqual(
      ['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].sort(),
    );
  });

  it('refuses a duplicated member', async () => {
    const members = datasetMembers(TINY10);
    await expect(load(tarGz([...members, members[2]!]))).rejects.toThrow(/appears twice/);
  });

  it('stops inflating a gzip bomb long before it fills memory', async () => {
    // 70 MB of zeros (about 70 kB gzipped) in an unexpected member: more than the tiny layout could ever need + 64 MB.
    const bomb = tarGz([...datasetMembers(TINY10), { name: 'cifar-10-batches-bin/zeros.bin', data: Buffer.alloc(70 << 20) }]);
    expect(bomb.length).toBeLessThan(1 << 20);
    await expect(load(bomb)).rejects.toThrow(/cannot read archive .*inflates to more than \d+ bytes, far more than CIFAR-10 needs/);
  });

  it('classifies member names', () => {
    expect(unsafeMemberReason('cifar-10-batches-bin/data_batch_1.bin')).toBeUndefined();
    expect(unsafeMemberReason('./a/b')).toBeUndefined();
    expect(unsafeMemberReason('a/..b')).toBeUndefined();
    expect(unsafeMemberReason('a/../../b')).toMatch(/\.\./);
    expect(unsafeMemberReason('..\\b')).toMatch(/\.\./);
    expect(unsafeMemberReason('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeMemberReason('C:/x')).toMatch(/absolute/);
  });
});
