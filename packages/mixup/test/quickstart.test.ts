import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageDir = join(__dirname, '..');
const exampleFile = join(packageDir, 'examples', 'quickstart.ts');

describe('examples/quickstart.ts (the README example)', () => {
  test('runs and prints training progress and a clean evaluation', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const steps = [...out.matchAll(/^step (\d+): lambda=(\d\.\d{3}) loss=(\d+\.\d{4}) mixup-accuracy=(\d\.\d{3})$/gm)];
    expect(steps.map((m) => Number(m[1]))).toEqual([5, 10, 15, 20]);
    for (const m of steps) {
      expect(Number(m[2])).toBeGreaterThanOrEqual(0);
      expect(Number(m[2])).toBeLessThanOrEqual(1);
      expect(Number.isFinite(Number(m[3]))).toBe(true);
      expect(Number(m[4])).toBeLessThanOrEqual(1);
    }
    // A new λ is drawn for every batch.
    const lambdas = steps.map((m) => m[2]);
    expect(new Set(lambdas).size).toBeGreaterThan(1);
    expect(out).toMatch(/^clean test: loss=\d+\.\d{4} accuracy=[01]\.\d{3}$/m);
  });

  test('README.md shows the example verbatim', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const code = readFileSync(exampleFile, 'utf8');
    expect(readme).toContain(code.trim());
  });
});
