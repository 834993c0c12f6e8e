import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageDir = path.resolve(__dirname, '..');

describe('README quickstart', () => {
  it('runs examples/quickstart.ts and prints the records as CSV', () => {
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), 'examples/quickstart.ts'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('epoch,total time,train loss,test loss,train Accuracy,test Accuracy,epoch time,lr');
    const rows = lines.slice(1, 6).map((l) => l.split(',').map(Number));
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4]);
    expect(rows[4]![2]).toBeLessThan(rows[0]![2]!); // train loss falls
    // Cosine annealing stepped per epoch: 0.01·(1 + cos(πt/5))/2.
    rows.forEach((r, t) => expect(r[7]).toBeCloseTo((0.01 * (1 + Math.cos((Math.PI * t) / 5))) / 2, 12));
    const acc = Number(/final test accuracy: ([\d.]+)/.exec(out)?.[1]);
    expect(acc).toBeGreaterThan(0.9);
  });

  it('is quoted verbatim in README.md', () => {
    const example = fs.readFileSync(path.join(packageDir, 'examples/quickstart.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    expect(readme).toContain(example);
  });
});
