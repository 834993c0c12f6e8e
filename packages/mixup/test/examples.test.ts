import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');
const run = (file: string) =>
  execFileSync(process.execPath, [require.resolve('tsx/cli'), file], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const readme = () => readFileSync(join(packageDir, 'README.md'), 'utf8');

describe('examples/timm.ts (the README example of the timm recipe)', () => {
  test('mixes the first 3 epochs only, prints the checkpointed state and a clean score', () => {
    const out = run('examples/timm.ts');
    const epochs = [...out.matchAll(/^epoch (\d): mixed batches=(\d)\/4 loss=(\d+\.\d{4})$/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4]);
    expect(epochs.map((m) => Number(m[2]))).toEqual([4, 4, 4, 0, 0]);
    for (const m of epochs) expect(Number.isFinite(Number(m[3]))).toBe(true);
    expect(out).toMatch(/^checkpoint state: \{"epochs":5,…$/m);
    expect(out).toMatch(/^clean accuracy=[01]\.\d{3}$/m);
  });

  test('README.md shows it verbatim', () => {
    expect(readme()).toContain(readFileSync(join(packageDir, 'examples', 'timm.ts'), 'utf8').trim());
  });
});

describe('examples/keras.ts (the README example of the Keras 3 layers)', () => {
  test('trains with fitDataset on MixUp + CutMix batches; the layers are the identity at inference', () => {
    const out = run('examples/keras.ts');
    const epochs = [...out.matchAll(/^epoch (\d): loss=(\d+\.\d{4})$/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3]);
    expect(out).toMatch(/^identity at inference: true$/m);
    expect(out).toMatch(/^last CutMix draw: 64 boxes, label rows sum to 1\.000$/m);
    expect(out).toMatch(/^clean accuracy=[01]\.\d{3}$/m);
  });

  test('README.md shows it verbatim', () => {
    expect(readme()).toContain(readFileSync(join(packageDir, 'examples', 'keras.ts'), 'utf8').trim());
  });
});
