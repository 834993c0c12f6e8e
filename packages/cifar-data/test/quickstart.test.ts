import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageDir = path.resolve(__dirname, '..');

describe('examples/quickstart.ts (the README example)', () => {
  it('runs and prints the expected batches', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], { cwd: packageDir, encoding: 'utf8' });
    expect(out).toContain('train: 10000 images, test: 2500 images');
    expect(out).toContain('classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck');
    expect(out).toMatch(/epoch 0 first batch: xs \[128,24,24,3\] float32 in \[0, 1\], first labels \d,\d,\d,\d,\d/);
    expect(out).toContain('epoch 1: 79 batches, 10000 images');
    expect(out).toContain('test: 20 batches, 2500 images');
    expect(out).toContain('shifted crops of test image 0: [81,24,24,3]');
    expect(out).toContain('tensors left: 0');
    // Shuffling gives each epoch its own order.
    const firsts = [...out.matchAll(/first labels ([\d,]+)/g)].map((m) => m[1]);
    expect(firsts).toHaveLength(2);
    expect(firsts[0]).not.toBe(firsts[1]);
  });

  it('is quoted verbatim in README.md', () => {
    const code = fs.readFileSync(path.join(packageDir, 'examples', 'quickstart.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    expect(readme).toContain(code.trim());
  });
});
