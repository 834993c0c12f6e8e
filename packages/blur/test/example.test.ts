import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');

describe('README example', () => {
  const example = readFileSync(join(packageDir, 'examples/quickstart.ts'), 'utf8');

  it('appears verbatim in the README', () => {
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(example.trim());
  });

  it('runs and prints what the README promises', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('binomialFilter(3) = [ 0.25, 0.5, 0.25 ]');
    expect(out).toContain('maxBlurPool2d: [ 8, 24, 24, 3 ] -> [ 8, 12, 12, 3 ]');
    expect(out).toContain('model output: [ 8, 10 ]');
    expect(out).toContain('restored layers: MaxBlurPool2D, BlurPool, BlurPool');
  });
});

describe('chapter CNN example (examples/chapterCnn.ts)', () => {
  const example = readFileSync(join(packageDir, 'examples/chapterCnn.ts'), 'utf8');

  it('appears verbatim in the README', () => {
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(example.trim());
  });

  it('runs and prints what the README promises', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/chapterCnn.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const pooling of ['max', 'maxblur', 'avg', 'blurpool', 'strided', 'aastrided']) {
      expect(out).toContain(`${pooling}: 18010 trainable parameters`);
    }
    expect(out).toContain('same seed, same weights: true');
    expect(out).toContain('logits: [ 4, 10 ]');
  });
});

describe('aliasing demo (pnpm demo)', () => {
  it('runs, keeps the three patterns apart and measures less aliasing with the blur', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/aliasing.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/pairs .*maxPool -> \[1 1 1 1\]\s+maxBlurPool2d -> \[0\.75 0\.75 0\.75 0\.75\]/);
    const plain = Number(/max pooling:\s+([\d.]+)/.exec(out)?.[1]);
    const aa = Number(/anti-aliased\):\s+([\d.]+)/.exec(out)?.[1]);
    expect(plain).toBeGreaterThan(0);
    expect(aa).toBeGreaterThan(0);
    expect(aa).toBeLessThan(plain);
  });
});

/** Runs an example with tsx, as a user would, and returns what it printed. */
function runExample(file: string): string {
  return execFileSync(process.execPath, [require.resolve('tsx/cli'), file], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe("antialiased-cnns' recipes (examples/recipes.ts)", () => {
  it('appears verbatim in the README', () => {
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(readFileSync(join(packageDir, 'examples/recipes.ts'), 'utf8').trim());
  });

  it('keeps every replaced layer\'s output shape and parameters, trains, and restores identically', () => {
    const out = runExample('examples/recipes.ts');
    expect(out).toContain('MaxPool -> MaxBlurPool: MaxPooling2D 16x16x16 -> MaxBlurPool2D 16x16x16 (0 -> 0 parameters)');
    expect(out).toContain('StridedConv -> ConvBlurPool: Conv2D 16x16x32 -> ConvBlurPool2D 16x16x32 (4640 -> 4640 parameters)');
    expect(out).toContain('AvgPool -> BlurPool: AveragePooling2D 16x16x16 -> BlurPool 16x16x16 (0 -> 0 parameters)');
    expect(out).toMatch(/trained 2 epochs, loss \d\.\d{3} -> \d\.\d{3}/);
    expect(out).toContain('restored layers: ConvBlurPool2D, MaxBlurPool2D, BlurPool | max difference 0');
  });
});

describe('filter sizes, paddings, 1-D/3-D and edge-aware layers (examples/filters.ts)', () => {
  it('appears verbatim in the README', () => {
    expect(readFileSync(join(packageDir, 'README.md'), 'utf8')).toContain(readFileSync(join(packageDir, 'examples/filters.ts'), 'utf8').trim());
  });

  it('prints what the README promises', () => {
    const out = runExample('examples/filters.ts');
    expect(out).toContain('filter 1: [1]');
    expect(out).toContain('filter 7: [1, 6, 15, 20, 15, 6, 1]');
    expect(out).toContain('same: [0.25, 1, 2, 3, 4, 5, 6, 5]');
    expect(out).toContain('reflect: [0.5, 1, 2, 3, 4, 5, 6, 6.5]');
    expect(out).toContain('replicate: [0.25, 1, 2, 3, 4, 5, 6, 6.75]');
    expect(out).toContain('BlurPool1D: [ 4, 100, 8 ] -> [ 4, 50, 8 ]');
    expect(out).toContain('BlurPool3D: [ 1, 16, 16, 16, 2 ] -> [ 1, 8, 8, 8, 2 ]');
    expect(out).toContain('blur:       0.10 0.10 0.10 0.30 0.70 0.90 0.90 0.90');
    expect(out).toContain('edge-aware: 0.10 0.10 0.10 0.10 0.90 0.90 0.90 0.90');
  });
});
