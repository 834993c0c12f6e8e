import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR10_SAMPLE_SPEC, loadCifar10Sample } from '../src/index';
import * as os from 'node:os';
import { cifar10SamplePath, loadSampleArchive } from '../src/sample';

interface Check {
  size: number;
  md5: string;
  [file: string]: unknown;
}
/** Made by scripts/make-sample.py straight from the records, independently of the TypeScript parser. */
const check = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'sample-check.json'), 'utf8')) as Check;

describe('loadCifar10Sample', () => {
  it('ships the archive the spec describes', () => {
    const bytes = fs.readFileSync(cifar10SamplePath());
    expect(bytes.length).toBe(check.size);
    expect(createHash('md5').update(bytes).digest('hex')).toBe(check.md5);
    expect([CIFAR10_SAMPLE_SPEC.size, CIFAR10_SAMPLE_SPEC.md5]).toEqual([check.size, check.md5]);
  });

  it('loads 1000 train + 500 test images, balanced, with the right labels and pixels', async () => {
    const data = await loadCifar10Sample();
    expect(data.source).toEqual({ kind: 'sample', path: cifar10SamplePath() });
    expect(data.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    for (const [split, file, perClass] of [
      [data.train, 'data_batch_1.bin', 100],
      [data.test, 'test_batch.bin', 50],
    ] as const) {
      const want = check[file] as { count: number; labels: number[]; nhwcMd5: Record<string, string> };
      expect(split.count).toBe(want.count);
      expect(Array.from(split.labels)).toEqual(want.labels);
      const counts = new Array<number>(10).fill(0);
      for (const l of split.labels) counts[l]!++;
      expect(counts).toEqual(new Array(10).fill(perClass));
      for (const [i, md5] of Object.entries(want.nhwcMd5)) {
        const img = split.images.subarray(Number(i) * 3072, (Number(i) + 1) * 3072);
        expect(createHash('md5').update(img).digest('hex')).toBe(md5);
      }
    }
  });

  it('refuses a damaged or truncated sample archive instead of returning wrong data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-sample-'));
    const good = fs.readFileSync(cifar10SamplePath());
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)] = (flipped[Math.floor(good.length / 2)] as number) ^ 0xff;
    fs.writeFileSync(path.join(dir, 'flipped.tar.gz'), flipped);
    fs.writeFileSync(path.join(dir, 'truncated.tar.gz'), good.subarray(0, good.length - 1000));
    await expect(loadSampleArchive(path.join(dir, 'flipped.tar.gz'))).rejects.toThrow(
      new RegExp(`loadCifar10Sample: the sample archive .*flipped.tar.gz is damaged: ${good.length} bytes with MD5 [0-9a-f]{32}, expected ${good.length} bytes`),
    );
    await expect(loadSampleArchive(path.join(dir, 'truncated.tar.gz'))).rejects.toThrow(/loadCifar10Sample: the sample archive .*truncated.tar.gz is damaged/);
    await expect(loadSampleArchive(path.join(dir, 'missing.tar.gz'))).rejects.toThrow(/loadCifar10Sample: the sample archive .*missing.tar.gz is missing/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
