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
