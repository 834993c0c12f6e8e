import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR100_SPEC, CIFAR10_SPEC, defaultCacheDir, loadCifar, loadCifar10 } from '../src/index';
import type { LoadOptions } from '../src/index';

describe('load option validation', () => {
  it.each([
    [{ dataDirectory: '/x' }, /loadCifar10: unknown option 'dataDirectory'; allowed options are dataDir, archive,/],
    [{ dataDir: '' }, /loadCifar10: options\.dataDir must be a non-empty string, got ''/],
    [{ md5: 'abc' }, /loadCifar10: options\.md5 must be an MD5 digest of 32 hex digits, got 'abc'/],
    [{ size: -1 }, /loadCifar10: options\.size must be an integer >= 1, got -1/],
    [{ retries: 1.5 }, /loadCifar10: options\.retries must be an integer in \[0, 100\], got 1\.5/],
    [{ timeoutMs: 0 }, /options\.timeoutMs must be an integer >= 1, got 0/],
    [{ download: 'no' }, /options\.download must be true or false, got 'no'/],
    [{ onProgress: 3 }, /options\.onProgress must be a function or undefined, got 3/],
  ])('rejects %j', async (opts, message) => {
    await expect(loadCifar10(opts as unknown as LoadOptions)).rejects.toThrow(message);
  });

  it('rejects a non-object options argument', async () => {
    await expect(loadCifar10(null as unknown as LoadOptions)).rejects.toThrow(/loadCifar10: options must be an options object or undefined, got null/);
  });

  it('rejects specs whose names could escape the cache folder', async () => {
    await expect(loadCifar({ ...CIFAR10_SPEC, folder: '../x' })).rejects.toThrow(/loadCifar: spec\.folder must be a plain file name/);
    await expect(loadCifar({ ...CIFAR10_SPEC, train: [{ file: 'a/b.bin', records: 1 }] })).rejects.toThrow(/spec\.train\[0\]\.file must be a plain file name/);
    await expect(loadCifar({ ...CIFAR10_SPEC, test: [{ file: '..', records: 1 }] })).rejects.toThrow(/spec\.test\[0\]\.file/);
    await expect(loadCifar({ ...CIFAR10_SPEC, test: [{ file: 'x.bin', records: 0 }] })).rejects.toThrow(/spec\.test\[0\]\.records must be a positive integer/);
    await expect(loadCifar({ ...CIFAR10_SPEC, md5: 'not-an-md5' })).rejects.toThrow(/loadCifar: spec\.md5 must be an MD5 digest of 32 hex digits, got 'not-an-md5'\./);
    await expect(loadCifar({ ...CIFAR100_SPEC, coarseClasses: 0 })).rejects.toThrow(/loadCifar: spec\.coarseClasses must be an integer in \[1, 256\], got 0/);
  });

  it('puts the default cache under $XDG_CACHE_HOME, else ~/.cache', () => {
    const saved = process.env.XDG_CACHE_HOME;
    try {
      process.env.XDG_CACHE_HOME = '/var/tmp/xdg';
      expect(defaultCacheDir()).toBe(path.join('/var/tmp/xdg', 'aa-cifar-data'));
      process.env.XDG_CACHE_HOME = 'relative/ignored';
      expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'aa-cifar-data'));
      delete process.env.XDG_CACHE_HOME;
      expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'aa-cifar-data'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
