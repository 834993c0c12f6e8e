import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { resolveCifar10, subset } from '../src/data';
import { TEST_COUNT, TINY_SPEC, tinyCifar10Archive } from './helpers/archive';

// Nothing listens on port 9 (discard) of localhost: the download fails at once, like an offline machine.
const UNREACHABLE = 'http://127.0.0.1:9/cifar-10-binary.tar.gz';

describe('CIFAR-10 resolution and the offline fallback', () => {
  const cache = mkdtempSync(join(tmpdir(), 'aa-bench-cache-'));
  const made: string[] = [];
  const archive = () => {
    const file = tinyCifar10Archive();
    made.push(dirname(file));
    return file;
  };
  afterAll(() => [cache, ...made].forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('falls back to the embedded subset with one clear line when nothing is local and the download fails', async () => {
    const lines: string[] = [];
    const data = await resolveCifar10({ cacheDir: cache, url: UNREACHABLE }, (l) => lines.push(l));
    expect(data.embedded).toBe(true);
    expect(data.train.count).toBe(10000);
    expect(data.fullTest.count).toBe(2500);
    // Class-balanced, as the subset promises: 1,000 and 250 per class.
    const perClass = (labels: Uint8Array) => Array.from({ length: 10 }, (_, k) => labels.filter((l) => l === k).length);
    expect(perClass(data.train.labels)).toEqual(new Array(10).fill(1000));
    expect(perClass(data.fullTest.labels)).toEqual(new Array(10).fill(250));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not available locally and could not be downloaded .*running on the embedded subset \(10,000 train \/ 2,500 test images\).*--data-dir .*--archive .*network/);
  });

  it('uses a local archive when given, without falling back', async () => {
    const file = archive();
    const lines: string[] = [];
    const data = await resolveCifar10({ archive: file, spec: TINY_SPEC, url: UNREACHABLE }, (l) => lines.push(l));
    expect(data.embedded).toBe(false);
    expect(data.train.count).toBe(20);
    expect(data.fullTest.count).toBe(TEST_COUNT);
    expect(Array.from(data.fullTest.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lines).toEqual([]);
  });

  it('never substitutes the subset for a local copy that is given but broken', async () => {
    const lines: string[] = [];
    await expect(resolveCifar10({ dataDir: join(cache, 'nowhere'), url: UNREACHABLE }, (l) => lines.push(l))).rejects.toThrow(/nowhere/);
    await expect(resolveCifar10({ archive: archive(), url: UNREACHABLE }, (l) => lines.push(l))).rejects.toThrow(/not the official CIFAR-10 binary version/);
    expect(lines).toEqual([]);
  });

  it('subsets are random, seeded and within the set', async () => {
    const data = await resolveCifar10({ subset: true }, () => undefined);
    const a = subset(data.train, 100, 1);
    const b = subset(data.train, 100, 1);
    expect(a.count).toBe(100);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(new Set(a.labels).size).toBeGreaterThan(5);
    expect(a.images.length).toBe(100 * 32 * 32 * 3);
  });
});
